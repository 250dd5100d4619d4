// A browser without an account that opened a shared link: keeps the share cookie (whatever its
// prefix) and sends it with every call, as a browser would to the share pages' folder.
export interface ShareAnswer {
  status: number;
  json: any;
  headers: Headers;
}

export class ShareClient {
  cookie = '';
  /** The Set-Cookie lines of the share cookie this client received, newest last. */
  readonly setCookies: string[] = [];

  constructor(readonly baseUrl: string) {}

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ShareAnswer> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (body !== undefined) h['content-type'] ??= 'application/json';
    if (method !== 'GET') h.origin ??= this.baseUrl;
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers: h, redirect: 'manual', body: body === undefined ? undefined : JSON.stringify(body) });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      if (!name.endsWith('telmark_share')) continue;
      this.setCookies.push(line);
      this.cookie = /max-age=0/i.test(line) ? '' : pair;
    }
    const text = await res.text();
    let json: any = text;
    try {
      json = JSON.parse(text);
    } catch {
      // an HTML page or an empty body: kept as text
    }
    return { status: res.status, json, headers: res.headers };
  }

  /** GET /share/{token}: the link itself. */
  open = (token: string) => this.call('GET', `/share/${token}`);
  get = (path: string) => this.call('GET', path);
  post = (path: string, body: unknown = {}) => this.call('POST', path, body);
}
