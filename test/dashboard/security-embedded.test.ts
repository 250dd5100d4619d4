// Issue 3, section 3: in embedded mode the dashboard server offers the security API over the
// collector's buffer in the same process, behind the security key, audited as via=dashboard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows, pageview, SECURITY_KEY, securityFetch, startTestTelmark, STATS_KEY, type TestTelmark } from '../helpers/telmark.ts';

const ABUSER = '198.51.100.66';
let t: TestTelmark;

beforeAll(async () => {
  t = await startTestTelmark({ ABUSE_LIMIT_EVENTS_10S: '3' });
  for (let i = 0; i < 5; i++) await t.beacon(pageview('https://example.com/'), { 'x-forwarded-for': ABUSER });
  await t.beacon(pageview('https://example.com/'), { 'x-forwarded-for': '203.0.113.9' });
}, 60_000);
afterAll(async () => t?.destroy());

const call = (path: string, key: string | null, method = 'GET') => securityFetch(t, path, { method, key });

describe('dashboard /api/security (embedded: the buffer in this process)', () => {
  it('answers with the same records the collector holds, to security keys only', async () => {
    const flagged = await call('/abuse/flagged', SECURITY_KEY);
    expect(flagged.status).toBe(200);
    const page = await flagged.json();
    expect(page.meta.total).toBe(1);
    expect(page.results[0]).toMatchObject({ ip: ABUSER, flag: { rule: 'events_10s' }, events: { total: 5 } });
    expect(flagged.headers.get('cache-control')).toBe('no-store');

    const one = await call(`/abuse/ips/${ABUSER}`, SECURITY_KEY);
    expect(await one.json()).toEqual(await (await t.admin(`/admin/abuse/ips/${ABUSER}`)).json());
    expect((await (await call('/abuse/summary', SECURITY_KEY)).json())).toMatchObject({ held: 2, flagged: 1 });

    for (const path of ['/abuse/flagged', `/abuse/ips/${ABUSER}`, '/abuse/summary']) {
      expect((await call(path, null)).status, path).toBe(401);
      expect((await call(path, 'wrong-key-0123456789')).status, path).toBe(401);
      expect((await call(path, STATS_KEY)).status, path).toBe(403);
    }
    // The stats key still reads statistics next door.
    expect((await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day' })).status).toBe(200);
  });

  it('erases through the dashboard, and audits every call as via=dashboard without the full address', async () => {
    expect((await call('/abuse/ips/203.0.113.9', SECURITY_KEY, 'DELETE')).status).toBe(200);
    expect((await t.admin('/admin/abuse/ips/203.0.113.9')).status).toBe(404);
    const rows = (await auditRows(t)).filter((r) => r.via === 'dashboard');
    expect(rows.some((r) => r.action === 'abuse.ip.erase' && r.outcome === 'erased' && r.ip_truncated === '203.0.113.0')).toBe(true);
    expect(rows.filter((r) => r.status === 403).length).toBeGreaterThanOrEqual(3);
    for (const r of rows) expect(JSON.stringify(r)).not.toMatch(/198\.51\.100\.66|203\.0\.113\.9\b/);
  });
});
