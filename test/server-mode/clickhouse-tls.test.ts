// ClickHouse over TLS (issue 11 §5): an https:// CLICKHOUSE_URL, CLICKHOUSE_CA for a private CA,
// CLICKHOUSE_CERT / CLICKHOUSE_KEY for mutual TLS. No ClickHouse server here, so the other end is
// a node https server made in the test, with certificates made by openssl (test/helpers/certs.ts),
// that answers `SELECT 1` the way ClickHouse's HTTP interface does (one JSONEachRow line) and
// records what arrived: the user header, the certificate-auth header, the client certificate.
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkStore, openStore, type Store } from '../../schema/client.ts';
import { storageConfig, type StorageConfig } from '../../schema/config.ts';
import { ConfigError } from '../../schema/env.ts';
import { issue, makeCa, type Pem } from '../helpers/certs.ts';
import { tempDir, type TempDir } from '../helpers/telmark.ts';

interface Arrival {
  user?: string;
  certAuth?: string;
  clientCn?: string;
  authorized: boolean;
  query: string;
}

let dir: TempDir;
let ca: Pem;
let otherCa: Pem;
let serverCert: Pem;
let clientCert: Pem;
let strangerCert: Pem;
const open: Array<{ server: Server; store?: Store }> = [];

beforeAll(() => {
  dir = tempDir('telmark-ch-tls-');
  ca = makeCa(dir.path, 'private-ca');
  otherCa = makeCa(dir.path, 'other-ca');
  serverCert = issue(dir.path, ca, 'clickhouse', 'server');
  clientCert = issue(dir.path, ca, 'telmark_collector', 'client');
  strangerCert = issue(dir.path, otherCa, 'stranger', 'client');
});
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.store?.close();
    o.server.closeAllConnections();
    await new Promise((done) => o.server.close(done));
  }
});
afterAll(() => dir?.remove());

