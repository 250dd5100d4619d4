// The collector's admin listener over TLS, and the dashboard's fan-out checking it (issue 11 §5).
// Collectors: the real admin app (createAdminApp) on real abuse buffers, listening with the TLS
// settings read by collectorConfig (COLLECTOR_ADMIN_TLS_CERT / _KEY, COLLECTOR_ADMIN_CLIENT_CA);
// the dashboard's side is read by collectorAdminTls (COLLECTOR_ADMIN_CA, COLLECTOR_ADMIN_CLIENT_CERT
// / _KEY). Certificates come from a private CA made with openssl (test/helpers/certs.ts).
import { writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AbuseBuffer } from '../../collector/abuse/buffer.ts';
import { localAbuseOperations } from '../../collector/abuse/operations.ts';
import { createAdminApp } from '../../collector/admin/app.ts';
import { collectorConfig } from '../../collector/config.ts';
import { collectorAdminTls } from '../../dashboard/server/security/config.ts';
import { CollectorsUnavailable, RemoteAbuseOperations } from '../../dashboard/server/security/remote.ts';
import { ConfigError } from '../../schema/env.ts';
import { listen, type Listening } from '../../scripts/node-server.ts';
import { issue, makeCa, type Pem } from '../helpers/certs.ts';
import { SECURITY_KEY, STATS_KEY, startTestTelmark, T0, tempDir, TestClock, type TempDir, type TestTelmark } from '../helpers/telmark.ts';

const clock = new TestClock(T0);
let dir: TempDir;
let ca: Pem;
let otherCa: Pem;
let dashboardClient: Pem;
let strangerClient: Pem;
const servers: Listening[] = [];
/** Requests that reached each admin app (by URL): a refused handshake must reach none. */
const reached = new Map<string, number>();
/** Plain TLS listeners, and listeners that demand a client certificate from the CA. */
let tlsUrls: string[] = [];
let mutualUrls: string[] = [];

function buffer(ip: string): AbuseBuffer {
  const b = new AbuseBuffer({ maxIps: 100, ttlS: 3600, maxAgeS: 86400, thresholds: { events_10s: 0, events_1m: 0, events_10m: 0, invalid_1m: 0, sites_1m: 0, bot_1m: 0 } }, clock.now);
  b.recordEvent(ip, 'example.com', null);
  return b;
}

/** A collector's admin listener, with the TLS settings its collectorConfig reads from `env`. */
async function adminListener(name: string, ip: string, env: Record<string, string>): Promise<string> {
  const serverCert = issue(dir.path, ca, name, 'server');
  const tls = collectorConfig({ COLLECTOR_ADMIN_TLS_CERT: serverCert.certPath, COLLECTOR_ADMIN_TLS_KEY: serverCert.keyPath, ...env }).adminTls;
  expect(tls).toBeDefined();
  const app = createAdminApp({ operations: localAbuseOperations(buffer(ip)), securityApiKeys: [SECURITY_KEY], statsApiKeys: [STATS_KEY], audit: () => {} });
  let url = '';
  // The app's fetch, counting the requests that reach it (the node server's bindings passed on).
  const counting = {
    fetch: (req: Request, ...rest: unknown[]) => {
      reached.set(url, (reached.get(url) ?? 0) + 1);
      return (app.fetch as (...args: unknown[]) => Response | Promise<Response>)(req, ...rest);
    },
  } as unknown as Hono;
  const l = await listen(counting, 0, '127.0.0.1', tls);
  servers.push(l);
  url = `https://127.0.0.1:${l.port}`;
  return url;
}

/** A GET over https with the given trust and (optional) client certificate; status and JSON. */
function httpsGet(url: string, opts: { ca: Buffer; cert?: Pem; key?: string }): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: opts.ca, cert: opts.cert?.cert, key: opts.cert?.key, headers: opts.key ? { authorization: `Bearer ${opts.key}` } : {} }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function fanOut(urls: string[], env: Record<string, string>): RemoteAbuseOperations {
  return new RemoteAbuseOperations({ urls, key: SECURITY_KEY, tls: collectorAdminTls(env, urls), timeoutMs: 10_000 });
}

