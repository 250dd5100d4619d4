// Realtime (issue 10, section 5): current visitors (the last 5 minutes) and the last 30 minutes by
// minute, on a controllable clock started near real time (minute cubes keep 48 hours). Visits 3 and
// 8 minutes ago: current visitors counts only the first; the minute series has both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realtimeMinutes } from '../../dashboard/server/stats/date-range.ts';
import { freshnessDelayS } from '../../dashboard/server/stats/realtime.ts';
import { createUser, signIn } from '../helpers/accounts.ts';
import { pageview, SECURITY_KEY, startTestTelmark, STATS_KEY, type TestTelmark } from '../helpers/telmark.ts';

let t: TestTelmark;
/** The whole minute the test starts in (UTC). */
const START = Math.floor(Date.now() / 60_000) * 60_000;
const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ':00';

async function view(path: string, ip: string, referrer?: string) {
  const res = await t.beacon(pageview(`https://example.com${path}`, referrer), { 'x-forwarded-for': ip });
  expect(res.status).toBe(202);
}

const current = (key: string | null = STATS_KEY, site = 'example.com') =>
  fetch(`${t.dashboardUrl}/api/v1/stats/realtime/visitors?site_id=${encodeURIComponent(site)}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

beforeAll(async () => {
  // The abuse hold and a 10 s flush interval on, so /api/sites has a delay to say.
  t = await startTestTelmark({ SITES: 'example.com,other.example', ABUSE_HOLD_MS: '10000', FLUSH_INTERVAL_MS: '10000' }, START + 10_000);
  // 8 minutes before the reading: one visitor from Google.
  await view('/old', '203.0.113.8', 'https://www.google.com/');
  // 3 minutes before: another visitor, two pages in the same minute.
  t.clock.advance(5 * 60);
  await view('/new', '198.51.100.3');
  await view('/new/more', '198.51.100.3');
  t.clock.advance(3 * 60);
  await t.flush();
});

afterAll(async () => {
  await t?.destroy();
});

describe('current visitors: GET /api/v1/stats/realtime/visitors', () => {
  it('answers a bare number: the visitors of the last 5 minutes only', async () => {
    const res = await current();
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('1');
  });

  it('moves with the clock and with new beacons', async () => {
    await view('/now', '192.0.2.77');
    await t.flush();
    expect(await (await current()).json()).toBe(2);
    t.clock.advance(4 * 60); // the visit 3 (now 7) minutes ago leaves the window; the new one (4) stays
    expect(await (await current()).json()).toBe(1);
    t.clock.advance(-4 * 60);
  });

  it('401 without credentials, 403 for a key or a role without stats:read, 404 for a site outside the caller\'s, 400 without site_id', async () => {
    const anonymous = await current(null);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: 'not signed in' });
    const securityKey = await current(SECURITY_KEY);
    expect(securityKey.status).toBe(403);
    expect((await securityKey.json()).error).toMatch(/statistics|stats:read/);

    await createUser(t, 'sec@example.com', ['security']);
    const security = await signIn(t, 'sec@example.com', { now: t.clock.now });
    const refused = await security.client.get('/api/v1/stats/realtime/visitors?site_id=example.com');
    expect(refused.status).toBe(403);
    expect(refused.json).toEqual({ error: 'your roles do not allow this (needs stats:read)' });

    await createUser(t, 'viewer@example.com', ['viewer'], { sites: ['other.example'] });
    const viewer = await signIn(t, 'viewer@example.com');
    const own = await viewer.client.get('/api/v1/stats/realtime/visitors?site_id=other.example');
    expect(own.status).toBe(200);
    expect(own.json).toBe(0);
    const foreign = await viewer.client.get('/api/v1/stats/realtime/visitors?site_id=example.com');
    expect(foreign.status).toBe(404);
    expect(foreign.json.error).toMatch(/no site "example.com" among yours/);
    const missing = await viewer.client.get('/api/v1/stats/realtime/visitors');
    expect(missing.status).toBe(400);
    expect(missing.json.error).toMatch(/^site_id: /);
  });
});

describe('the last 30 minutes by minute (Stats API date_range "realtime")', () => {
  it('exact visitors and pageviews per minute, and the window\'s first and last minute', async () => {
    const { status, json } = await t.query({ site_id: 'example.com', metrics: ['visitors', 'pageviews'], date_range: 'realtime', dimensions: ['time:minute'] });
    expect(status).toBe(200);
    expect(json.results).toEqual([
      { dimensions: [minute(START)], metrics: [1, 1] },
      { dimensions: [minute(START + 5 * 60_000)], metrics: [1, 2] },
      { dimensions: [minute(START + 8 * 60_000)], metrics: [1, 1] },
    ]);
    // Now is START + 8 min + 10 s: the 30 minutes from START - 21 min to START + 8 min.
    expect(json.meta.realtime_minutes).toEqual([minute(START - 21 * 60_000), minute(START + 8 * 60_000)]);
    expect(json.meta.granularity).toBe('minute');
  });

  it('top sources and pages of the window', async () => {
    const sources = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'realtime', dimensions: ['visit:source'], order_by: [['visit:source', 'asc']] });
    expect(sources.json.results).toEqual([
      { dimensions: [''], metrics: [2] },
      { dimensions: ['Google'], metrics: [1] },
    ]);
    const pages = await t.query({ site_id: 'example.com', metrics: ['visitors', 'pageviews'], date_range: 'realtime', dimensions: ['event:page'], order_by: [['event:page', 'asc']] });
    expect(pages.json.results.map((r: { dimensions: string[]; metrics: number[] }) => [r.dimensions[0], ...r.metrics])).toEqual([
      ['/new', 1, 1],
      ['/new/more', 1, 1],
      ['/now', 1, 1],
      ['/old', 1, 1],
    ]);
  });

  it('what leaves the window leaves the answer', async () => {
    t.clock.advance(25 * 60); // START + 33 min: the visit at START is 33 minutes old
    const { json } = await t.query({ site_id: 'example.com', metrics: ['pageviews'], date_range: 'realtime', dimensions: ['time:minute'] });
    expect(json.results.map((r: { dimensions: string[] }) => r.dimensions[0])).toEqual([minute(START + 5 * 60_000), minute(START + 8 * 60_000)]);
    t.clock.advance(-25 * 60);
  });
});

describe('how fresh the figures are', () => {
  it('GET /api/sites says the delay (abuse hold + its 1 s sweep + flush interval) and the refresh interval', async () => {
    const res = await fetch(`${t.dashboardUrl}/api/sites`, { headers: { authorization: `Bearer ${STATS_KEY}` } });
    expect((await res.json()).realtime).toEqual({ delay_s: 21, refresh_s: 30 });
    expect(freshnessDelayS({ flushIntervalMs: 10_000, holdMs: 0, abuseOn: true })).toBe(10);
    expect(freshnessDelayS({ flushIntervalMs: 10_000, holdMs: 10_000, abuseOn: false })).toBe(10);
  });

  it('minute labels of the window follow the site\'s time zone', () => {
    // 2026-11-30 03:04:30 UTC is 04:04:30 in Berlin: the window's first minute is 04:05.
    expect(realtimeMinutes(Date.UTC(2026, 10, 30, 3, 4, 30), 'Europe/Berlin')).toEqual(['2026-11-30 04:05:00', '2026-11-30 04:34:00']);
    expect(realtimeMinutes(Date.UTC(2026, 10, 30, 3, 4, 0), 'UTC')).toEqual(['2026-11-30 03:05:00', '2026-11-30 03:34:00']);
  });
});
