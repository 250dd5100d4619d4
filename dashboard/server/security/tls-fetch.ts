// A fetch() for the security API's fan-out that trusts a private CA and can show a client
// certificate. Written by hand because Node's global fetch (undici) takes a CA or a client
// certificate only through undici's own Agent, and undici is not a dependency; node:https takes
// them on an Agent, and this adapts its answer to the Response the fan-out already reads.
import { Agent, request } from 'node:https';
import type { CollectorAdminTls } from './config.ts';

/**
 * Largest answer read from a collector. The biggest real one is a flagged page at the fan-out's
 * deepest limit (a few hundred KB); past this the request is aborted and that collector counts
 * as failed, so a confused or hostile listener cannot fill the dashboard's memory.
 */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export function tlsFetch(tls: CollectorAdminTls): typeof fetch {
  // One agent for every call: keep-alive sockets to the collectors are reused between fan-outs
  // (bounded by the agent's default of one free socket per collector kept open).
  const agent = new Agent({ keepAlive: true, ca: tls.ca, cert: tls.cert, key: tls.key });
  return ((input: string | URL | Request, init: RequestInit = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
      if (url.protocol !== 'https:') {
        // An http:// collector among https:// ones: no certificate to check, plain fetch it is.
        fetch(input, init).then(resolve, reject);
        return;
      }
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      const req = request(url, { method: init.method ?? 'GET', headers, agent, signal: init.signal ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(new Error(`answer larger than ${MAX_ANSWER_BYTES} bytes`));
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err) => reject(failed(err)));
        res.on('end', () => {
          const h = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) h.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve(new Response(res.statusCode === 204 ? null : Buffer.concat(chunks), { status: res.statusCode ?? 502, headers: h }));
        });
      });
      req.on('error', (err) => reject(failed(err)));
      req.end();
    })) as typeof fetch;
}

/**
 * Errors shaped like fetch's own (a TypeError whose cause has the code), so the fan-out reports
 * both the same way; an abort stays an AbortError, which it reports as a timeout.
 */
function failed(err: Error): Error {
  if (err.name === 'AbortError' || err.name === 'TimeoutError') return err;
  return new TypeError('fetch failed', { cause: err });
}
