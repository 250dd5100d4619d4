// Data-subject requests on the public collector: a visitor sees what is held about their own
// address and erases it, unless it is flagged for abuse. Real HTTP, real embedded ClickHouse.
// Every group of calls below comes from its own /24 (or /48): the rate limit counts per network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows, beaconsFrom, privacyMe, startTestTelmark, type AuditRow, type TestTelmark } from '../helpers/telmark.ts';

let t: TestTelmark;

const me = (ip: string, method = 'GET', headers: Record<string, string> = {}) => privacyMe(t.collectorUrl, ip, method, headers);

const beacons = (ip: string, n: number) => beaconsFrom(t, ip, n);

beforeAll(async () => {
  t = await startTestTelmark({ ABUSE_LIMIT_EVENTS_10S: '3', AUDIT_RETENTION_DAYS: '90' });
});
afterAll(async () => {
  await t?.destroy();
});

describe('GET /api/privacy/me', () => {
  it('nothing held: says so, with the plain-words statement, and creates no record', async () => {
    const res = await me('203.0.113.10');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const body = await res.json();
    expect(body.held).toBe(false);
    expect(body.record).toBeUndefined();
    expect(body.message).toMatch(/holds nothing about your IP address/);
    expect(body.statement.aggregates).toMatch(/only as counts/);
    expect(body.statement.aggregates).toMatch(/no IP address, no user agent, no cookie/);
    expect(body.statement.aggregates).toMatch(/salted per day/);
    expect(body.statement.aggregates).toMatch(/per country \(looked up from the full IP address .*only the two-letter country code is kept\)/);
    expect(body.statement.retention).toEqual({
      abuse_entry: expect.stringMatching(/1 hour after its last request, never more than 1 day after its first/),
      aggregates_daily: 'daily counts: 25 months',
      aggregates_hourly: 'hourly counts and visitor sketches: 14 days',
      aggregates_minute: 'minute counts and visitor sketches: 48 hours',
      audit_log: expect.stringMatching(/^90 days: .*IPv4 to \/24, IPv6 to \/48.*keyed hash.*never the address itself/),
    });
    // Looking yourself up did not put you in the buffer.
    expect((await t.admin('/admin/abuse/ips/203.0.113.10')).status).toBe(404);
    expect(t.collector.abuse?.get('203.0.113.10')).toBeUndefined();
  });

  it('after a beacon: the record of the requester’s own address', async () => {
    expect(await beacons('203.0.113.20', 1)).toEqual([202]);
    const body = await (await me('203.0.113.20')).json();
    expect(body.held).toBe(true);
    expect(body.record).toMatchObject({ ip: '203.0.113.20', sites: ['example.com'], events: { total: 1 }, flag: null });
    expect(body.message).toMatch(/DELETE \/api\/privacy\/me erases it now/);
    // Someone else's lookup (another address, even in the same /24) sees nothing of it.
    const other = await (await me('203.0.113.21')).json();
    expect(other.held).toBe(false);
    // IPv6, written differently in the header: the same record.
    expect(await beacons('2001:db8:77::1', 1)).toEqual([202]);
    const v6 = await (await me('2001:0db8:0077:0000:0000:0000:0000:0001')).json();
    expect(v6.record.ip).toBe('2001:db8:77::1');
  });
});