async function unavailable(ops: RemoteAbuseOperations): Promise<CollectorsUnavailable> {
  const err = await ops.summary().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CollectorsUnavailable);
  return err as CollectorsUnavailable;
}

beforeAll(async () => {
  dir = tempDir('telmark-admin-tls-');
  ca = makeCa(dir.path, 'private-ca');
  otherCa = makeCa(dir.path, 'other-ca');
  dashboardClient = issue(dir.path, ca, 'telmark-dashboard', 'client');
  strangerClient = issue(dir.path, otherCa, 'stranger', 'client');
  tlsUrls = [await adminListener('collector-a', '203.0.113.1', {}), await adminListener('collector-b', '203.0.113.2', {})];
  const clientCa = { COLLECTOR_ADMIN_CLIENT_CA: ca.certPath };
  mutualUrls = [await adminListener('collector-c', '203.0.113.3', clientCa), await adminListener('collector-d', '203.0.113.4', clientCa)];
}, 60_000);
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  dir?.remove();
});

describe('the admin listener over TLS', () => {
  it('speaks HTTPS with COLLECTOR_ADMIN_TLS_CERT / _KEY; plain HTTP on its port gets no answer', async () => {
    const health = await httpsGet(`${tlsUrls[0]}/healthz`, { ca: ca.cert });
    expect(health).toEqual({ status: 200, json: { status: 'ok' } });
    const summary = await httpsGet(`${tlsUrls[0]}/admin/abuse/summary`, { ca: ca.cert, key: SECURITY_KEY });
    expect([summary.status, summary.json.held]).toEqual([200, 1]);
    await expect(fetch(`${tlsUrls[0]!.replace('https:', 'http:')}/healthz`)).rejects.toThrow();
  });

  it('the fan-out checks both listeners against COLLECTOR_ADMIN_CA and merges their answers', async () => {
    const ops = fanOut(tlsUrls, { COLLECTOR_ADMIN_CA: ca.certPath });
    const summary = await ops.summary();
    expect(summary.held).toBe(2);
    expect(summary.collectors.map((c) => [c.url, c.ok])).toEqual(tlsUrls.map((u) => [u, true]));
    expect(summary.partial).toBeUndefined();
    const record = await ops.get('203.0.113.2');
    expect(record).toMatchObject({ ip: '203.0.113.2', collector: tlsUrls[1], held_by: [tlsUrls[1]] });
    // During a change of CA, the file holds the old and the new one: both are trusted.
    const bundle = join(dir.path, 'bundle.crt');
    writeFileSync(bundle, Buffer.concat([otherCa.cert, ca.cert]));
    expect((await fanOut(tlsUrls, { COLLECTOR_ADMIN_CA: bundle }).summary()).held).toBe(2);
  });

  it('with the wrong CA every collector fails with a clear error naming COLLECTOR_ADMIN_CA, and no request reaches them', async () => {
    const before = tlsUrls.map((u) => reached.get(u) ?? 0);
    const err = await unavailable(fanOut(tlsUrls, { COLLECTOR_ADMIN_CA: otherCa.certPath }));
    expect(err.message).toBe('no collector answered (summary): 2 of 2 failed');
    for (const e of err.errors) expect(e.error).toMatch(/^TLS: the collector's certificate is not trusted \([A-Z0-9_]+\); check COLLECTOR_ADMIN_CA/);
    expect(tlsUrls.map((u) => reached.get(u) ?? 0)).toEqual(before);
  });

  it('mutual TLS: a listener with COLLECTOR_ADMIN_CLIENT_CA refuses clients without a certificate from that CA; the dashboard\'s own certificate gets in', async () => {
    const before = mutualUrls.map((u) => reached.get(u) ?? 0);
    // No client certificate, and one from another CA: refused in the handshake.
    await expect(httpsGet(`${mutualUrls[0]}/healthz`, { ca: ca.cert })).rejects.toThrow();
    await expect(httpsGet(`${mutualUrls[0]}/healthz`, { ca: ca.cert, cert: strangerClient })).rejects.toThrow();
    const refused = await unavailable(fanOut(mutualUrls, { COLLECTOR_ADMIN_CA: ca.certPath }));
    for (const e of refused.errors) expect(e.error).toMatch(/^(TLS: the collector refused the handshake .*COLLECTOR_ADMIN_CLIENT_CERT|unreachable \(ECONNRESET\))/);
    expect(mutualUrls.map((u) => reached.get(u) ?? 0)).toEqual(before);

    const ops = fanOut(mutualUrls, { COLLECTOR_ADMIN_CA: ca.certPath, COLLECTOR_ADMIN_CLIENT_CERT: dashboardClient.certPath, COLLECTOR_ADMIN_CLIENT_KEY: dashboardClient.keyPath });
    const summary = await ops.summary();
    expect([summary.held, summary.collectors.every((c) => c.ok)]).toEqual([2, true]);
  });

  it('settings: files must be readable PEM, and TLS settings without TLS are refused', () => {
    const https = ['https://10.0.0.5:8002'];
    expect(() => collectorAdminTls({ COLLECTOR_ADMIN_CA: '/nonexistent/ca.pem' }, https)).toThrow(/^COLLECTOR_ADMIN_CA="\/nonexistent\/ca\.pem" is invalid: expected a readable PEM file$/);
    expect(() => collectorAdminTls({ COLLECTOR_ADMIN_CA: ca.certPath }, ['http://10.0.0.5:8002'])).toThrow(/^COLLECTOR_ADMIN_CA=.*https:\/\/ COLLECTOR_ADMIN_URLS/);
    expect(() => collectorAdminTls({ COLLECTOR_ADMIN_CLIENT_CERT: dashboardClient.certPath }, https)).toThrow(/^COLLECTOR_ADMIN_CLIENT_KEY=/);
    expect(collectorAdminTls({}, https)).toBeUndefined();
    expect(() => collectorConfig({ COLLECTOR_ADMIN_CLIENT_CA: ca.certPath })).toThrow(/^COLLECTOR_ADMIN_CLIENT_CA=.*COLLECTOR_ADMIN_TLS_CERT/);
    expect(() => collectorConfig({ COLLECTOR_ADMIN_TLS_CERT: dashboardClient.certPath })).toThrow(ConfigError);
    expect(() => collectorConfig({ COLLECTOR_TLS_CERT: dashboardClient.keyPath, COLLECTOR_TLS_KEY: dashboardClient.keyPath })).toThrow(/^COLLECTOR_TLS_CERT=.*PEM certificate/);
  });
});

describe('a whole telmark: its own admin listener and public collector over TLS, its dashboard fanning out over mutual TLS', () => {
  let t: TestTelmark;
  beforeAll(async () => {
    const own = issue(dir.path, ca, 'own-collector', 'server');
    t = await startTestTelmark({
      COLLECTOR_ADMIN_TLS_CERT: own.certPath,
      COLLECTOR_ADMIN_TLS_KEY: own.keyPath,
      COLLECTOR_TLS_CERT: own.certPath,
      COLLECTOR_TLS_KEY: own.keyPath,
      COLLECTOR_ADMIN_URLS: mutualUrls.join(','),
      COLLECTOR_ADMIN_CA: ca.certPath,
      COLLECTOR_ADMIN_CLIENT_CERT: dashboardClient.certPath,
      COLLECTOR_ADMIN_CLIENT_KEY: dashboardClient.keyPath,
    });
  }, 60_000);
  afterAll(async () => {
    await t?.destroy();
  });

  it('the collector and its admin listener answer over https://; the dashboard\'s security API reaches both mutual-TLS collectors', async () => {
    expect(t.adminUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(t.collectorUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(await httpsGet(`${t.adminUrl}/admin/abuse/summary`, { ca: ca.cert, key: SECURITY_KEY })).toMatchObject({ status: 200, json: { held: 0 } });
    expect(await httpsGet(`${t.collectorUrl}/healthz`, { ca: ca.cert })).toMatchObject({ status: 200 });
    const res = await fetch(`${t.dashboardUrl}/api/security/abuse/summary`, { headers: { authorization: `Bearer ${SECURITY_KEY}` } });
    const body = await res.json();
    expect(res.status).toBe(200);
    expect(body.held).toBe(2);
    expect(body.collectors.map((c: { url: string; ok: boolean }) => [c.url, c.ok])).toEqual(mutualUrls.map((u) => [u, true]));
  });
});
