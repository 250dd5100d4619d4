import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { getRequestListener, RequestError } from '@hono/node-server';
import type { Hono } from 'hono';
import { answerClientError, HTTP_LIMITS_DEFAULTS, httpServerOptions, type HttpLimits } from './http-limits.ts';

export interface Listening {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** PEM certificate chain and private key: the listener speaks HTTPS. */
export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  /** Mutual TLS: only clients with a certificate signed by this CA complete the handshake. */
  clientCa?: Buffer;
}

/**
 * What @hono/node-server answers when it cannot make a Request of what Node parsed (a backslash in
 * the path, a Host header that is no host, a target that is no URL): our JSON 400 instead of its
 * empty one. Anything else that escapes the app (which answers its own errors) stays a 500. The
 * reason never quotes the request.
 */
function adapterError(err: unknown): Response {
  const json = (status: number, error: string) => new Response(JSON.stringify({ error }), { status, headers: { 'content-type': 'application/json' } });
  return err instanceof RequestError ? json(400, 'malformed request: the path, the target URL or the Host header is not valid') : json(500, 'internal error');
}

/**
 * Listens with @hono/node-server's request listener, over TLS when `tls` is given; resolves with the
 * bound port (port 0 picks a free one). Every listener gets timeouts and a connection cap (`limits`,
 * default HTTP_LIMITS_DEFAULTS; see http-limits.ts) and answers malformed HTTP with a JSON reason.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function listen(app: Hono<any>, port: number, hostname: string, tls?: TlsFiles, limits: HttpLimits = HTTP_LIMITS_DEFAULTS): Promise<Listening> {
  return new Promise((resolve, reject) => {
    // What serve() does, plus the error handler it does not pass on.
    const listener = getRequestListener(app.fetch, { hostname, errorHandler: adapterError });
    const options = httpServerOptions(limits);
    const server: Server = tls ? createHttpsServer({ ...options, ...serverOptions(tls) }, listener) : createServer(options, listener);
    // Past the cap Node closes each new connection at once (before any byte is read).
    server.maxConnections = limits.maxConnections;
    server.on('clientError', answerClientError);
    server.once('error', reject);
    server.once('listening', () => {
      const bound = (server.address() as AddressInfo).port;
      resolve({
        server,
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive sockets would hold close() open; idle ones go now, busy ones after a grace period.
            server.closeIdleConnections?.();
            setTimeout(() => server.closeAllConnections?.(), 5_000).unref();
          }),
      });
    });
    server.listen(port, hostname);
  });
}

function serverOptions(tls: TlsFiles): import('node:https').ServerOptions {
  const base = { cert: tls.cert, key: tls.key };
  // rejectUnauthorized on a server: a client without a certificate from clientCa is cut off in the
  // handshake, so no route (not even /healthz) is reached by it.
  return tls.clientCa ? { ...base, ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : base;
}
