// include.comparisons over real aggregates: known traffic in this period and in earlier ones (the
// test clock sends it on the days named), then exact earlier-period figures and changes for each
// mode, buckets paired by offset, k-anonymity in both periods, and clear 400s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

let t: TestTelmark;
let ip = 0;
const GOOGLE = 'https://www.google.com/';
const BING = 'https://www.bing.com/';
/** The current visitor's address: one /24 each (visitor keys use the truncated address). */
const address = () => `198.18.${ip}.7`;

/** `n` visitors (one page view each, each from its own address) on `day` at noon UTC. */
async function visitors(day: string, n: number, referrer: string | null = GOOGLE, url = 'https://example.com/') {
  t.clock.ms = Date.parse(`${day}T12:00:00Z`);
  for (let i = 0; i < n; i++) {
    ip++;
    const res = await t.beacon(pageview(url, referrer ?? undefined), { 'x-forwarded-for': address() });
    expect(res.status).toBe(202);
  }
}

beforeAll(async () => {
  // Hour aggregates kept 400 days, so a year-old test day is not expired by ClickHouse's TTL
  // (which runs on the real clock) before the test reads it.
  t = await startTestTelmark({ PRIVACY_MIN_VISITORS: '2', HOURLY_RETENTION_DAYS: '400' });
  // A year earlier: Fri 14, Sat 15, Thu 20, Fri 21 November 2025.
  await visitors('2025-11-14', 1);
  await visitors('2025-11-15', 3);
  await visitors('2025-11-20', 2);
  await visitors('2025-11-21', 4);
  // A custom earlier range: Sat 3 and Thu 8 October 2026.
  await visitors('2026-10-03', 2);
  await visitors('2026-10-08', 1);
  // The previous period of "7d" (Sat 7 – Fri 13 November): 4 visitors, 5 page views, 3 bounces.
  await visitors('2026-11-07', 1);
  await visitors('2026-11-13', 2);
  await visitors('2026-11-13', 1, null); // Direct, two pages
  t.clock.advance(60);
  const res = await t.beacon(pageview('https://example.com/pricing', 'https://example.com/'), { 'x-forwarded-for': address() });
  expect(res.status).toBe(202);
  // This period, "7d" on Fri 20 November 2026 (Sat 14 – Fri 20): 8 visitors, 8 page views, all bounces.
  await visitors('2026-11-14', 2);
  await visitors('2026-11-20', 2);
  await visitors('2026-11-20', 2, BING);
  await visitors('2026-11-20', 1, null, 'https://example.com/?utm_source=newsletter&utm_medium=email');
  await visitors('2026-11-20', 1, null);
  t.clock.ms = Date.parse('2026-11-20T15:00:00Z');
  await t.flush();
}, 120_000);

afterAll(async () => {
  await t?.destroy();
});

const query = (include: unknown, extra: Record<string, unknown> = {}) =>
  t.query({ site_id: 'example.com', metrics: ['visitors', 'visits', 'pageviews', 'bounce_rate'], date_range: '7d', include: { comparisons: include }, ...extra });

