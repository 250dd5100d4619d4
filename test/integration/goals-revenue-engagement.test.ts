// Goals, revenue, engagement and props end to end (issue 8 §1, §2, §4, §5) over real HTTP and
// chDB: known traffic goes in, the exact Stats API numbers come out. Page, scroll and
// prop-condition goals count from their creation (a /thank-you view before the goal existed is
// not a conversion), revenue sums exactly per goal currency with other currencies kept apart,
// engagement events become scroll depth and time on page, and only allowed prop keys are kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';
import { createUser, signIn, type CookieClient } from '../helpers/accounts.ts';

let t: TestTelmark;
let marketer: CookieClient;
const SITE = 'https://example.com';
const GOALS = '/api/v1/sites/example.com/goals';

const send = async (body: Record<string, unknown>, ip: string) =>
  expect((await t.beacon({ d: 'example.com', ...body }, { 'x-forwarded-for': ip })).status).toBe(202);
const view = (path: string, ip: string) => send({ n: 'pageview', u: SITE + path }, ip);
const engage = (path: string, ip: string, sd: number, e: number) => send({ n: 'engagement', u: SITE + path, sd, e }, ip);

const V1 = '203.0.113.1';
const V2 = '203.0.114.2';
const V3 = '203.0.115.3';
const V4 = '203.0.116.4';

beforeAll(async () => {
  t = await startTestTelmark({ PRIVACY_MIN_VISITORS: '1' });
  await createUser(t, 'mia@example.com', ['marketer']);
  marketer = (await signIn(t, 'mia@example.com', { now: t.clock.now })).client;

  // V4 thanks before any goal exists: not a conversion of the page goal made later.
  await view('/thank-you', V4);
  t.clock.advance(60);
  for (const goal of [
    { type: 'page', path: '/thank-you' },
    { type: 'scroll', path: '/blog/**', threshold: 50 },
    { type: 'event', event_name: 'Purchase', currency: 'EUR' },
    { type: 'event', event_name: 'Purchase', props: { plan: 'pro' }, currency: 'EUR', display_name: 'Pro purchase' },
    { type: 'event', event_name: 'Donate', currency: 'USD' },
  ]) {
    expect((await marketer.post(GOALS, goal)).status).toBe(201);
  }
  expect((await marketer.put('/api/v1/sites/example.com/props', { allowed: ['plan'] })).status).toBe(200);

  // V1 reads a blog post (scrolls to 30%, then 80%: the scroll goal is met once), thanks, buys pro.
  await view('/blog/a', V1);
  await engage('/blog/a', V1, 30, 5000);
  await engage('/blog/a', V1, 80, 3000);
  await engage('/blog/a', V1, 60, 0); // a lower reading changes nothing
  await view('/thank-you', V1);
  await send({ n: 'Purchase', u: SITE + '/thank-you', p: { plan: 'pro', email: 'ann@example.com' }, $: { amount: '19.99', currency: 'EUR' } }, V1);
  // V2 reads the post to 40%, buys basic for 5.01 EUR, once more paying 3 USD (kept apart), donates 7 USD.
  await view('/blog/a', V2);
  await engage('/blog/a', V2, 40, 2000);
  await send({ n: 'Purchase', u: SITE + '/blog/a', p: { plan: 'basic' }, $: { amount: 5.01, currency: 'EUR' } }, V2);
  await send({ n: 'Purchase', u: SITE + '/blog/a', $: { amount: '3', currency: 'USD' } }, V2);
  await send({ n: 'Donate', u: SITE + '/blog/a', $: { amount: '7', currency: 'usd' } }, V2);
  // V3 thanks twice.
  await view('/thank-you', V3);
  await view('/thank-you', V3);
  await t.flush();
}, 90_000);
afterAll(async () => {
  await t?.destroy();
});

const query = async (body: Record<string, unknown>) => {
  const res = await marketer.post('/api/v2/query', { site_id: 'example.com', date_range: 'day', ...body });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json;
};
const eur = (value: number, long: string) => ({ value, currency: 'EUR', short: expect.any(String), long });

