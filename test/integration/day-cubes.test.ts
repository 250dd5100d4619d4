// Closed local days move from the hour cubes (sketches) to the day cubes (counts). The Stats API
// must give the same numbers before and after, and a late batch must reopen its day.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pageview, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

let t: TestTelmark;
const DAY = 86_400;
const QUERIES: Array<Record<string, unknown>> = [
  { metrics: ['visitors', 'visits', 'pageviews', 'bounce_rate', 'visit_duration'], dimensions: [] },
  { metrics: ['visitors', 'visits', 'pageviews'], dimensions: ['time:day'] },
  { metrics: ['visitors', 'pageviews', 'bounce_rate'], dimensions: ['visit:channel', 'visit:source'] },
  { metrics: ['visitors', 'visits'], dimensions: ['visit:utm_campaign'], filters: [['is_not', 'visit:utm_campaign', ['']]] },
  { metrics: ['visitors', 'pageviews'], dimensions: ['event:page'] },
  { metrics: ['visits'], dimensions: ['visit:entry_page', 'time:week'] },
  { metrics: ['visitors'], dimensions: ['visit:device', 'visit:browser'] },
  { metrics: ['visitors', 'events'], dimensions: ['event:name', 'time:day'] },
];
const run = async () => Promise.all(QUERIES.map((q) => t.query({ site_id: 'example.com', date_range: '7d', ...q })));

async function visitDay(dayOffset: number) {
  // The same two people each day (same IP and UA): new daily salt, so new visitors every day.
  const send = async (body: unknown, ip: string) => expect((await t.beacon(body, { 'x-forwarded-for': ip })).status).toBe(202);
  await send(pageview('https://example.com/?utm_source=news&utm_medium=email&utm_campaign=winter'), '203.0.113.5');
  t.clock.advance(40);
  await send(pageview('https://example.com/pricing', 'https://example.com/'), '203.0.113.5');
  await send(pageview('https://example.com/blog', 'https://www.google.com/'), '198.51.100.9');
  await send({ n: 'Download', u: 'https://example.com/blog', d: 'example.com' }, '198.51.100.9');
  t.clock.advance(DAY - 40 + dayOffset);
}

beforeAll(async () => {
  // Berlin: local days differ from UTC days; 09:00 UTC is 10:00 local.
  t = await startTestTelmark({ SITES: 'example.com@Europe/Berlin' }, Date.UTC(2026, 10, 18, 9, 0, 0));
  await visitDay(0); // Nov 18
  await visitDay(0); // Nov 19
  await visitDay(0); // Nov 20 (today after this)
  t.clock.ms = Date.UTC(2026, 10, 20, 12, 0, 0);
  await t.flush();
});
afterAll(async () => {
  await t?.destroy();
});

it('gives the same numbers whether days come from hour cubes or day cubes', async () => {
  const before = await run();
  expect(before.every((r) => r.status === 200)).toBe(true);
  expect(before[0]!.json.meta.days_from_day_cubes).toBe(0);
  // 2 people x 3 days = 6 visitors (daily salts), 6 visits, 9 pageviews.
  expect(before[0]!.json.results[0].metrics.slice(0, 3)).toEqual([6, 6, 9]);
  await t.closeDays();
  const after = await run();
  expect(after[0]!.json.meta.days_from_day_cubes).toBe(2);
  for (let i = 0; i < QUERIES.length; i++) expect(after[i]!.json.results, JSON.stringify(QUERIES[i])).toEqual(before[i]!.json.results);
  // The custom events by name, one a day, survive the fold too.
  expect(after[7]!.json.results).toEqual(['2026-11-18', '2026-11-19', '2026-11-20'].map((d) => ({ dimensions: ['Download', d], metrics: [1, 1] })));
  expect(after[1]!.json.results).toEqual([
    { dimensions: ['2026-11-18'], metrics: [2, 2, 3] },
    { dimensions: ['2026-11-19'], metrics: [2, 2, 3] },
    { dimensions: ['2026-11-20'], metrics: [2, 2, 3] },
  ]);
});

it('closing again is harmless, and a late batch reopens its day', async () => {
  await t.closeDays();
  const again = await t.query({ site_id: 'example.com', date_range: '7d', metrics: ['visitors', 'pageviews'] });
  expect(again.json.results[0].metrics).toEqual([6, 9]);
  // A beacon from Nov 18 that reaches ClickHouse only now (as after an outage, from the spool).
  const now = t.clock.ms;
  t.clock.ms = Date.UTC(2026, 10, 18, 15, 0, 0);
  expect((await t.beacon(pageview('https://example.com/late'), { 'x-forwarded-for': '192.0.2.77' })).status).toBe(202);
  t.clock.ms = now;
  await t.flush();
  await t.closeDays();
  const late = await t.query({ site_id: 'example.com', date_range: '7d', metrics: ['visitors', 'pageviews'], dimensions: ['time:day'] });
  expect(late.json.meta.days_from_day_cubes).toBe(2);
  expect(late.json.results[0]).toEqual({ dimensions: ['2026-11-18'], metrics: [3, 4] });
});

it('time:hour reaches back HOURLY_RETENTION_DAYS; further back it says to use days', async () => {
  const today = await t.query({ site_id: 'example.com', date_range: 'day', metrics: ['pageviews'], dimensions: ['time:hour'] });
  expect(today.status).toBe(200);
  expect(today.json.results.reduce((n: number, r: any) => n + r.metrics[0], 0)).toBe(3);
  const old = await t.query({ site_id: 'example.com', date_range: ['2026-10-01', '2026-10-02'], metrics: ['pageviews'], dimensions: ['time:hour'] });
  expect(old.status).toBe(400);
  expect(old.json.error).toMatch(/time:hour is kept for 14 days/);
});

it('a batch older than the hourly window is reported, not folded into closed days', async () => {
  const before = await t.query({ site_id: 'example.com', date_range: 'all', metrics: ['pageviews'] });
  const now = t.clock.ms;
  t.clock.ms = now - 20 * DAY * 1000;
  expect((await t.beacon(pageview('https://example.com/very-late'), { 'x-forwarded-for': '192.0.2.88' })).status).toBe(202);
  t.clock.ms = now;
  await t.flush();
  await t.closeDays();
  expect(t.logs.some((l) => /arrived after the 14-day hourly window/.test(l))).toBe(true);
  const metrics = await (await fetch(`${t.collectorUrl}/metrics`)).text();
  expect(metrics).toMatch(/^telmark_late_batches_beyond_window_total 1$/m);
  // The late row sits in the hour cubes until their TTL; the closed days are untouched.
  const days = await t.query({ site_id: 'example.com', date_range: '7d', metrics: ['pageviews'], dimensions: ['time:day'] });
  expect(days.json.results[0]).toEqual({ dimensions: ['2026-11-18'], metrics: [4] });
  expect(before.status).toBe(200);
});