describe('include.comparisons', () => {
  it('previous_period: the 7 days before, their figures and the change (rates in points)', async () => {
    const { status, json } = await query({ mode: 'previous_period' });
    expect(status).toBe(200);
    expect(json.meta.comparison_date_range).toEqual(['2026-11-07', '2026-11-13']);
    expect(json.query.include).toEqual({ comparisons: { mode: 'previous_period' } });
    // 8 vs 4 visitors (+100 %), 8 vs 4 visits, 8 vs 5 page views (+60 %), bounce rate 100 % vs 75 % (+25 points).
    expect(json.results).toEqual([{ dimensions: [], metrics: [8, 8, 8, 100], comparison: { dimensions: [], metrics: [4, 4, 5, 75], change: [100, 100, 60, 25] } }]);
  });

  it('time:day: each day is paired with the day at the same offset; an empty earlier day gives a null change', async () => {
    const { status, json } = await query({ mode: 'previous_period' }, { metrics: ['visitors'], dimensions: ['time:day'] });
    expect(status).toBe(200);
    const days = ['14', '15', '16', '17', '18', '19', '20'];
    const now = [2, 0, 0, 0, 0, 0, 6];
    const before = [1, 0, 0, 0, 0, 0, 3];
    expect(json.results).toEqual(
      days.map((d, i) => ({
        dimensions: [`2026-11-${d}`],
        metrics: [now[i]],
        comparison: { dimensions: [`2026-11-${String(Number(d) - 7).padStart(2, '0')}`], metrics: [before[i]], change: [before[i] ? Math.round(((now[i]! - before[i]!) / before[i]!) * 100) : null] },
      })),
    );
    // Spelled out: Sat 14 has 2 against 1 (+100 %), Sun 15 has 0 against 0 (null), Fri 20 has 6 against 3 (+100 %).
    expect(json.results[0].comparison.change).toEqual([100]);
    expect(json.results[1].comparison).toEqual({ dimensions: ['2026-11-08'], metrics: [0], change: [null] });
    expect(json.results[6].comparison.change).toEqual([100]);
  });

  it('year_over_year: the same dates a year earlier; with match_day_of_week the same weekdays', async () => {
    const plain = await query({ mode: 'year_over_year' }, { metrics: ['visitors'] });
    expect(plain.json.meta.comparison_date_range).toEqual(['2025-11-14', '2025-11-20']);
    // 1 + 3 + 2 = 6 a year earlier; 8 now: +33 %.
    expect(plain.json.results).toEqual([{ dimensions: [], metrics: [8], comparison: { dimensions: [], metrics: [6], change: [33] } }]);

    // Sat 14 Nov 2026 lines up with Sat 15 Nov 2025 (not Fri 14): 3 + 2 + 4 = 9; 8 now: −11 %.
    const matched = await query({ mode: 'year_over_year', match_day_of_week: true }, { metrics: ['visitors'] });
    expect(matched.json.meta.comparison_date_range).toEqual(['2025-11-15', '2025-11-21']);
    expect(matched.json.results[0].comparison).toEqual({ dimensions: [], metrics: [9], change: [-11] });

    const daily = await query({ mode: 'year_over_year', match_day_of_week: true }, { metrics: ['visitors'], dimensions: ['time:day'] });
    const first = daily.json.results[0];
    const last = daily.json.results[6];
    expect(first).toEqual({ dimensions: ['2026-11-14'], metrics: [2], comparison: { dimensions: ['2025-11-15'], metrics: [3], change: [-33] } });
    expect(last).toEqual({ dimensions: ['2026-11-20'], metrics: [6], comparison: { dimensions: ['2025-11-21'], metrics: [4], change: [50] } });
  });

  it('custom: the range given; with match_day_of_week moved to the nearest same weekday', async () => {
    const plain = await query({ mode: 'custom', date_range: ['2026-10-01', '2026-10-07'] }, { metrics: ['visitors'] });
    expect(plain.status).toBe(200);
    expect(plain.json.meta.comparison_date_range).toEqual(['2026-10-01', '2026-10-07']);
    expect(plain.json.results[0].comparison).toEqual({ dimensions: [], metrics: [2], change: [300] });
    // Thu 1 October → Sat 3 October (the range starts on a Saturday): 3 – 9 October, 2 + 1 visitors.
    const matched = await query({ mode: 'custom', date_range: ['2026-10-01', '2026-10-07'], match_day_of_week: true }, { metrics: ['visitors'] });
    expect(matched.json.meta.comparison_date_range).toEqual(['2026-10-03', '2026-10-09']);
    expect(matched.json.results[0].comparison).toEqual({ dimensions: [], metrics: [3], change: [167] });
  });

  it('groups: the same group in the earlier period; k-anonymity folds small groups in both, and a group not shown earlier has no figure', async () => {
    const { json } = await query({ mode: 'previous_period' }, { metrics: ['visitors'], dimensions: ['visit:source'] });
    const row = (source: string) => json.results.find((r: any) => r.dimensions[0] === source);
    expect(json.results).toHaveLength(3);
    // Google: 4 now, 3 before.
    expect(row('Google')).toEqual({ dimensions: ['Google'], metrics: [4], comparison: { dimensions: ['Google'], metrics: [3], change: [33] } });
    // Bing (2) had no visitor before: no earlier figure rather than a 0 that might hide 1 visitor.
    expect(row('Bing')).toEqual({ dimensions: ['Bing'], metrics: [2], comparison: { dimensions: ['Bing'], metrics: [null], change: [null] } });
    // newsletter (1) and Direct (1) now, Direct (1) before: each under 2 visitors, so "(other)" in both periods.
    expect(row('(other)')).toEqual({ dimensions: ['(other)'], metrics: [2], comparison: { dimensions: ['(other)'], metrics: [1], change: [100] } });
  });

  it('pagination cuts the compared rows after pairing', async () => {
    const { json } = await query({ mode: 'previous_period' }, { metrics: ['visitors'], dimensions: ['time:day'], pagination: { limit: 2, offset: 5 } });
    expect(json.results.map((r: any) => [r.dimensions[0], r.comparison.dimensions[0]])).toEqual([
      ['2026-11-19', '2026-11-12'],
      ['2026-11-20', '2026-11-13'],
    ]);
    expect(json.query.pagination).toEqual({ limit: 2, offset: 5 });
  });

  it('bad include answers 400 with the reason', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ mode: 'last_week' }, /include\.comparisons.*mode must be "previous_period", "year_over_year" or "custom"/],
      [{ mode: 'custom' }, /include\.comparisons\.date_range/],
      [{ mode: 'custom', date_range: ['2026-10-07', '2026-10-01'] }, /include\.comparisons\.date_range: the start date is after the end date/],
      [{ mode: 'custom', date_range: ['2026-13-01', '2026-10-01'] }, /include\.comparisons\.date_range: dates must be YYYY-MM-DD/],
      [{ mode: 'previous_period', match_day_of_week: 'yes' }, /include\.comparisons\.match_day_of_week/],
      [{ mode: 'previous_period', extra: 1 }, /include\.comparisons/],
      ['previous_period', /include\.comparisons/],
    ];
    for (const [include, reason] of cases) {
      const { status, json } = await query(include);
      expect(status, JSON.stringify(include)).toBe(400);
      expect(json.error, JSON.stringify(include)).toMatch(reason);
    }
    const realtime = await query({ mode: 'previous_period' }, { date_range: 'realtime' });
    expect(realtime.status).toBe(400);
    expect(realtime.json.error).toMatch(/not available for realtime/);
    const all = await query({ mode: 'previous_period' }, { date_range: 'all' });
    expect(all.status).toBe(400);
    expect(all.json.error).toMatch(/"all" has no earlier period/);
  });
});
