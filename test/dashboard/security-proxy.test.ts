// The dashboard's security API over real HTTP: embedded (a buffer in this process) and fanned out
// to collector admin listeners. The collectors here are minimal Hono apps implementing the admin
// routes on real AbuseBuffers, so merging is checked against real records.
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { afterEach, describe, expect, it } from 'vitest';
import { AbuseBuffer } from '../../collector/abuse/buffer.ts';
import { createAdminApp } from '../../collector/admin/app.ts';
import { localAbuseOperations } from '../../collector/abuse/operations.ts';
import type { AbuseOperations } from '../../collector/abuse/types.ts';
import { collectorAdminUrls } from '../../dashboard/server/security/config.ts';
import { keyId } from '../../collector/abuse/api/key-id.ts';
import { CollectorsUnavailable, RemoteAbuseOperations } from '../../dashboard/server/security/remote.ts';
import { securityRoutes, type AuditEntry, type SecurityRoutesDeps } from '../../collector/abuse/api/routes.ts';
import { listen, type Listening } from '../../scripts/node-server.ts';
import { T0, TestClock } from '../helpers/telmark.ts';

const SECURITY_KEY = 'security-key-0123456789abcdef';
const STATS_KEY = 'stats-key-0123456789abcdef';

// Addresses from the documentation ranges.
const SHARED = '198.51.100.9';
const ONLY_A = '203.0.113.1';
const ONLY_B = '203.0.113.2';
const QUIET_B = '192.0.2.50';
const V6_A = '2001:db8::1';
const ALL_IPS = [SHARED, ONLY_A, ONLY_B, QUIET_B, V6_A];

const clock = new TestClock(T0);

function newBuffer(): AbuseBuffer {
  return new AbuseBuffer(
    { maxIps: 1000, ttlS: 3600, maxAgeS: 86400, thresholds: { events_10s: 5, events_1m: 0, events_10m: 0, invalid_1m: 0, sites_1m: 0, bot_1m: 0 } },
    clock.now,
  );
}

/** Six events within 10 s: over events_10s = 5. */
function flag(buffer: AbuseBuffer, ip: string): void {
  for (let i = 0; i < 6; i++) buffer.recordEvent(ip, 'example.com', null);
  expect(buffer.get(ip)!.flag).not.toBeNull();
}

/** A collector's real admin app (the same routes, keys and answers) on a real buffer; its audit rows are discarded (the collector's audit log is checked in admin-api.test.ts). */
function collectorAdmin(buffer: AbuseBuffer): Hono {
  return createAdminApp({ operations: localAbuseOperations(buffer), securityApiKeys: [SECURITY_KEY], statsApiKeys: [STATS_KEY], audit: () => {} });
}

let servers: Listening[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const f of cleanups.splice(0)) f();
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  clock.ms = T0;
});

async function serve(app: Hono): Promise<string> {
  const l = await listen(app, 0, '127.0.0.1');
  servers.push(l);
  return `http://127.0.0.1:${l.port}`;
}

/** A URL where nothing listens (a port that was just closed). */
async function deadUrl(): Promise<string> {
  const l = await listen(new Hono(), 0, '127.0.0.1');
  await l.close();
  return `http://127.0.0.1:${l.port}`;
}

/**
 * The dashboard as the lead wires it: security routes mounted before the stats-key middleware on
 * /api/*, so that middleware never sees /api/security requests.
 */
async function dashboard(operations: AbuseOperations, extra: Partial<SecurityRoutesDeps> = {}): Promise<{ url: string; audit: AuditEntry[] }> {
  const audit: AuditEntry[] = [];
  const app = new Hono();
  app.route(
    '/api/security',
    securityRoutes({ operations, securityApiKeys: [SECURITY_KEY], statsApiKeys: [STATS_KEY], audit: (e) => void audit.push(e), ...extra }),
  );
  app.use('/api/*', bearerAuth({ token: [STATS_KEY] }));
  app.get('/api/sites', (c) => c.json({ sites: [] }));
  return { url: (await serve(app)) + '/api/security', audit };
}

async function call(url: string, method = 'GET', key: string | null = SECURITY_KEY, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method, headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers } });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined; // hono/bearer-auth (the stand-in stats auth) answers in plain text
  }
  return { status: res.status, json, text, headers: res.headers };
}

