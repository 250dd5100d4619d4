// The collector's admin listener: the security API over the abuse buffer (full IPs), on loopback,
// behind security keys, every call audited in ClickHouse without ever storing a full address.
// Real HTTP against a real telmark on embedded ClickHouse.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyId } from '../../collector/abuse/api/key-id.ts';
import { auditRows, beaconsFrom, cellsAsText, pageview, SECURITY_KEY, startTestTelmark, STATS_KEY, type AuditRow, type TestTelmark } from '../helpers/telmark.ts';

// Three addresses get flagged (in this order, a second apart), one is merely held.
const A = '203.0.113.7';
const B = '198.51.100.23';
const C = '2001:db8:5::9';
const C_LONG = '2001:0db8:0005:0000:0000:0000:0000:0009';
const HELD = '192.0.2.55';
const NOT_HELD = '192.0.2.99';
const FULL_IPS = [A, B, C, C_LONG, HELD, NOT_HELD];

let t: TestTelmark;

/** Enough beacons from `ip` to pass ABUSE_LIMIT_EVENTS_10S=3. */
async function flag(ip: string): Promise<void> {
  const statuses = await beaconsFrom(t, ip, 5);
  expect(statuses).toContain(429);
}

describe('the collector admin listener', () => {
  // Each describe has its own instance and closes it: chDB opens one data directory per process.
  beforeAll(async () => {
    t = await startTestTelmark({ ABUSE_LIMIT_EVENTS_10S: '3' });
    await flag(A);
    t.clock.advance(1);
    await flag(B);
    t.clock.advance(1);
    await flag(C);
    t.clock.advance(1);
    expect((await t.beacon(pageview('https://example.com/'), { 'x-forwarded-for': HELD })).status).toBe(202);
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it('listens on loopback, apart from the public collector', async () => {
    expect(new URL(t.adminUrl).hostname).toBe('127.0.0.1');
    expect(t.adminUrl).not.toBe(t.collectorUrl);
    // Bound to 127.0.0.1 itself, not to every address: the same port on 127.0.0.2 (also this
    // machine on Linux, where a 0.0.0.0 listener would answer) and on any external address refuses.
    const port = new URL(t.adminUrl).port;
    const others = ['127.0.0.2', ...Object.values(networkInterfaces()).flat().filter((i) => i && i.family === 'IPv4' && !i.internal).map((i) => i!.address)];
    for (const addr of others) await expect(fetch(`http://${addr}:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }), addr).rejects.toThrow();
    // The check means something: a listener on 0.0.0.0 does answer on 127.0.0.2.
    const open = createServer((_, res) => res.end('ok'));
    await new Promise<void>((done) => open.listen(0, '0.0.0.0', done));
    expect((await fetch(`http://127.0.0.2:${(open.address() as AddressInfo).port}/`)).status).toBe(200);
    await new Promise((done) => open.close(done));
    const health = await t.admin('/healthz', { key: null });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    // The public collector has no admin routes.
    expect((await fetch(`${t.collectorUrl}/admin/abuse/summary`, { headers: { authorization: `Bearer ${SECURITY_KEY}` } })).status).toBe(404);
    const missing = await t.admin('/admin/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/application\/json/);
    expect((await missing.json()).error).toBeTruthy();
  });

  it('every route: no key 401, wrong key 401, stats key 403, security key answers', async () => {
    const routes: Array<[string, string, number]> = [
      ['GET', '/admin/abuse/flagged', 200],
      ['GET', `/admin/abuse/ips/${HELD}`, 200],
      ['DELETE', `/admin/abuse/ips/${NOT_HELD}`, 404],
      ['GET', '/admin/abuse/summary', 200],
    ];
    for (const [method, path, ok] of routes) {
      const cases: Array<[string | null, number]> = [
        [null, 401],
        ['wrong-key-0123456789abcdef', 401],
        [STATS_KEY, 403],
        [SECURITY_KEY, ok],
      ];
      for (const [key, status] of cases) {
        const res = await t.admin(path, { method, key });
        expect(res.status, `${method} ${path} with ${key ?? 'no key'}`).toBe(status);
        expect(res.headers.get('content-type')).toMatch(/application\/json/);
        expect(res.headers.get('cache-control')).toBe('no-store');
        const body = await res.json();
        if (status >= 400) expect(typeof body.error).toBe('string');
        // A refusal never shows what is held.
        if (status === 401 || status === 403) expect(JSON.stringify(body)).not.toContain(HELD);
      }
    }
    // A Basic header or garbage is not a key either.
    expect((await t.admin('/admin/abuse/summary', { key: null, headers: { authorization: `Basic ${SECURITY_KEY}` } })).status).toBe(401);
  });

  it('lists flagged addresses newest first, a page at a time', async () => {
    const first = await (await t.admin('/admin/abuse/flagged?page=1&limit=2')).json();
    expect(first.meta).toEqual({ page: 1, limit: 2, total: 3 });
    expect(first.results.map((r: { ip: string }) => r.ip)).toEqual([C, B]);
    const second = await (await t.admin('/admin/abuse/flagged?page=2&limit=2')).json();
    expect(second.meta).toEqual({ page: 2, limit: 2, total: 3 });
    expect(second.results.map((r: { ip: string }) => r.ip)).toEqual([A]);
    expect((await t.admin('/admin/abuse/flagged?limit=0')).status).toBe(400);
  });

  it('shows the full record of an address, in any spelling', async () => {
    const res = await t.admin(`/admin/abuse/ips/${A}`);
    expect(res.status).toBe(200);
    const record = await res.json();
    expect(record).toMatchObject({ ip: A, sites: ['example.com'], flag: { rule: 'events_10s' } });
    expect(record.events.total).toBeGreaterThanOrEqual(4);
    expect(record.flag.reason).toMatch(/events in 10 seconds \(limit 3, ABUSE_LIMIT_EVENTS_10S\)/);
    expect(Date.parse(record.expires_at)).toBeGreaterThan(t.clock.ms);
    const v6 = await (await t.admin(`/admin/abuse/ips/${C_LONG}`)).json();
    expect(v6.ip).toBe(C);
    const held = await (await t.admin(`/admin/abuse/ips/${HELD}`)).json();
    expect(held).toMatchObject({ ip: HELD, flag: null, events: { total: 1 } });
  });

  it('404 "not held" for an address it does not hold; 400 for text that is not an address', async () => {
    const res = await t.admin(`/admin/abuse/ips/${NOT_HELD}`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'not held' });
    for (const bad of ['not-an-ip', '999.1.1.1', '203.0.113.7:80']) {
      for (const method of ['GET', 'DELETE']) {
        const r = await t.admin(`/admin/abuse/ips/${encodeURIComponent(bad)}`, { method });
        expect(r.status, `${method} ${bad}`).toBe(400);
        const body = await r.json();
        expect(typeof body.error).toBe('string');
        expect(body.error).not.toContain('203.0.113.7');
      }
    }
  });

  it('summary counts; DELETE erases (then 404)', async () => {
    const before = await (await t.admin('/admin/abuse/summary')).json();
    expect(before).toMatchObject({ held: 4, flagged: 3, max_ips: 200_000, erased_total: 0, thresholds: { events_10s: 3 } });
    const del = await t.admin(`/admin/abuse/ips/${HELD}`, { method: 'DELETE' });
    expect(del.status).toBe(200);
    expect(await del.json()).toMatchObject({ erased: true });
    expect((await t.admin(`/admin/abuse/ips/${HELD}`)).status).toBe(404);
    expect((await t.admin(`/admin/abuse/ips/${HELD}`, { method: 'DELETE' })).status).toBe(404);
    const after = await (await t.admin('/admin/abuse/summary')).json();
    expect(after).toMatchObject({ held: 3, flagged: 3, erased_total: 1 });
    expect(t.collector.abuse?.get(HELD)).toBeUndefined();
  });

  it('audits every call in ClickHouse, with the truncated address and a keyed hash, never the full address', async () => {
    // Two lookups of one address (two spellings) and one of another, for the hash comparisons.
    await t.admin(`/admin/abuse/ips/${C}`);
    await t.admin(`/admin/abuse/ips/${C_LONG}`);
    const rows = await auditRows(t);
    expect(rows.every((r) => r.via === 'collector-admin')).toBe(true);
    const has = (want: Partial<AuditRow>) => rows.some((r) => Object.entries(want).every(([k, v]) => r[k as keyof AuditRow] === v));
    const security = keyId(SECURITY_KEY);
    for (const action of ['abuse.flagged', 'abuse.ip.get', 'abuse.ip.erase', 'abuse.summary']) {
      expect(has({ action, key_id: 'none', outcome: 'unauthorized', status: 401 }), `${action} 401`).toBe(true);
      expect(has({ action, key_id: keyId(STATS_KEY), outcome: 'forbidden', status: 403 }), `${action} 403`).toBe(true);
      expect(has({ action, key_id: security, status: action === 'abuse.ip.erase' ? 404 : 200 }), `${action} with the security key`).toBe(true);
    }
    expect(has({ action: 'abuse.ip.get', key_id: security, outcome: 'ok', status: 200, ip_truncated: '203.0.113.0' })).toBe(true);
    expect(has({ action: 'abuse.ip.get', key_id: security, outcome: 'not_held', status: 404, ip_truncated: '192.0.2.0' })).toBe(true);
    expect(has({ action: 'abuse.ip.get', key_id: security, outcome: 'bad_request', status: 400, ip_truncated: '', ip_hash: '' })).toBe(true);
    expect(has({ action: 'abuse.ip.erase', key_id: security, outcome: 'erased', status: 200, ip_truncated: '192.0.2.0' })).toBe(true);
    expect(has({ action: 'abuse.ip.erase', key_id: security, outcome: 'bad_request', status: 400 })).toBe(true);
    // Refusals carry no address: an unauthenticated caller cannot write addresses into the log.
    expect(rows.filter((r) => r.status === 401 || r.status === 403).every((r) => r.ip_truncated === '' && r.ip_hash === '')).toBe(true);

    const lookups = (truncated: string) => rows.filter((r) => r.action === 'abuse.ip.get' && r.ip_truncated === truncated && r.status === 200);
    const v6 = lookups('2001:db8:5::');
    expect(v6.length).toBeGreaterThanOrEqual(3);
    expect(new Set(v6.map((r) => r.ip_hash)).size).toBe(1);
    expect(v6[0]!.ip_hash).toMatch(/^[0-9a-f]{32}$/);
    const v4 = lookups('203.0.113.0');
    expect(v4[0]!.ip_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(v4[0]!.ip_hash).not.toBe(v6[0]!.ip_hash);
    // HELD was looked up while held (200) and after its erase (404); NOT_HELD only ever 404. Rows
    // written in one instant of the test clock come back in no particular order, so compare sets:
    // same /24, two addresses, two hashes, and HELD's hash is the same before and after the erase.
    const gets = rows.filter((r) => r.ip_truncated === '192.0.2.0' && r.action === 'abuse.ip.get' && r.key_id === security);
    const heldHash = gets.find((r) => r.status === 200)!.ip_hash;
    const notHeldHashes = new Set(gets.filter((r) => r.outcome === 'not_held').map((r) => r.ip_hash));
    expect(new Set(gets.map((r) => r.ip_hash)).size).toBe(2);
    expect(notHeldHashes.size).toBe(2);
    expect(notHeldHashes.has(heldHash)).toBe(true);

    // Every column, as text: no full address anywhere in the table.
    const { columns, rows: cells } = await cellsAsText(t.store, t.store.db, 'audit_log');
    expect(columns).toHaveLength(11);
    const text = cells.map((row) => row.join('|'));
    expect(text.length).toBe(rows.length);
    for (const row of text) for (const ip of FULL_IPS) expect(row).not.toContain(ip);
  });

  it('an audit log that cannot be written stops the call (503): nothing is shown or erased', async () => {
    await t.store.client.command({ query: 'RENAME TABLE telmark.audit_log TO telmark.audit_log_away' });
    try {
      const del = await t.admin(`/admin/abuse/ips/${A}`, { method: 'DELETE' });
      expect(del.status).toBe(503);
      expect(JSON.stringify(await del.json())).not.toContain(A);
      const get = await t.admin(`/admin/abuse/ips/${A}`);
      expect(get.status).toBe(503);
      expect(JSON.stringify(await get.json())).not.toContain(A);
    } finally {
      await t.store.client.command({ query: 'RENAME TABLE telmark.audit_log_away TO telmark.audit_log' });
    }
    expect(t.collector.abuse?.get(A)?.ip).toBe(A);
    expect(t.logs.some((l) => l.includes(A))).toBe(false);
  });
});

describe('with the abuse buffer off (ABUSE_MAX_IPS=0)', () => {
  let off: TestTelmark;
  beforeAll(async () => {
    off = await startTestTelmark({ ABUSE_MAX_IPS: '0' });
  });
  afterAll(async () => {
    await off?.destroy();
  });

  it('still answers: an empty buffer, every address not held', async () => {
    expect((await off.beacon(pageview('https://example.com/'), { 'x-forwarded-for': A })).status).toBe(202);
    const summary = await off.admin('/admin/abuse/summary');
    expect(summary.status).toBe(200);
    expect(await summary.json()).toMatchObject({ held: 0, flagged: 0, max_ips: 0 });
    expect((await off.admin(`/admin/abuse/ips/${A}`)).status).toBe(404);
    expect((await off.admin(`/admin/abuse/ips/${A}`, { method: 'DELETE' })).status).toBe(404);
    expect(await (await off.admin('/admin/abuse/flagged')).json()).toMatchObject({ results: [], meta: { total: 0 } });
    expect((await off.admin('/admin/abuse/summary', { key: STATS_KEY })).status).toBe(403);
  });
});
