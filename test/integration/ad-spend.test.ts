// Ad spend (issue 9 §1, §2) over real HTTP and chDB: the example CSV in examples/ad-spend.csv is
// imported through the API, and known traffic plus that spend give exact spend, cpa,
// cost_per_visitor, roas and cpc per campaign and per day, including a campaign that spent
// without a single visit. Re-importing replaces; a bad CSV changes nothing.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';
import { createUser, signIn, type CookieClient } from '../helpers/accounts.ts';

let t: TestTelmark;
let marketer: CookieClient;
const SPEND = '/api/v1/sites/example.com/ad-spend';
const EXAMPLE = readFileSync(new URL('../../examples/ad-spend.csv', import.meta.url), 'utf8');
const SPRING = 'https://example.com/?utm_source=google&utm_medium=cpc&utm_campaign=spring';
const SUMMER = 'https://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=summer';

const send = async (body: Record<string, unknown>, ip: string) =>
  expect((await t.beacon({ d: 'example.com', ...body }, { 'x-forwarded-for': ip })).status).toBe(202);
const csv = (text: string, query = '') => marketer.call('POST', `${SPEND}${query}`, text, { 'content-type': 'text/csv' });
const eur = (value: number, long: string) => ({ value, currency: 'EUR', short: expect.any(String), long });

beforeAll(async () => {
  t = await startTestTelmark({ PRIVACY_MIN_VISITORS: '1' });
  await createUser(t, 'mia@example.com', ['marketer']);
  marketer = (await signIn(t, 'mia@example.com', { now: t.clock.now })).client;
  expect((await marketer.post('/api/v1/sites/example.com/goals', { type: 'event', event_name: 'Signup', currency: 'EUR' })).status).toBe(201);
  // spring: two visitors, one signs up for 30 EUR. summer: one visitor, signs up for 10 EUR.
  await send({ n: 'pageview', u: SPRING }, '203.0.113.1');
  await send({ n: 'Signup', u: SPRING, $: { amount: '30.00', currency: 'EUR' } }, '203.0.113.1');
  await send({ n: 'pageview', u: SPRING }, '203.0.114.2');
  await send({ n: 'pageview', u: SUMMER }, '203.0.115.3');
  await send({ n: 'Signup', u: SUMMER, $: { amount: '10', currency: 'EUR' } }, '203.0.115.3');
  await t.flush();
}, 90_000);
afterAll(async () => {
  await t?.destroy();
});

const query = async (body: Record<string, unknown>) => {
  const res = await marketer.post('/api/v2/query', { site_id: 'example.com', date_range: ['2026-11-19', '2026-11-20'], ...body });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json;
};

describe('importing spend', () => {
  it('imports the example CSV: rows, days and campaigns covered; a dry run first stores nothing', async () => {
    const dry = await csv(EXAMPLE, '?dry_run=true');
    expect(dry.status).toBe(200);
    expect(dry.json).toEqual({ dry_run: true, rows: 4, new_rows: 4, replaced_rows: 0, days: 2, from: '2026-11-19', to: '2026-11-20', campaigns: 3, spend: [{ currency: 'EUR', amount: '38.84' }] });
    expect((await marketer.get(`${SPEND}?from=2026-11-01&to=2026-11-30`)).json.rows).toEqual([]);
    const res = await csv(EXAMPLE);
    expect(res.json).toMatchObject({ rows: 4, new_rows: 4, days: 2, campaigns: 3 });
    const rows = (await marketer.get(`${SPEND}?from=2026-11-01&to=2026-11-30`)).json.rows;
    // Cleaned as the collector cleans UTM values: "Spring " trimmed, case kept.
    expect(rows.map((r: { utm_campaign: string }) => r.utm_campaign)).toEqual(['winter', 'winter', 'Spring', 'summer']);
    expect(rows[3]).toEqual({ date: '2026-11-20', utm_source: 'newsletter', utm_campaign: 'summer', utm_medium: 'email', spend: '5.5', currency: 'EUR', clicks: null, impressions: null });
  });

  it('a bad row is a 400 naming its line (the header is line 1) and field, and nothing is stored', async () => {
    const bad = 'date,utm_source,utm_campaign,spend,currency\n2026-11-20,google,spring,99.00,EUR\n2026-11-31,google,autumn,1.00,EUR\n';
    const res = await csv(bad);
    expect(res.status).toBe(400);
    expect(res.json.error).toBe('line 3, date: "2026-11-31" is not a date in the form YYYY-MM-DD');
    for (const [body, error] of [
      ['date,utm_source,utm_campaign,currency\n2026-11-20,google,spring,EUR\n', /^line 1, spend: no "spend" column/],
      ['date,utm_source,utm_campaign,spend,currency\n2026-11-20,google,spring,"1,000.00",EUR\n', /^line 2, spend: "1,000.00" is not an amount/],
      ['date,utm_source,utm_campaign,spend,currency\n2026-11-20,google,spring,1,EURO\n', /^line 2, currency: "EURO" is not an ISO 4217/],
      ['date,utm_source,utm_campaign,spend,currency\n2026-11-20,google,spring,1,EUR\n2026-11-20,Google,spring,2,EUR\n', /^line 3, utm_campaign: the same date, source, campaign and medium as line 2/],
    ] as const) {
      const r = await csv(body);
      expect(r.status, body).toBe(400);
      expect(r.json.error).toMatch(error);
    }
    expect((await marketer.get(`${SPEND}?from=2026-11-20&to=2026-11-20`)).json.rows.map((r: { spend: string }) => r.spend)).toEqual(['12.34', '20', '5.5']);
  });

  it('an export with other column names goes in through a mapping and defaults', async () => {
    const googleAds = 'Day,Campaign,Cost,Clicks\n2026-11-18,brand,3.00,7\n';
    const res = await csv(googleAds, `?map=${encodeURIComponent('Day=date,Campaign=utm_campaign,Cost=spend,Clicks=clicks')}&defaults=${encodeURIComponent('utm_source=google,currency=EUR')}`);
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect((await marketer.get(`${SPEND}?from=2026-11-18&to=2026-11-18`)).json.rows).toEqual([
      { date: '2026-11-18', utm_source: 'google', utm_campaign: 'brand', utm_medium: '', spend: '3', currency: 'EUR', clicks: 7, impressions: null },
    ]);
    expect((await marketer.del(`${SPEND}?from=2026-11-18&to=2026-11-18`)).json).toEqual({ deleted: 1, from: '2026-11-18', to: '2026-11-18' });
    expect((await marketer.get(`${SPEND}?from=2026-11-18&to=2026-11-18`)).json.rows).toEqual([]);
  });
});

