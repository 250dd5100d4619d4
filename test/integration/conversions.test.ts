// Which campaigns convert (issue 8 §3/§4) over real HTTP and chDB on a test clock: conversions
// belong to the visit's acquisition, a Direct return visit of someone who came from an ad earlier
// that day is credited to the ad (last non-direct click), and the Stats API gives per campaign
// the converting visitors, conversions, conversion rate against all visitors, and the rate
// against the campaign's own visitors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LastNonDirect } from '../../collector/goals/attribution.ts';
import { directAcquisition } from '../../collector/classify/acquisition.ts';
import { startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';
import { createUser, signIn, type CookieClient } from '../helpers/accounts.ts';

let t: TestTelmark;
let marketer: CookieClient;
const SPRING = 'https://example.com/?utm_source=google&utm_medium=cpc&utm_campaign=spring';
const SUMMER = 'https://example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=summer';

const send = async (body: Record<string, unknown>, ip: string) =>
  expect((await t.beacon({ d: 'example.com', ...body }, { 'x-forwarded-for': ip })).status).toBe(202);
const view = (url: string, ip: string, referrer?: string) => send({ n: 'pageview', u: url, r: referrer ?? null }, ip);
const signup = (ip: string, amount?: string) => send({ n: 'Signup', u: 'https://example.com/join', ...(amount ? { $: { amount, currency: 'EUR' } } : {}) }, ip);

beforeAll(async () => {
  // Groups of fewer than 2 visitors fold into "(other)", conversions included.
  t = await startTestTelmark({ PRIVACY_MIN_VISITORS: '2' });
  await createUser(t, 'mia@example.com', ['marketer']);
  marketer = (await signIn(t, 'mia@example.com', { now: t.clock.now })).client;
  expect((await marketer.post('/api/v1/sites/example.com/goals', { type: 'event', event_name: 'Signup', currency: 'EUR' })).status).toBe(201);

  // A: spring ad, signs up in the same visit, paying 10.10 EUR.
  await view(SPRING, '203.0.113.10', 'https://www.google.com/');
  await signup('203.0.113.10', '10.10');
  // B: summer newsletter, does not sign up.
  await view(SUMMER, '203.0.114.10');
  // C: types the address, signs up: Direct.
  await view('https://example.com/', '203.0.115.10');
  await signup('203.0.115.10');
  // D: spring ad click, leaves; back two hours later by typing the address, signs up for 20.20 EUR.
  await view(SPRING, '203.0.116.10', 'https://www.google.com/');
  t.clock.advance(2 * 3600);
  await view('https://example.com/', '203.0.116.10');
  await signup('203.0.116.10', '20.20');
  await t.flush();
}, 60_000);
afterAll(async () => {
  await t?.destroy();
});

const query = (body: Record<string, unknown>) =>
  marketer.post('/api/v2/query', { site_id: 'example.com', date_range: 'day', ...body });

describe('conversions by campaign', () => {
  it('the issue\'s example: per campaign converting visitors, conversions, CR against all visitors and against the campaign\'s own, and revenue', async () => {
    const { status, json } = await query({
      metrics: ['visitors', 'events', 'conversion_rate', 'group_conversion_rate', 'total_revenue'],
      dimensions: ['visit:utm_campaign'],
      filters: [['is', 'event:goal', ['Signup']]],
      order_by: [['visit:utm_campaign', 'asc']],
    });
    expect(status).toBe(200);
    // 4 visitors in all. spring: A and D (D's Direct return credited to the ad), of spring's 2
    // visitors. No campaign: C alone, a group of one converting visitor, so it folds into
    // "(other)" (k-anonymity applies to conversions too), where a group rate cannot be given.
    // Revenue: C paid nothing; spring's 10.10 + 20.20 EUR, exactly.
    expect(json.results).toEqual([
      { dimensions: ['(other)'], metrics: [1, 1, 25, null, { value: 0, currency: 'EUR', short: '€0.0', long: '€0.00' }] },
      { dimensions: ['spring'], metrics: [2, 2, 50, 100, { value: 30.3, currency: 'EUR', short: '€30.3', long: '€30.30' }] },
    ]);
  });

  it('conversion_rate is against the visitors of the same filters without the goal: within spring, 2 of 2', async () => {
    const { json } = await query({ metrics: ['visitors', 'conversion_rate'], filters: [['is', 'event:goal', ['Signup']], ['is', 'visit:utm_campaign', ['spring']]] });
    expect(json.results).toEqual([{ dimensions: [], metrics: [2, 100] }]);
  });

  it('the visits themselves keep their own source: D\'s return visit is Direct in the traffic reports', async () => {
    const { json } = await query({ metrics: ['visitors', 'visits'], dimensions: ['visit:channel'], order_by: [['visit:channel', 'asc']] });
    // (Email, B alone, folds into "(other)".)
    expect(json.results).toEqual([
      { dimensions: ['(other)'], metrics: [1, 1] },
      { dimensions: ['Direct'], metrics: [2, 2] },
      { dimensions: ['Paid Search'], metrics: [2, 2] },
    ]);
  });
});

describe('last non-direct attribution', () => {
  it('remembers the last non-direct source per visitor key, and credits only Direct visits with it', () => {
    const memory = new LastNonDirect(2);
    const ad = { source: 'Google', channel: 'Paid Search' as const, referrerHost: 'google.com', utm: { source: 'google', medium: 'cpc', campaign: 'spring', content: '', term: '' } };
    const mail = { ...ad, source: 'Newsletter', channel: 'Email' as const, utm: { ...ad.utm, campaign: 'summer' } };
    memory.visitOpened('k1', ad);
    memory.visitOpened('k1', directAcquisition());
    expect(memory.creditFor('k1', directAcquisition())).toBe(ad);
    expect(memory.creditFor('k1', mail)).toBe(mail);
    expect(memory.creditFor('k2', directAcquisition()).channel).toBe('Direct');
    // Bounded: past its size the least recently seen visitor is forgotten.
    memory.visitOpened('k2', mail);
    memory.visitOpened('k3', mail);
    expect(memory.size).toBe(2);
    expect(memory.creditFor('k1', directAcquisition()).channel).toBe('Direct');
  });
});