describe('goals, revenue, engagement and props', () => {
  it('each goal: converting visitors, conversions, revenue and average in its own currency; other currencies kept apart and warned about', async () => {
    const json = await query({ metrics: ['visitors', 'events', 'total_revenue', 'average_revenue'], dimensions: ['event:goal'], order_by: [['event:goal', 'asc']] });
    expect(json.results).toEqual([
      { dimensions: ['Donate'], metrics: [1, 1, { value: 7, currency: 'USD', short: '$7.0', long: '$7.00' }, { value: 7, currency: 'USD', short: '$7.0', long: '$7.00' }] },
      { dimensions: ['Pro purchase'], metrics: [1, 1, eur(19.99, '€19.99'), eur(19.99, '€19.99')] },
      // V1 once, V2 twice; EUR 19.99 + 5.01 over the 2 EUR purchases; the USD one is not converted.
      { dimensions: ['Purchase'], metrics: [2, 3, eur(25, '€25.00'), eur(12.5, '€12.50')] },
      { dimensions: ['Scroll 50% on /blog/**'], metrics: [1, 1, null, null] },
      // Since the goal was made: V1 once, V3 twice; V4's earlier view does not count.
      { dimensions: ['Visit /thank-you'], metrics: [2, 3, null, null] },
    ]);
    expect(json.meta.metric_warnings.total_revenue).toEqual({ code: 'revenue_in_other_currencies', warning: expect.stringMatching(/^1 conversion\(s\) carried revenue in another currency/) });
    expect(json.meta.warnings[0]).toMatch(/^counting since the goal was made .*Visit \/thank-you since 2026-11-20/);
  });

  it('event:goal filters with contains, case-insensitively', async () => {
    const json = await query({ metrics: ['visitors', 'events'], dimensions: ['event:goal'], filters: [['contains', 'event:goal', ['PURCHASE']]], order_by: [['event:goal', 'asc']] });
    expect(json.results).toEqual([
      { dimensions: ['Pro purchase'], metrics: [1, 1] },
      { dimensions: ['Purchase'], metrics: [2, 3] },
    ]);
  });

  it('revenue is null with a warning when no goal has a currency, or the goals\' currencies differ', async () => {
    const none = await query({ metrics: ['visitors', 'total_revenue'], filters: [['is', 'event:goal', ['Visit /thank-you']]] });
    expect(none.results).toEqual([{ dimensions: [], metrics: [2, null] }]);
    expect(none.meta.metric_warnings.total_revenue.code).toBe('no_revenue_goals_matching');
    const mixed = await query({ metrics: ['visitors', 'total_revenue'], filters: [['is', 'event:goal', ['Purchase', 'Donate']]] });
    expect(mixed.results).toEqual([{ dimensions: [], metrics: [2, null] }]);
    expect(mixed.meta.metric_warnings.total_revenue.code).toBe('revenue_goals_with_different_currencies');
    // Per goal, only the goals the filter keeps decide.
    const perGoal = await query({ metrics: ['visitors', 'total_revenue'], dimensions: ['event:goal'], filters: [['is', 'event:goal', ['Visit /thank-you', 'Scroll 50% on /blog/**']]] });
    expect(perGoal.results.map((r: { metrics: unknown[] }) => r.metrics[1])).toEqual([null, null]);
    expect(perGoal.meta.metric_warnings.total_revenue.code).toBe('no_revenue_goals_matching');
  });

  it('revenue sorts by amount, not by its text', async () => {
    // 19.99 before 7.00 (as text, "7.00000000" would sort above "19.99000000").
    const order = async (dir: string) =>
      (await query({ metrics: ['total_revenue'], dimensions: ['event:goal'], filters: [['is', 'event:goal', ['Donate', 'Pro purchase']]], order_by: [['total_revenue', dir]] })).results.map((r: { dimensions: string[] }) => r.dimensions[0]);
    expect(await order('desc')).toEqual(['Pro purchase', 'Donate']);
    expect(await order('asc')).toEqual(['Donate', 'Pro purchase']);
  });

  it('scroll depth (per visit the highest reading, averaged) and time on page (engaged seconds per visitor); percentage of visitors', async () => {
    const json = await query({ metrics: ['visitors', 'pageviews', 'scroll_depth', 'time_on_page', 'percentage'], dimensions: ['event:page'], order_by: [['event:page', 'asc']] });
    expect(json.results).toEqual([
      // (80 + 40) / 2 = 60; (5 + 3 + 2 s) / 2 visitors = 5 s; 2 of 4 visitors.
      { dimensions: ['/blog/a'], metrics: [2, 2, 60, 5, 50] },
      { dimensions: ['/thank-you'], metrics: [3, 4, null, null, 75] },
    ]);
    // Engagement is no event: totals count pageviews and the four custom events only.
    expect((await query({ metrics: ['visitors', 'pageviews', 'events'] })).results).toEqual([{ dimensions: [], metrics: [4, 6, 10] }]);
    const bad = await marketer.post('/api/v2/query', { site_id: 'example.com', date_range: 'day', metrics: ['scroll_depth'], dimensions: ['visit:source'] });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/scroll_depth" is a page metric/);
  });

  it('event:name lists custom events only (not the goals counted at ingestion)', async () => {
    const json = await query({ metrics: ['visitors', 'events'], dimensions: ['event:name'], order_by: [['event:name', 'asc']] });
    expect(json.results).toEqual([
      { dimensions: ['Donate'], metrics: [1, 1] },
      { dimensions: ['Purchase'], metrics: [2, 3] },
    ]);
  });

  it('goals cross the entry page and the tech dimensions', async () => {
    const byEntry = await query({ metrics: ['visitors', 'events', 'total_revenue'], dimensions: ['visit:entry_page'], filters: [['is', 'event:goal', ['Purchase']]] });
    expect(byEntry.results).toEqual([{ dimensions: ['/blog/a'], metrics: [2, 3, eur(25, '€25.00')] }]);
    const byBrowser = await query({ metrics: ['visitors', 'conversion_rate', 'group_conversion_rate'], dimensions: ['visit:browser'], filters: [['is', 'event:goal', ['Visit /thank-you']]] });
    // 2 of the 4 visitors of the day, all on Chrome.
    expect(byBrowser.results).toEqual([{ dimensions: ['Chrome'], metrics: [2, 50, 50] }]);
  });

  it('only allowed prop keys are kept, by value; others are dropped and counted; a key not allowed is a 400', async () => {
    const plans = await query({ metrics: ['visitors', 'events'], dimensions: ['event:props:plan'], filters: [['is', 'event:goal', ['Purchase']]], order_by: [['event:props:plan', 'asc']] });
    expect(plans.results).toEqual([
      { dimensions: ['basic'], metrics: [1, 1] },
      { dimensions: ['pro'], metrics: [1, 1] },
    ]);
    expect(await t.metric('telmark_props_dropped_total{reason="not_allowed"}')).toBe(1);
    const email = await marketer.post('/api/v2/query', { site_id: 'example.com', date_range: 'day', metrics: ['visitors'], dimensions: ['event:props:email'] });
    expect(email.status).toBe(400);
    expect(email.json.error).toMatch(/^dimensions: the prop key "email" is not aggregated on this site.*allowed: plan$/);
  });

  it('the goals API says since when page, scroll and prop-condition goals count', async () => {
    const { goals } = (await marketer.get(GOALS)).json as { goals: Array<{ display_name: string; counting_since: string | null }> };
    const since = Object.fromEntries(goals.map((g) => [g.display_name, g.counting_since]));
    expect(since).toEqual({
      'Visit /thank-you': expect.stringMatching(/^2026-11-20T10:01:00/),
      'Scroll 50% on /blog/**': expect.stringMatching(/^2026-11-20T10:01:00/),
      Purchase: null,
      'Pro purchase': expect.stringMatching(/^2026-11-20T10:01:00/),
      Donate: null,
    });
  });

  it('the rate denominators (kept briefly between queries) follow new data at once', async () => {
    const cr = async () => (await query({ metrics: ['conversion_rate', 'group_conversion_rate'], dimensions: ['visit:channel'], filters: [['is', 'event:goal', ['Purchase']]] })).results;
    expect(await cr()).toEqual([{ dimensions: ['Direct'], metrics: [50, 50] }]);
    expect(await cr()).toEqual([{ dimensions: ['Direct'], metrics: [50, 50] }]);
    // A fifth visitor arrives: 2 of 5 converted.
    await view('/', '203.0.117.5');
    await t.flush();
    expect(await cr()).toEqual([{ dimensions: ['Direct'], metrics: [40, 40] }]);
  });
});
