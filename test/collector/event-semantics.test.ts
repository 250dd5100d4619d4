// Plausible's event semantics at the beacon (issue 8, §1): malformed revenue and extra or odd
// props no longer refuse a beacon (the event counts, what was wrong is dropped and counted), and
// engagement events are not custom events: they count in no event metric, end no bounce, and
// never start a visit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBeacon } from '../../collector/beacon.ts';
import { EventNameCap, OTHER_NAME } from '../../collector/goals/event-names.ts';
import { PropValueCap } from '../../collector/goals/prop-values.ts';
import { pageview, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

let t: TestTelmark;
beforeAll(async () => {
  t = await startTestTelmark();
}, 60_000);
afterAll(async () => {
  await t?.destroy();
});

const totals = async (metrics: string[]) => {
  await t.flush();
  const { status, json } = await t.query({ site_id: 'example.com', metrics, date_range: 'day' });
  expect(status).toBe(200);
  return json.results[0]?.metrics ?? metrics.map(() => 0);
};
const event = (name: string, extra: Record<string, unknown> = {}) => ({ n: name, u: 'https://example.com/pricing', d: 'example.com', ...extra });

describe('revenue and props', () => {
  it('a malformed revenue drops the revenue, never the event, and is counted by reason', async () => {
    const before = (await totals(['events']))[0];
    const bad = [
      { $: { amount: '12.50', currency: 'EURO' } },
      { $: { amount: 'twelve', currency: 'EUR' } },
      { $: { amount: 1e30, currency: 'EUR' } },
      { $: 'not json' },
      { $: [12, 'EUR'] },
    ];
    for (const extra of bad) expect((await t.beacon(event('Purchase', extra), { 'x-forwarded-for': '198.51.100.1' })).status).toBe(202);
    expect((await t.beacon(event('Purchase', { $: { amount: 19.99, currency: 'eur' } }), { 'x-forwarded-for': '198.51.100.1' })).status).toBe(202);
    expect((await totals(['events']))[0]).toBe(before + 6);
    expect(await t.metric('telmark_revenue_dropped_total{reason="bad_currency"}')).toBe(1);
    expect(await t.metric('telmark_revenue_dropped_total{reason="bad_amount"}')).toBe(2);
    expect(await t.metric('telmark_revenue_dropped_total{reason="not_an_object"}')).toBe(2);
  });

  it('keeps the first 30 scalar props; extra, nested and over-long ones are dropped and counted; props that are not an object are a 400', async () => {
    const many = Object.fromEntries(Array.from({ length: 35 }, (_, i) => [`k${i}`, i]));
    expect((await t.beacon(event('Signup', { p: { ...many } }))).status).toBe(202);
    expect((await t.beacon(event('Signup', { p: { plan: 'pro', nested: { a: 1 }, list: [1], ['x'.repeat(301)]: 1 } }))).status).toBe(202);
    expect(await t.metric('telmark_props_dropped_total{reason="too_many"}')).toBe(5);
    expect(await t.metric('telmark_props_dropped_total{reason="not_scalar"}')).toBe(2);
    expect(await t.metric('telmark_props_dropped_total{reason="key_too_long"}')).toBe(1);
    const refused = await t.beacon(event('Signup', { p: [1, 2] }));
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toMatch(/^p: /);
  });

  it('parses revenue into exact decimal text and an upper-case currency', () => {
    const parsed = parseBeacon(JSON.stringify(event('Purchase', { $: '{"amount":"1234.5678","currency":"usd"}', p: '{"plan":"pro"}' })));
    expect(parsed).toMatchObject({ ok: true, beacon: { revenue: { amount: '1234.5678', currency: 'USD' }, props: { plan: 'pro' } } });
  });
});

describe('engagement events', () => {
  it('without a live visit: dropped as no_visit, and no visit starts', async () => {
    const [visits] = await totals(['visits']);
    expect((await t.beacon(event('engagement', { sd: 40, e: 5000 }), { 'x-forwarded-for': '192.0.2.10' })).status).toBe(202);
    expect(await t.metric('telmark_events_dropped_total{reason="no_visit"}')).toBe(1);
    expect((await totals(['visits']))[0]).toBe(visits);
  });

  it('within a visit: no pageview, no event, and the visit still bounces', async () => {
    const ua = { 'x-forwarded-for': '192.0.2.20' };
    const [pv, ev, visits] = await totals(['pageviews', 'events', 'visits']);
    expect((await t.beacon(pageview('https://example.com/blog/post'), ua)).status).toBe(202);
    t.clock.advance(20);
    expect((await t.beacon({ n: 'engagement', u: 'https://example.com/blog/post', d: 'example.com', sd: 150, e: 20_000 }, ua)).status).toBe(202);
    t.clock.advance(20);
    expect((await t.beacon({ n: 'engagement', u: 'https://example.com/blog/post', d: 'example.com', sd: 90, e: -5 }, ua)).status).toBe(202);
    const [pv2, ev2, visits2] = await totals(['pageviews', 'events', 'visits']);
    // events = pageviews + custom events: the pageview's 1, nothing for the engagement events.
    expect([pv2 - pv, ev2 - ev, visits2 - visits]).toEqual([1, 1, 1]);
    // The one visit of 192.0.2.20 is a bounce with zero duration: engagement neither ended nor lengthened it.
    const page = await t.query({ site_id: 'example.com', metrics: ['visits', 'bounce_rate', 'visit_duration'], date_range: 'day', filters: [['is', 'visit:entry_page', ['/blog/post']]] });
    expect(page.json.results[0].metrics).toEqual([1, 100, 0]);
  });

  it('sd above 100 counts as 100, e out of range as 0, and an engagement event with neither is a 400', () => {
    expect(parseBeacon(JSON.stringify(event('engagement', { sd: 150, e: 40 * 86_400_000 })))).toMatchObject({ ok: true, beacon: { scrollDepth: 100, engagedMs: 0 } });
    expect(parseBeacon(JSON.stringify(event('engagement', { sd: 33.4 })))).toMatchObject({ ok: true, beacon: { scrollDepth: 33 } });
    expect(parseBeacon(JSON.stringify(event('engagement', { sd: 'x', e: null })))).toEqual({ ok: false, field: 'sd', error: 'sd: engagement events need sd (scroll depth, 0-100) or e (engaged time, ms)' });
    expect(parseBeacon(JSON.stringify(event('engagement', { sd: -1 })))).toMatchObject({ ok: false, field: 'sd' });
  });
});

describe('custom events by name', () => {
  it('are counted by name from the first day (event:name), with the visitors who sent them; engagement and pageviews are not names', async () => {
    const send = (name: string, ip: string) => t.beacon(event(name), { 'x-forwarded-for': ip });
    // Three people (three networks: the visitor key holds the truncated address).
    const people = ['203.0.113.1', '203.0.114.1', '203.0.115.1'];
    for (const ip of people) expect((await send('Download', ip)).status).toBe(202);
    expect((await send('Download', people[0]!)).status).toBe(202);
    expect((await send('Newsletter signup', people[1]!)).status).toBe(202);
    // An e-mail in an event name never reaches the store.
    expect((await send('invite ann@example.com', people[2]!)).status).toBe(202);
    await t.flush();
    const { status, json } = await t.query({ site_id: 'example.com', metrics: ['visitors', 'events'], date_range: 'day', dimensions: ['event:name'], order_by: [['event:name', 'asc']] });
    expect(status).toBe(200);
    const rows = Object.fromEntries((json.results as Array<{ dimensions: string[]; metrics: number[] }>).map((r) => [r.dimensions[0], r.metrics]));
    expect(rows['Download']).toEqual([3, 4]);
    expect(rows['Newsletter signup']).toEqual([1, 1]);
    expect(rows['invite :id']).toEqual([1, 1]);
    expect(Object.keys(rows)).not.toContain('engagement');
    expect(Object.keys(rows)).not.toContain('pageview');
    expect(JSON.stringify(json)).not.toContain('ann@example.com');
  });

  it('each site keeps at most a fixed number of names a day; later new names count as "(other)"', () => {
    const cap = new EventNameCap(3);
    const day1 = Date.UTC(2026, 10, 20, 12);
    expect(['a', 'b', 'c', 'd', 'a', 'e'].map((n) => cap.admit('example.com', n, day1))).toEqual(['a', 'b', 'c', OTHER_NAME, 'a', OTHER_NAME]);
    expect(cap.admit('other.example', 'd', day1)).toBe('d');
    expect(cap.folded).toBe(2);
    // A new UTC day starts afresh.
    expect(cap.admit('example.com', 'd', day1 + 86_400_000)).toBe('d');
    // A name cannot pose as a goal's reserved name (schema/goals.ts GOAL_NAME_PREFIX).
    expect(cap.admit('x.example', '\x01goal:g_1', day1)).toBe('goal:g_1');
    expect(cap.admit('x.example', '\x01\x02', day1)).toBe('(not set)');
  });

  it('allowed prop values: redacted, at most a fixed number per site, key and day', () => {
    const cap = new PropValueCap(2);
    const day1 = Date.UTC(2026, 10, 20, 12);
    expect(['pro', 'ann@example.com', 'basic', 'pro', true, null].map((v) => cap.admit('example.com', 'plan', v, day1))).toEqual(['pro', ':id', OTHER_NAME, 'pro', OTHER_NAME, OTHER_NAME]);
    // Each key (and site) has its own allowance.
    expect(cap.admit('example.com', 'author', 'ann', day1)).toBe('ann');
    expect(cap.folded).toBe(3);
    expect(cap.admit('example.com', 'plan', 'basic', day1 + 86_400_000)).toBe('basic');
  });
});