describe('DELETE /api/privacy/me', () => {
  it('erases what is held; a second DELETE finds nothing', async () => {
    expect(await beacons('198.51.100.30', 1)).toEqual([202]);
    const res = await me('198.51.100.30', 'DELETE');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ erased: true });
    expect(t.collector.abuse?.get('198.51.100.30')).toBeUndefined();
    expect((await (await me('198.51.100.30')).json()).held).toBe(false);
    const again = await me('198.51.100.30', 'DELETE');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ erased: false, message: 'nothing held' });
  });

  it('a flagged address is kept: 409 with the reason and when it ends', async () => {
    expect(await beacons('192.0.2.40', 5)).toContain(429);
    const res = await me('192.0.2.40', 'DELETE');
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error).toMatch(/flagged for abuse.*security/);
    expect(body.reason).toMatch(/events in 10 seconds \(limit 3, ABUSE_LIMIT_EVENTS_10S\)/);
    expect(Date.parse(body.expires_at)).toBeGreaterThan(t.clock.ms);
    expect(t.collector.abuse?.get('192.0.2.40')?.flag?.rule).toBe('events_10s');
    // The flagged visitor can still see what is held.
    const seen = await (await me('192.0.2.40')).json();
    expect(seen).toMatchObject({ held: true, record: { ip: '192.0.2.40', flag: { rule: 'events_10s' } } });
  });

  it('no CORS: a page on another origin can neither read the answer nor pass the DELETE preflight', async () => {
    expect(await beacons('192.0.2.200', 1)).toEqual([202]);
    const preflight = await fetch(`${t.collectorUrl}/api/privacy/me`, {
      method: 'OPTIONS',
      headers: { origin: 'https://other.example', 'access-control-request-method': 'DELETE', 'x-forwarded-for': '192.0.2.200' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-methods')).toBeNull();
    const read = await me('192.0.2.200', 'GET', { origin: 'https://other.example' });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    expect(t.collector.abuse?.get('192.0.2.200')).toBeDefined();
  });

  it('an address close to a limit is kept too (erasing would reset its counts): 409 with the rule', async () => {
    // Limit 3 in 10 s: two events are past half of it.
    expect(await beacons('100.64.9.9', 2)).toEqual([202, 202]);
    const res = await me('100.64.9.9', 'DELETE');
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body).toMatchObject({ rule: 'events_10s', reason: '2 events in 10 seconds (limit 3, ABUSE_LIMIT_EVENTS_10S)' });
    expect(body.error).toMatch(/close to the abuse limits/);
    t.clock.advance(20);
    expect((await me('100.64.9.9', 'DELETE')).status).toBe(200);
    expect(t.collector.abuse?.get('100.64.9.9')).toBeUndefined();
  });

  it('an audit log that cannot be written stops the erase (503)', async () => {
    expect(await beacons('100.64.5.5', 1)).toEqual([202]);
    await t.store.client.command({ query: 'RENAME TABLE telmark.audit_log TO telmark.audit_log_away' });
    try {
      const res = await me('100.64.5.5', 'DELETE');
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatch(/audit log.*nothing was done/);
      expect(t.collector.abuse?.get('100.64.5.5')).toBeDefined();
      expect((await me('100.64.5.5')).status).toBe(503);
    } finally {
      await t.store.client.command({ query: 'RENAME TABLE telmark.audit_log_away TO telmark.audit_log' });
    }
    expect(t.logs.some((l) => l.startsWith('privacy api: audit log write failed'))).toBe(true);
    expect(t.logs.some((l) => l.includes('100.64.5.5'))).toBe(false);
    expect(await (await me('100.64.5.5', 'DELETE')).json()).toEqual({ erased: true });
  });
});

describe('rate limit', () => {
  it(`PRIVACY_REQUESTS_PER_MIN (10) per /24, then 429 with Retry-After until the minute ends`, async () => {
    for (let i = 0; i < 10; i++) expect((await me('198.18.0.1', i % 2 ? 'DELETE' : 'GET')).status).toBe(200);
    const refused = await me('198.18.0.1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect((await refused.json()).error).toMatch(/too many privacy requests from this network; retry after 60 s/);
    // Another address in the same /24 shares the limit; another network does not.
    expect((await me('198.18.0.77', 'DELETE')).status).toBe(429);
    expect((await me('198.18.1.1')).status).toBe(200);
    t.clock.advance(30);
    expect((await me('198.18.0.1')).headers.get('retry-after')).toBe('30');
    t.clock.advance(30);
    expect((await me('198.18.0.1')).status).toBe(200);
  });
});

describe('audit', () => {
  it('every answered call is audited as the visitor, with the truncated address and a keyed hash only', async () => {
    const rows = (await auditRows(t)).filter((r) => r.via === 'privacy-api');
    expect(rows.every((r) => r.key_id === 'visitor')).toBe(true);
    const has = (want: Partial<AuditRow>) => rows.some((r) => Object.entries(want).every(([k, v]) => r[k as keyof AuditRow] === v));
    expect(has({ action: 'privacy.me.get', outcome: 'not-held', status: 200, ip_truncated: '203.0.113.0' })).toBe(true);
    expect(has({ action: 'privacy.me.get', outcome: 'held', status: 200, ip_truncated: '203.0.113.0' })).toBe(true);
    expect(has({ action: 'privacy.me.get', outcome: 'held', status: 200, ip_truncated: '2001:db8:77::' })).toBe(true);
    expect(has({ action: 'privacy.me.erase', outcome: 'erased', status: 200, ip_truncated: '198.51.100.0' })).toBe(true);
    expect(has({ action: 'privacy.me.erase', outcome: 'not-held', status: 200, ip_truncated: '198.51.100.0' })).toBe(true);
    expect(has({ action: 'privacy.me.erase', outcome: 'refused-flagged', status: 409, ip_truncated: '192.0.2.0' })).toBe(true);
    // Calls refused by the rate limit write nothing: 10 + 1 + 1 answered from 198.18.0.0/24 and 198.18.1.0/24.
    expect(rows.filter((r) => r.ip_truncated === '198.18.0.0')).toHaveLength(11);
    // One address, one hash; another address in the same /24, another hash.
    const hashes = (truncated: string) => new Set(rows.filter((r) => r.ip_truncated === truncated).map((r) => r.ip_hash));
    expect(hashes('198.51.100.0').size).toBe(1);
    expect(hashes('203.0.113.0').size).toBe(3); // .10, .20 and .21
    for (const r of rows) expect(r.ip_hash).toMatch(/^[0-9a-f]{32}$/);
    const all = JSON.stringify(await auditRows(t));
    for (const ip of ['203.0.113.10', '203.0.113.20', '203.0.113.21', '2001:db8:77::1', '198.51.100.30', '192.0.2.40', '100.64.5.5', '198.18.0.1', '198.18.0.77']) {
      expect(all).not.toContain(ip);
    }
  });
});
