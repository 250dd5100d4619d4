import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

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

/** Listens with @hono/node-server, over TLS when `tls` is given; resolves with the bound port (port 0 picks a free one). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function listen(app: Hono<any>, port: number, hostname: string, tls?: TlsFiles): Promise<Listening> {
  return new Promise((resolve, reject) => {
    const server = (
      tls
        ? serve({ fetch: app.fetch, port, hostname, createServer: createHttpsServer, serverOptions: serverOptions(tls) })
        : serve({ fetch: app.fetch, port, hostname })
    ) as Server;
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
  });
}

function serverOptions(tls: TlsFiles): import('node:https').ServerOptions {
  const base = { cert: tls.cert, key: tls.key };
  // rejectUnauthorized on a server: a client without a certificate from clientCa is cut off in the
  // handshake, so no route (not even /healthz) is reached by it.
  return tls.clientCa ? { ...base, ca: tls.clientCa, requestCert: true, rejectUnauthorized: true } : base;
}