describe('spend metrics', () => {
  it('per campaign: spend, cpa, cost per visitor, roas and cpc, with a campaign that spent without visits', async () => {
    const json = await query({
      metrics: ['visitors', 'events', 'spend', 'cpa', 'cost_per_visitor', 'roas', 'cpc'],
      dimensions: ['visit:utm_campaign'],
      filters: [['is', 'event:goal', ['Signup']]],
      order_by: [['spend', 'desc']],
    });
    expect(json.results).toEqual([
      // spring: €20 over 1 signup, 2 visitors, 40 clicks; €30 of revenue. ("Spring " meets the tag spring.)
      { dimensions: ['spring'], metrics: [1, 1, eur(20, '€20.00'), eur(20, '€20.00'), eur(10, '€10.00'), 1.5, eur(0.5, '€0.50')] },
      // winter: €1.00 + €12.34 and not one visit.
      { dimensions: ['winter'], metrics: [0, 0, eur(13.34, '€13.34'), null, null, null, eur(1.11166667, '€1.11')] },
      // summer: €5.50, one visitor who paid €10; no clicks imported.
      { dimensions: ['summer'], metrics: [1, 1, eur(5.5, '€5.50'), eur(5.5, '€5.50'), eur(5.5, '€5.50'), 1.82, null] },
    ]);
  });

  it('per day, and by source and campaign', async () => {
    const byDay = await query({ metrics: ['spend', 'visitors'], dimensions: ['time:day'] });
    expect(byDay.results).toEqual([
      { dimensions: ['2026-11-19'], metrics: [eur(1, '€1.00'), 0] },
      { dimensions: ['2026-11-20'], metrics: [eur(37.84, '€37.84'), 3] },
    ]);
    // The campaign filter meets the imported "Spring" as the tagged "spring" does.
    const spring = await query({ metrics: ['spend'], filters: [['is', 'visit:utm_campaign', ['spring']]] });
    expect(spring.results).toEqual([{ dimensions: [], metrics: [eur(20, '€20.00')] }]);
    const bySource = await query({ metrics: ['spend'], dimensions: ['visit:utm_source', 'visit:utm_campaign'], order_by: [['spend', 'asc']] });
    expect(bySource.results.map((r: { dimensions: string[] }) => r.dimensions)).toEqual([['newsletter', 'summer'], ['facebook', 'winter'], ['google', 'spring']]);
  });

  it('re-importing a day replaces its rows, not adds to them (and the answer changes at once)', async () => {
    const spring = { metrics: ['spend', 'cpc'], filters: [['is', 'visit:utm_campaign', ['spring']]], dimensions: ['visit:utm_campaign'] };
    // Asked once before the re-import: the dashboard keeps spend answers briefly
    // (stats/context-cache.ts), and an import through the API must drop them.
    expect((await query(spring)).results).toEqual([{ dimensions: ['spring'], metrics: [eur(20, '€20.00'), eur(0.5, '€0.50')] }]);
    expect((await csv('date,utm_source,utm_campaign,utm_medium,spend,currency,clicks\n2026-11-20,google,spring,cpc,25.00,EUR,50\n')).json).toMatchObject({ rows: 1, replaced_rows: 1 });
    expect((await query(spring)).results).toEqual([{ dimensions: ['spring'], metrics: [eur(25, '€25.00'), eur(0.5, '€0.50')] }]);
  });

  it('what spend cannot be combined with is a 400 that says why', async () => {
    for (const [body, error] of [
      [{ metrics: ['spend'], dimensions: ['visit:device'] }, /^spend is kept per day, source and campaign/],
      [{ metrics: ['spend'], filters: [['is', 'visit:channel', ['Email']]] }, /^filters: spend can be filtered by visit:utm_campaign/],
      [{ metrics: ['cpa'], dimensions: ['visit:utm_campaign'] }, /^metrics: cpa needs a goal/],
    ] as const) {
      const res = await marketer.post('/api/v2/query', { site_id: 'example.com', date_range: '7d', ...body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error).toMatch(error);
    }
  });

  it('only admins and marketers import; viewers get 403', async () => {
    await createUser(t, 'vic@example.com', ['viewer']);
    const viewer = (await signIn(t, 'vic@example.com', { now: t.clock.now })).client;
    expect((await viewer.call('POST', SPEND, EXAMPLE, { 'content-type': 'text/csv' })).status).toBe(403);
    expect((await viewer.get(`${SPEND}?from=2026-11-01&to=2026-11-30`)).status).toBe(403);
  });
});