/** Two collectors: A and B both hold SHARED (B saw it last); four flags, two quiet entries. */
async function twoCollectors() {
  const a = newBuffer();
  const b = newBuffer();
  flag(a, ONLY_A); // T0
  a.recordEvent(V6_A, 'example.com', null);
  clock.advance(1);
  flag(a, SHARED); // T0+1
  clock.advance(1);
  flag(b, ONLY_B); // T0+2
  clock.advance(1);
  flag(b, SHARED); // T0+3
  clock.advance(1);
  b.recordEvent(QUIET_B, 'example.com', null);
  const urlA = await serve(collectorAdmin(a));
  const urlB = await serve(collectorAdmin(b));
  return { a, b, urlA, urlB };
}

function expectNoAddress(text: string): void {
  for (const ip of ALL_IPS) expect(text).not.toContain(ip);
}

describe('fan-out over two collectors', () => {
  it('merges flagged pages newest flag first, with each record’s collector and the summed total', async () => {
    const { urlA, urlB } = await twoCollectors();
    const { url, audit } = await dashboard(new RemoteAbuseOperations({ urls: [urlA, urlB], key: SECURITY_KEY }));

    const p1 = await call(`${url}/abuse/flagged?page=1&limit=2`);
    expect(p1.status).toBe(200);
    expect(p1.headers.get('cache-control')).toBe('no-store');
    expect(p1.json.meta).toEqual({ page: 1, limit: 2, total: 4 });
    expect(p1.json.partial).toBeUndefined();
    expect(p1.json.results.map((r: any) => [r.ip, r.collector])).toEqual([
      [SHARED, urlB],
      [ONLY_B, urlB],
    ]);
    expect(p1.json.results[0].flag.flagged_at).toBe(new Date(T0 + 3000).toISOString());

    const p2 = await call(`${url}/abuse/flagged?page=2&limit=2`);
    expect(p2.json.results.map((r: any) => [r.ip, r.collector])).toEqual([
      [SHARED, urlA],
      [ONLY_A, urlA],
    ]);
    const p3 = await call(`${url}/abuse/flagged?page=3&limit=2`);
    expect(p3.json).toEqual({ results: [], meta: { page: 3, limit: 2, total: 4 } });

    const defaults = await call(`${url}/abuse/flagged`);
    expect(defaults.json.meta).toEqual({ page: 1, limit: 50, total: 4 });
    expect(defaults.json.results).toHaveLength(4);

    expect(audit).toHaveLength(4);
    expect(audit[0]).toEqual({ keyId: keyId(SECURITY_KEY), action: 'abuse.flagged', outcome: 'ok', status: 200 });
  });

  it('gets an address held by both collectors: the latest record, held_by and every record', async () => {
    const { urlA, urlB } = await twoCollectors();
    const { url, audit } = await dashboard(new RemoteAbuseOperations({ urls: [urlA, urlB], key: SECURITY_KEY }));

    const r = await call(`${url}/abuse/ips/${SHARED}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.json).toMatchObject({ ip: SHARED, collector: urlB, held_by: [urlA, urlB], last_seen: new Date(T0 + 3000).toISOString() });
    expect(r.json.records.map((x: any) => [x.collector, x.events.total])).toEqual([
      [urlA, 6],
      [urlB, 6],
    ]);

    // Any spelling of an address finds it; the answer and the audit use the canonical one.
    const v6 = await call(`${url}/abuse/ips/2001:0db8:0000:0000::0001`);
    expect(v6.status).toBe(200);
    expect(v6.json).toMatchObject({ ip: V6_A, held_by: [urlA], flag: null });

    const none = await call(`${url}/abuse/ips/192.0.2.99`);
    expect(none.status).toBe(404);
    expect(none.json).toEqual({ error: 'not held' });

    expect(audit.map((e) => [e.action, e.ip, e.outcome, e.status])).toEqual([
      ['abuse.ip.get', SHARED, 'ok', 200],
      ['abuse.ip.get', V6_A, 'ok', 200],
      ['abuse.ip.get', '192.0.2.99', 'not_held', 404],
    ]);
  });

  it('erases an address on every collector that holds it', async () => {
    const { a, b, urlA, urlB } = await twoCollectors();
    const { url, audit } = await dashboard(new RemoteAbuseOperations({ urls: [urlA, urlB], key: SECURITY_KEY }));

    const del = await call(`${url}/abuse/ips/${SHARED}`, 'DELETE');
    expect(del.status).toBe(200);
    expect(del.json).toEqual({ erased: true, erased_by: [urlA, urlB] });
    expect(a.get(SHARED)).toBeUndefined();
    expect(b.get(SHARED)).toBeUndefined();
    expect(a.get(ONLY_A)).toBeDefined();

    expect((await call(`${url}/abuse/ips/${SHARED}`)).status).toBe(404);
    const again = await call(`${url}/abuse/ips/${SHARED}`, 'DELETE');
    expect(again.status).toBe(404);
    expect(again.json).toEqual({ error: 'not held' });

    expect(audit.map((e) => [e.action, e.ip, e.outcome, e.status])).toEqual([
      ['abuse.ip.erase', SHARED, 'erased', 200],
      ['abuse.ip.get', SHARED, 'not_held', 404],
      ['abuse.ip.erase', SHARED, 'not_held', 404],
    ]);
  });

  it('sums the summaries and lists each collector', async () => {
    const { urlA, urlB } = await twoCollectors();
    clock.advance(10);
    const { url } = await dashboard(new RemoteAbuseOperations({ urls: [urlA, urlB], key: SECURITY_KEY }));
    const s = await call(`${url}/abuse/summary`);
    expect(s.status).toBe(200);
    expect(s.json).toMatchObject({
      held: 6,
      flagged: 4,
      max_ips: 2000,
      oldest_entry_age_s: 14, // A's first entry, T0; now T0+14
      ttl_s: 3600,
      max_age_s: 86400,
      evicted_total: 0,
      expired_total: 0,
      erased_total: 0,
      thresholds: { events_10s: 5, events_1m: 0 },
    });
    expect(s.json.memory_bytes).toBeGreaterThan(0);
    expect(s.json.partial).toBeUndefined();
    expect(s.json.collectors.map((c: any) => [c.url, c.ok, c.summary.held])).toEqual([
      [urlA, true, 3],
      [urlB, true, 3],
    ]);
  });

  it('answers from the collectors that answer when one is down (partial), and 502 when none does', async () => {
    const { a, urlA } = await twoCollectors();
    const dead = await deadUrl();
    const { url, audit } = await dashboard(new RemoteAbuseOperations({ urls: [urlA, dead], key: SECURITY_KEY }));

    const flagged = await call(`${url}/abuse/flagged`);
    expect(flagged.status).toBe(200);
    expect(flagged.json.meta.total).toBe(2);
    expect(flagged.json.partial).toBe(true);
    expect(flagged.json.errors).toEqual([{ collector: dead, error: expect.stringMatching(/^unreachable/) }]);

    const summary = await call(`${url}/abuse/summary`);
    expect(summary.status).toBe(200);
    expect(summary.json).toMatchObject({ held: 3, partial: true, errors: [{ collector: dead }] });
    expect(summary.json.collectors.map((c: any) => [c.url, c.ok])).toEqual([
      [urlA, true],
      [dead, false],
    ]);

    const held = await call(`${url}/abuse/ips/${ONLY_A}`);
    expect(held.status).toBe(200);
    expect(held.json).toMatchObject({ ip: ONLY_A, held_by: [urlA], partial: true });

    // Not held by A, and B could not be asked: "not held" would be a guess.
    const unknown = await call(`${url}/abuse/ips/192.0.2.99`);
    expect(unknown.status).toBe(502);
    expect(unknown.json.error).toMatch(/1 of 2 collectors did not answer/);
    expectNoAddress(unknown.text);

    const del = await call(`${url}/abuse/ips/${ONLY_A}`, 'DELETE');
    expect(del.status).toBe(200);
    expect(del.json).toMatchObject({ erased: true, erased_by: [urlA], partial: true });
    expect(a.get(ONLY_A)).toBeUndefined();

    const allDown = await dashboard(new RemoteAbuseOperations({ urls: [dead, await deadUrl()], key: SECURITY_KEY }));
    for (const [path, method] of [
      ['/abuse/flagged', 'GET'],
      ['/abuse/summary', 'GET'],
      [`/abuse/ips/${SHARED}`, 'GET'],
      [`/abuse/ips/${SHARED}`, 'DELETE'],
    ] as const) {
      const r = await call(allDown.url + path, method);
      expect(r.status, `${method} ${path}`).toBe(502);
      expect(r.json.error).toMatch(/no collector answered/);
      expect(r.json.errors).toHaveLength(2);
      expect(r.headers.get('cache-control')).toBe('no-store');
      expectNoAddress(r.text);
    }
    expect(allDown.audit.map((e) => [e.action, e.outcome, e.status])).toEqual([
      ['abuse.flagged', 'collectors_unavailable', 502],
      ['abuse.summary', 'collectors_unavailable', 502],
      ['abuse.ip.get', 'collectors_unavailable', 502],
      ['abuse.ip.erase', 'collectors_unavailable', 502],
    ]);
    expect(audit).toHaveLength(5);
  });

  it('counts a collector that times out, fails or refuses the key as not answering', async () => {
    const { urlA } = await twoCollectors();
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    cleanups.push(() => release());
    const hanging = new Hono().all('*', async (c) => {
      await stuck;
      return c.json({});
    });
    const failing = new Hono().all('*', (c) => c.json({ error: 'boom' }, 500));
    const urls = [urlA, await serve(hanging), await serve(failing)];
    const remote = new RemoteAbuseOperations({ urls, key: SECURITY_KEY, timeoutMs: 300 });
    const page = await remote.flagged(1, 10);
    expect(page.meta.total).toBe(2);
    expect(page.errors).toEqual([
      { collector: urls[1], error: 'timed out after 300 ms' },
      { collector: urls[2], error: 'HTTP 500' },
    ]);

    const wrongKey = new RemoteAbuseOperations({ urls: [urlA], key: 'not-the-security-key-at-all' });
    const err = await wrongKey.summary().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectorsUnavailable);
    expect((err as CollectorsUnavailable).errors).toEqual([{ collector: urlA, error: 'HTTP 401: the collector refused the security key' }]);
  });

  it('refuses pages fan-out cannot reach', async () => {
    const { urlA, urlB } = await twoCollectors();
    const { url } = await dashboard(new RemoteAbuseOperations({ urls: [urlA, urlB], key: SECURITY_KEY }));
    const r = await call(`${url}/abuse/flagged?page=3&limit=500`);
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/page \* limit may be at most 500/);

    // One collector pages for itself, so any page is reachable.
    const single = await dashboard(new RemoteAbuseOperations({ urls: [urlA + '/'], key: SECURITY_KEY }));
    const deep = await call(`${single.url}/abuse/flagged?page=3&limit=500`);
    expect(deep.status).toBe(200);
    expect(deep.json).toEqual({ results: [], meta: { page: 3, limit: 500, total: 2 } });
    const second = await call(`${single.url}/abuse/flagged?page=2&limit=1`);
    expect(second.json.results.map((r: any) => [r.ip, r.collector])).toEqual([[ONLY_A, urlA]]);
  });
});

describe('authentication, validation and audit', () => {
  const routes: Array<[string, string]> = [
    ['GET', '/abuse/flagged'],
    ['GET', '/abuse/summary'],
    ['GET', `/abuse/ips/${SHARED}`],
    ['DELETE', `/abuse/ips/${SHARED}`],
  ];
  const actions = ['abuse.flagged', 'abuse.summary', 'abuse.ip.get', 'abuse.ip.erase'];

  it('takes security keys only: no key 401, a stats key 403, a wrong key 401, a security key 200', async () => {
    const { urlA, urlB } = await twoCollectors();
    const { url, audit } = await dashboard(new RemoteAbuseOperations({ urls: [urlA, urlB], key: SECURITY_KEY }));
    for (const [method, path] of routes) {
      const none = await call(url + path, method, null);
      expect(none.status).toBe(401);
      expect(none.json.error).toMatch(/missing Authorization/);
      expect(none.headers.get('cache-control')).toBe('no-store');
      expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);

      const stats = await call(url + path, method, STATS_KEY);
      expect(stats.status).toBe(403);
      expect(stats.json).toEqual({ error: 'this key may read statistics but not use the security API' });

      const wrong = await call(url + path, method, 'not-a-key-of-any-kind-123');
      expect(wrong.status).toBe(401);
      expect(wrong.json).toEqual({ error: 'invalid security API key' });

      const basic = await call(url + path, method, null, { authorization: 'Basic Zm9vOmJhcg==' });
      expect(basic.status).toBe(401);
      expect(basic.json.error).toMatch(/must be "Bearer/);

      const ok = await call(url + path, method);
      expect(ok.status, `${method} ${path}`).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/application\/json/);
    }
    const refusals = audit.filter((e) => e.status !== 200);
    expect(refusals).toHaveLength(16);
    for (const e of refusals) expect(e.ip).toBeUndefined();
    expect(refusals.slice(0, 4)).toEqual([
      { keyId: 'none', action: 'abuse.flagged', outcome: 'unauthorized', status: 401 },
      { keyId: keyId(STATS_KEY), action: 'abuse.flagged', outcome: 'forbidden', status: 403 },
      { keyId: 'none', action: 'abuse.flagged', outcome: 'unauthorized', status: 401 },
      { keyId: 'none', action: 'abuse.flagged', outcome: 'unauthorized', status: 401 },
    ]);
    // One entry per call, in order, each naming its route's action.
    expect(audit).toHaveLength(20);
    expect(audit.filter((e) => e.status === 200).map((e) => [e.keyId, e.action])).toEqual(actions.map((a) => [keyId(SECURITY_KEY), a]));

    // The stats key still opens the Stats API next door; the security key does not.
    const sites = url.replace('/api/security', '/api/sites');
    expect((await call(sites, 'GET', STATS_KEY)).status).toBe(200);
    expect((await call(sites, 'GET', SECURITY_KEY)).status).toBe(401);
  });

  it('refuses malformed addresses and paging values with 400, never echoing a full address', async () => {
    const buffer = newBuffer();
    flag(buffer, SHARED);
    const { url, audit } = await dashboard(localAbuseOperations(buffer));

    const word = await call(`${url}/abuse/ips/not-an-ip`);
    expect(word.status).toBe(400);
    expect(word.text).toBe('{"error":"\\"not-an-ip\\" is not an IP address"}');
    expect(word.headers.get('cache-control')).toBe('no-store');

    for (const bad of ['198.51.100.9:80', '198.51.100.9%2F24', '2001:db8::1%2F64', '198.51.100.999', 'fe80::1%25eth0']) {
      for (const method of ['GET', 'DELETE']) {
        const r = await call(`${url}/abuse/ips/${bad}`, method);
        expect(r.status, `${method} ${bad}`).toBe(400);
        expect(r.json).toEqual({ error: 'the address in the path is not an IP address' });
      }
    }
    expect(buffer.get(SHARED)).toBeDefined();

    for (const [query, name] of [
      ['page=0', 'page'],
      ['page=x', 'page'],
      ['limit=501', 'limit'],
      ['limit=-1', 'limit'],
      ['limit=1.5', 'limit'],
    ]) {
      const r = await call(`${url}/abuse/flagged?${query}`);
      expect(r.status, query).toBe(400);
      expect(r.json.error).toMatch(new RegExp(`^${name} must be a whole number`));
    }
    expect((await call(`${url}/abuse/flagged?limit=500&page=2`)).status).toBe(200);

    const bad = audit.filter((e) => e.status === 400);
    expect(bad).toHaveLength(1 + 10 + 5);
    for (const e of bad) expect(e).toEqual({ keyId: keyId(SECURITY_KEY), action: e.action, outcome: 'bad_request', status: 400 });
    expect(bad.map((e) => e.action).slice(0, 3)).toEqual(['abuse.ip.get', 'abuse.ip.get', 'abuse.ip.erase']);
  });

  it('answers 503 and does nothing when the audit log fails', async () => {
    const { a, b, urlA, urlB } = await twoCollectors();
    for (const audit of [
      () => {
        throw new Error('ClickHouse is down');
      },
      () => Promise.reject(new Error('ClickHouse is down')),
    ]) {
      const logs: string[] = [];
      const { url } = await dashboard(new RemoteAbuseOperations({ urls: [urlA, urlB], key: SECURITY_KEY }), { audit, log: (l) => logs.push(l) });
      for (const [method, path] of routes) {
        const r = await call(url + path, method);
        expect(r.status, `${method} ${path}`).toBe(503);
        expect(r.json).toEqual({ error: 'audit log unavailable; the call was not carried out' });
        expect(r.headers.get('cache-control')).toBe('no-store');
        expectNoAddress(r.text);
      }
      expect(a.get(SHARED)).toBeDefined();
      expect(b.get(SHARED)).toBeDefined();
      // Refusals stay refusals: nothing was going to be done.
      expect((await call(`${url}/abuse/summary`, 'GET', null)).status).toBe(401);
      expect(logs.length).toBeGreaterThan(0);
      for (const line of logs) expectNoAddress(line);
    }
  });
});

describe('embedded mode', () => {
  it('serves the buffer in this process through localAbuseOperations', async () => {
    const buffer = newBuffer();
    flag(buffer, '203.0.113.7');
    clock.advance(2);
    flag(buffer, V6_A);
    buffer.recordEvent(QUIET_B, 'example.com', null);
    const { url, audit } = await dashboard(localAbuseOperations(buffer));

    const flagged = await call(`${url}/abuse/flagged?limit=1`);
    expect(flagged.json).toMatchObject({ results: [{ ip: V6_A }], meta: { page: 1, limit: 1, total: 2 } });
    expect(flagged.json.results[0].collector).toBeUndefined();

    // An IPv4-mapped IPv6 spelling names the IPv4 address.
    const got = await call(`${url}/abuse/ips/::ffff:203.0.113.7`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ ip: '203.0.113.7', events: { total: 6 }, flag: { rule: 'events_10s' } });

    const summary = await call(`${url}/abuse/summary`);
    expect(summary.json).toMatchObject({ held: 3, flagged: 2, max_ips: 1000 });
    expect(summary.json.collectors).toBeUndefined();

    const del = await call(`${url}/abuse/ips/203.0.113.7`, 'DELETE');
    expect(del.status).toBe(200);
    expect(del.json).toEqual({ erased: true });
    expect(buffer.get('203.0.113.7')).toBeUndefined();
    expect(buffer.summary().erased_total).toBe(1);
    expect((await call(`${url}/abuse/ips/203.0.113.7`, 'DELETE')).status).toBe(404);

    expect(audit.map((e) => [e.action, e.ip, e.outcome, e.status])).toEqual([
      ['abuse.flagged', undefined, 'ok', 200],
      ['abuse.ip.get', '203.0.113.7', 'ok', 200],
      ['abuse.summary', undefined, 'ok', 200],
      ['abuse.ip.erase', '203.0.113.7', 'erased', 200],
      ['abuse.ip.erase', '203.0.113.7', 'not_held', 404],
    ]);
  });

  it('localAbuseOperations treats text that is not an address as not held', () => {
    const buffer = newBuffer();
    buffer.recordEvent('203.0.113.7', 'example.com', null);
    const ops = localAbuseOperations(buffer);
    expect(ops.get('203.0.113.7x')).toBeUndefined();
    expect(ops.erase('nonsense')).toBe(false);
    expect(ops.get('::ffff:cb00:7107')).toMatchObject({ ip: '203.0.113.7' });
  });
});

describe('helpers', () => {
  it('keyId is a short stable hash of the key', () => {
    expect(keyId(SECURITY_KEY)).toMatch(/^key-[0-9a-f]{8}$/);
    expect(keyId(SECURITY_KEY)).toBe(keyId(SECURITY_KEY));
    expect(keyId(SECURITY_KEY)).not.toBe(keyId(STATS_KEY));
  });

  it('collectorAdminUrls reads COLLECTOR_ADMIN_URLS', () => {
    expect(collectorAdminUrls({})).toEqual([]);
    expect(collectorAdminUrls({ COLLECTOR_ADMIN_URLS: 'http://10.0.0.5:8002/, https://c2.internal:8443/admin-base/' })).toEqual([
      'http://10.0.0.5:8002',
      'https://c2.internal:8443/admin-base',
    ]);
    expect(() => collectorAdminUrls({ COLLECTOR_ADMIN_URLS: 'ftp://x' })).toThrow(/COLLECTOR_ADMIN_URLS/);
    expect(() => collectorAdminUrls({ COLLECTOR_ADMIN_URLS: 'http://user:secret@x:1' })).toThrow(/^(?!.*secret)/);
  });
});
