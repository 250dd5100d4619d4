// include.comparisons with goal metrics (conversions, conversion rate, revenue) and imported ad
// spend (spend, cost per conversion): both periods worked out as the plain queries are, each row
// with its earlier counterpart. Its own file: one embedded ClickHouse per process.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';
import { createUser, signIn, type CookieClient } from '../helpers/accounts.ts';

describe('include.comparisons with goals, revenue and ad spend', () => {
  let g: TestTelmark;
  let marketer: CookieClient;
  const SPRING = 'https://example.com/?utm_source=google&utm_medium=cpc&utm_campaign=spring';
  const eur = (value: number, long: string) => ({ value, currency: 'EUR', short: expect.any(String), long });

  /** On `day`: `visits` spring visitors, the first `signups` of them signing up for `amount` EUR each. */
  async function spring(day: string, visits: number, signups: number, amount: string) {
    g.clock.ms = Date.parse(`${day}T12:00:00Z`);
    for (let i = 0; i < visits; i++) {
      const from = { 'x-forwarded-for': `203.0.${i + 1}.${Number(day.slice(-2))}` }; // a /24 each: visitor keys use the truncated address
      expect((await g.beacon({ n: 'pageview', u: SPRING, d: 'example.com' }, from)).status).toBe(202);
      if (i < signups) expect((await g.beacon({ n: 'Signup', u: SPRING, d: 'example.com', $: { amount, currency: 'EUR' } }, from)).status).toBe(202);
    }
  }

  beforeAll(async () => {
    // Hour aggregates kept 400 days: ClickHouse's TTL runs on the real clock, ahead of the test's.
    g = await startTestTelmark({ PRIVACY_MIN_VISITORS: '1', HOURLY_RETENTION_DAYS: '400' });
    // The previous period of "7d": 2 spring visitors on 10 November, 1 signs up (10 EUR).
    await spring('2026-11-10', 2, 1, '10.00');
    // This period: 4 spring visitors on 20 November, 3 sign up (15 EUR each).
    await spring('2026-11-20', 4, 3, '15.00');
    g.clock.ms = Date.parse('2026-11-20T15:00:00Z');
    await g.flush();
    await createUser(g, 'mia@example.com', ['marketer']);
    marketer = (await signIn(g, 'mia@example.com', { now: g.clock.now })).client;
    expect((await marketer.post('/api/v1/sites/example.com/goals', { type: 'event', event_name: 'Signup', currency: 'EUR' })).status).toBe(201);
    const spend = 'date,utm_source,utm_campaign,utm_medium,spend,currency\n2026-11-10,google,spring,cpc,20.00,EUR\n2026-11-20,google,spring,cpc,30.00,EUR\n';
    expect((await marketer.call('POST', '/api/v1/sites/example.com/ad-spend', spend, { 'content-type': 'text/csv' })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await g?.destroy();
  });

  const compared = async (body: Record<string, unknown>) => {
    const res = await marketer.post('/api/v2/query', { site_id: 'example.com', date_range: '7d', filters: [['is', 'event:goal', ['Signup']]], include: { comparisons: { mode: 'previous_period' } }, ...body });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    return res.json;
  };

  it('goal metrics: conversions, the conversion rate (in points) and revenue (money) of both periods', async () => {
    const json = await compared({ metrics: ['visitors', 'events', 'conversion_rate', 'total_revenue'] });
    // Now 3 of 4 visitors converted (75 %), 45 EUR; before 1 of 2 (50 %), 10 EUR.
    expect(json.results).toEqual([
      {
        dimensions: [],
        metrics: [3, 3, 75, eur(45, '€45.00')],
        comparison: { dimensions: [], metrics: [1, 1, 50, eur(10, '€10.00')], change: [200, 200, 25, 350] },
      },
    ]);
  });

  it('spend metrics by campaign: spend and cost per conversion of both periods', async () => {
    const json = await compared({ metrics: ['spend', 'cpa'], dimensions: ['visit:utm_campaign'] });
    // Now 30 EUR for 3 conversions (10 EUR each); before 20 EUR for 1.
    expect(json.results).toEqual([
      {
        dimensions: ['spring'],
        metrics: [eur(30, '€30.00'), eur(10, '€10.00')],
        comparison: { dimensions: ['spring'], metrics: [eur(20, '€20.00'), eur(20, '€20.00')], change: [50, -50] },
      },
    ]);
  });
});
