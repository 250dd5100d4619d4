// Accounts in tests: users made straight through the running instance's Accounts service, and a
// cookie-keeping client that signs in over real HTTP like the dashboard app does.
import { request } from 'node:http';
import * as OTPAuth from 'otpauth';
import type { Running } from '../../scripts/start-all.ts';
import type { Role } from '../../dashboard/server/auth/roles.ts';
import type { Sites, UserRecord } from '../../dashboard/server/auth/store.ts';

/** Strong enough for the password policy (zxcvbn score 4). */
export const PASSWORD = 'plum-orbit-canyon-velvet-42';

type Instance = Pick<Running, 'accounts' | 'dashboardUrl'>;

/** Creates a user with a password (as `npm run users -- create` does). */
export async function createUser(t: Instance, email: string, roles: Role[], opts: { sites?: Sites; password?: string } = {}): Promise<UserRecord> {
  if (!t.accounts) throw new Error('this instance runs no dashboard');
  return t.accounts.createUser({ email, password: opts.password ?? PASSWORD, roles, sites: opts.sites ?? 'all' }, { userId: '', keyId: 'test' });
}

/** The current TOTP code of an otpauth:// URI (or base32 secret) at `at` ms (default: now + `skewSteps` periods). */
export function totpCode(uriOrSecret: string, at: number): string {
  const totp = uriOrSecret.startsWith('otpauth:')
    ? (OTPAuth.URI.parse(uriOrSecret) as OTPAuth.TOTP)
    : new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(uriOrSecret) });
  return totp.generate({ timestamp: at });
}

export interface JsonAnswer {
  status: number;
  json: any;
  headers: Headers;
}

/**
 * A client that keeps the session cookie between calls, like a browser would, and sends JSON.
 * `origin` is sent on state changes (as browsers do); null sends none (like curl).
 */
export class CookieClient {
  cookie = '';
  origin: string | null;

  constructor(readonly baseUrl: string, opts: { origin?: string | null } = {}) {
    this.origin = opts.origin === undefined ? baseUrl : opts.origin;
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer> {
    const h: Record<string, string> = { ...headers };
    if (this.cookie) h.cookie = this.cookie;
    if (body !== undefined) h['content-type'] ??= 'application/json';
    if (method !== 'GET' && this.origin !== null) h.origin ??= this.origin;
    const res = await fetch(`${this.baseUrl}${path}`, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (!name.includes('telmark_session')) continue;
      this.cookie = /max-age=0/i.test(line) || value === '' ? '' : `${name}=${value}`;
    }
    const text = await res.text();
    let json: any = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  }

  get = (path: string, headers?: Record<string, string>) => this.call('GET', path, undefined, headers);
  post = (path: string, body: unknown = {}, headers?: Record<string, string>) => this.call('POST', path, body, headers);
  patch = (path: string, body: unknown, headers?: Record<string, string>) => this.call('PATCH', path, body, headers);
  put = (path: string, body: unknown, headers?: Record<string, string>) => this.call('PUT', path, body, headers);
  del = (path: string, body?: unknown, headers?: Record<string, string>) => this.call('DELETE', path, body, headers);
}

export interface SignedIn {
  client: CookieClient;
  /** The TOTP secret's URI when the sign-in enrolled one. */
  otpauthUri?: string;
  recoveryCodes?: string[];
}

/**
 * Signs in over HTTP. A user whose role needs TOTP and has none is enrolled on the way
 * (the code computed for `now()`), as a person would at their first sign-in.
 */
export async function signIn(t: Instance, email: string, opts: { password?: string; now?: () => number; totpUri?: string } = {}): Promise<SignedIn> {
  const now = opts.now ?? Date.now;
  const client = new CookieClient(t.dashboardUrl);
  // A code of the next 30 s step: the current one may have been used a moment ago (codes work once).
  const login = await client.post('/api/auth/login', {
    email,
    password: opts.password ?? PASSWORD,
    ...(opts.totpUri ? { totp: totpCode(opts.totpUri, now() + 30_000) } : {}),
  });
  if (login.status !== 200) throw new Error(`sign-in of ${email} failed: ${login.status} ${JSON.stringify(login.json)}`);
  if (!login.json.totp_setup_required) return { client };
  const uri = login.json.otpauth_uri as string;
  const confirm = await client.post('/api/auth/totp/confirm', { code: totpCode(uri, now()) });
  if (confirm.status !== 200) throw new Error(`TOTP enrolment of ${email} failed: ${confirm.status} ${JSON.stringify(confirm.json)}`);
  return { client, otpauthUri: uri, recoveryCodes: confirm.json.recovery_codes };
}

/**
 * POST /api/auth/login with a Host (and matching Origin) of our choosing: a browser that reached
 * the dashboard by a public name. (fetch() may not set Host.)
 */
export function loginWithHost(dashboardUrl: string, host: string, credentials: { email: string; password: string }): Promise<{ status: number; body: string; setCookie: string[] }> {
  const url = new URL(dashboardUrl);
  const payload = JSON.stringify(credentials);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, path: '/api/auth/login', method: 'POST', headers: { host, origin: `http://${host}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, setCookie: res.headers['set-cookie'] ?? [] }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