/** A ClickHouse-like HTTPS endpoint on 127.0.0.1; `mutual`: a client certificate from the private CA is required. */
async function fakeClickHouse(mutual: boolean): Promise<{ url: string; arrivals: Arrival[]; entry: { server: Server; store?: Store } }> {
  const arrivals: Arrival[] = [];
  const server = createServer({ cert: serverCert.cert, key: serverCert.key, ca: ca.cert, requestCert: true, rejectUnauthorized: mutual }, (req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const socket = req.socket as TLSSocket;
      const peer = socket.getPeerCertificate();
      arrivals.push({
        user: req.headers['x-clickhouse-user'] as string | undefined,
        certAuth: req.headers['x-clickhouse-ssl-certificate-auth'] as string | undefined,
        clientCn: peer && 'subject' in peer && peer.subject ? String(peer.subject.CN) : undefined,
        authorized: socket.authorized,
        query: body.trim(),
      });
      if (/^SELECT 1\b/.test(body.trim())) {
        res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8', 'x-clickhouse-format': 'JSONEachRow' });
        res.end('{"1":1}\n');
      } else {
        res.writeHead(400, { 'x-clickhouse-exception-code': '62' });
        res.end('Code: 62. DB::Exception: this test server answers SELECT 1 only. (SYNTAX_ERROR)\n');
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const entry = { server };
  open.push(entry);
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, arrivals, entry };
}

/** Opens the store as telmark does at start (storageConfig, openStore, checkStore). */
async function connect(env: Record<string, string>, entry: { store?: Store }): Promise<{ store: Store; config: StorageConfig; checked: Promise<void> }> {
  const config = storageConfig({ DATA_DIR: dir.path, ...env });
  const store = openStore(config);
  entry.store = store;
  return { store, config, checked: checkStore(store, config) };
}

describe('ClickHouse over TLS', () => {
  it('an https:// CLICKHOUSE_URL with CLICKHOUSE_CA (a private CA): SELECT 1 is answered over TLS', async () => {
    const ch = await fakeClickHouse(false);
    const { store, config, checked } = await connect({ CLICKHOUSE_URL: ch.url, CLICKHOUSE_CA: ca.certPath, CLICKHOUSE_USER: 'telmark_dashboard', CLICKHOUSE_PASSWORD: 'dashboard-password' }, ch.entry);
    expect(config.mode === 'server' && config.tls?.ca?.equals(ca.cert)).toBe(true);
    await checked;
    const rows = await (await store.client.query({ query: 'SELECT 1', format: 'JSONEachRow' })).json();
    expect(rows).toEqual([{ '1': 1 }]);
    // Two statements arrived, as the user with a password, without a client certificate.
    expect(ch.arrivals).toHaveLength(2);
    for (const a of ch.arrivals) expect(a).toMatchObject({ user: 'telmark_dashboard', certAuth: undefined, clientCn: undefined, query: 'SELECT 1 \nFORMAT JSONEachRow' });
  });

  it('a server whose certificate the CA did not sign is refused before any request is sent; start-up says which server', async () => {
    const ch = await fakeClickHouse(false);
    // Another private CA, and no CLICKHOUSE_CA at all (the system's public CAs).
    for (const env of [{ CLICKHOUSE_CA: otherCa.certPath }, {}] as Array<Record<string, string>>) {
      const { checked } = await connect({ CLICKHOUSE_URL: ch.url, ...env }, ch.entry);
      await expect(checked).rejects.toThrow(new RegExp(`^ClickHouse at ${ch.url} is not reachable: .*(certificate|self-signed)`, 'i'));
      await ch.entry.store?.close();
    }
    expect(ch.arrivals).toEqual([]);
  });

  it('mutual TLS: CLICKHOUSE_CERT / CLICKHOUSE_KEY are presented and the user is identified by them; without them, or with a stranger\'s, the server refuses', async () => {
    const ch = await fakeClickHouse(true);
    const without = await connect({ CLICKHOUSE_URL: ch.url, CLICKHOUSE_CA: ca.certPath, CLICKHOUSE_USER: 'telmark_collector' }, ch.entry);
    await expect(without.checked).rejects.toThrow(new RegExp(`^ClickHouse at ${ch.url} is not reachable`));
    await without.store.close();
    const stranger = await connect(
      { CLICKHOUSE_URL: ch.url, CLICKHOUSE_CA: ca.certPath, CLICKHOUSE_USER: 'telmark_collector', CLICKHOUSE_CERT: strangerCert.certPath, CLICKHOUSE_KEY: strangerCert.keyPath },
      ch.entry,
    );
    await expect(stranger.checked).rejects.toThrow(new RegExp(`^ClickHouse at ${ch.url} is not reachable`));
    await stranger.store.close();
    expect(ch.arrivals).toEqual([]);

    const mutual = await connect(
      { CLICKHOUSE_URL: ch.url, CLICKHOUSE_CA: ca.certPath, CLICKHOUSE_USER: 'telmark_collector', CLICKHOUSE_CERT: clientCert.certPath, CLICKHOUSE_KEY: clientCert.keyPath },
      ch.entry,
    );
    await mutual.checked;
    expect(ch.arrivals).toEqual([{ user: 'telmark_collector', certAuth: 'on', clientCn: 'telmark_collector', authorized: true, query: 'SELECT 1 \nFORMAT JSONEachRow' }]);
  });
});

describe('ClickHouse TLS settings', () => {
  const base = { DATA_DIR: '/tmp/unused', CLICKHOUSE_URL: 'https://ch.internal:8443' };
  it('bad files stop start-up with one line naming the variable', () => {
    expect(() => storageConfig({ ...base, CLICKHOUSE_CA: '/nonexistent/ca.crt' })).toThrow(/^CLICKHOUSE_CA="\/nonexistent\/ca\.crt" is invalid: expected a readable PEM file$/);
    expect(() => storageConfig({ ...base, CLICKHOUSE_CA: clientCert.keyPath })).toThrow(/^CLICKHOUSE_CA=.* is invalid: expected a PEM certificate/);
    expect(() => storageConfig({ ...base, CLICKHOUSE_CERT: clientCert.certPath })).toThrow(/^CLICKHOUSE_KEY=.*goes with CLICKHOUSE_CERT/);
    expect(() => storageConfig({ ...base, CLICKHOUSE_CERT: clientCert.certPath, CLICKHOUSE_KEY: clientCert.certPath })).toThrow(/^CLICKHOUSE_KEY=.*PEM private key/);
  });
  it('TLS files without an https:// server, or a password beside a client certificate, are refused (the password is not printed)', () => {
    expect(() => storageConfig({ ...base, CLICKHOUSE_URL: 'http://ch.internal:8123', CLICKHOUSE_CA: ca.certPath })).toThrow(/^CLICKHOUSE_CA=.*https:\/\//);
    expect(() => storageConfig({ DATA_DIR: '/tmp/unused', CLICKHOUSE_CA: ca.certPath })).toThrow(ConfigError);
    const withPassword = () => storageConfig({ ...base, CLICKHOUSE_PASSWORD: 'hunter2-secret', CLICKHOUSE_CERT: clientCert.certPath, CLICKHOUSE_KEY: clientCert.keyPath });
    expect(withPassword).toThrow(/^CLICKHOUSE_PASSWORD=.*empty when CLICKHOUSE_CERT is set/);
    expect(withPassword).not.toThrow(/hunter2/);
    const ok = storageConfig({ ...base, CLICKHOUSE_CERT: clientCert.certPath, CLICKHOUSE_KEY: clientCert.keyPath });
    expect(ok.mode === 'server' && ok.tls?.cert?.equals(clientCert.cert) && ok.tls.ca === undefined).toBe(true);
  });
});
