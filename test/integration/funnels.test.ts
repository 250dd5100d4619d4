// Funnels (issue 9 §3) over real HTTP and chDB on a test clock: a visitor advances when they reach
// the next step after the previous one the same UTC day; skipped and out-of-order steps do not
// count; step 2 after UTC midnight does not count (the daily visitor key is all there is); the
// numbers per step, drop-off and rates, by campaign and channel, with k-anonymity; and the API's
// validation, permissions and audit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';
import { createUser, signIn, type CookieClient } from '../helpers/accounts.ts';

let t: TestTelmark;
let marketer: CookieClient;
let viewer: CookieClient;
let funnelId: string;
const goal: Record<string, string> = {};

const SPRING = 'https://example.com/pricing?utm_source=google&utm_medium=cpc&utm_campaign=spring';
const SUMMER = 'https://example.com/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=summer';
const PRICING = 'https://example.com/pricing';
const WELCOME = 'https://example.com/welcome';

const send = async (body: Record<string, unknown>, ip: string) =>
  expect((await t.beacon({ d: 'example.com', ...body }, { 'x-forwarded-for': ip })).status).toBe(202);
const view = (url: string, ip: string) => send({ n: 'pageview', u: url, r: null }, ip);
const signup = (ip: string) => send({ n: 'Signup', u: 'https://example.com/join' }, ip);
const minute = () => t.clock.advance(60);

const stats = (query = 'from=2026-11-20&to=2026-11-21', client = marketer) => client.get(`/api/v1/sites/example.com/funnels/${funnelId}/stats?${query}`);
const visitorsOf = (json: any) => json.steps.map((s: any) => s.visitors);

beforeAll(async () => {
  // A step reached by a single visitor is not shown.
  t = await startTestTelmark({ PRIVACY_MIN_VISITORS: '2' });
  await createUser(t, 'mia@example.com', ['marketer'], { sites: ['example.com'] });
  await createUser(t, 'vic@example.com', ['viewer'], { sites: ['example.com'] });
  marketer = (await signIn(t, 'mia@example.com', { now: t.clock.now })).client;
  viewer = (await signIn(t, 'vic@example.com', { now: t.clock.now })).client;
  for (const [key, body] of Object.entries({
    pricing: { type: 'page', path: '/pricing', display_name: 'Pricing' },
    signup: { type: 'event', event_name: 'Signup' },
    welcome: { type: 'page', path: '/welcome', display_name: 'Welcome' },
  })) {
    const res = await marketer.post('/api/v1/sites/example.com/goals', body);
    expect(res.status).toBe(201);
    goal[key] = res.json.goal.id;
  }
  // Before the funnel exists: this visitor's step 1 is not counted, and nothing they do later
  // without reaching step 1 again is.
  await view(PRICING, '198.51.100.9');
  minute();

  const created = await marketer.post('/api/v1/sites/example.com/funnels', { name: 'Signup funnel', steps: [goal.pricing, goal.signup, goal.welcome] });
  expect(created.status).toBe(201);
  funnelId = created.json.funnel.id;
  minute();

  // A and B: the spring ad, all three steps in order.
  // (Addresses differ in their /24: the collector keeps only that much of them.)
  for (const ip of ['203.0.111.10', '203.0.112.10']) {
    await view(SPRING, ip);
    await signup(ip);
    await view(WELCOME, ip);
  }
  // C: the summer newsletter, all three steps in order.
  await view(SUMMER, '203.0.113.10');
  await signup('203.0.113.10');
  await view(WELCOME, '203.0.113.10');
  // D (Direct): step 1, then step 3, skipping step 2: counts for step 1 only.
  await view(PRICING, '203.0.114.10');
  await view(WELCOME, '203.0.114.10');
  // E (Direct): steps 3, 2, then 1 (out of order): counts for step 1 only; step 1 again changes nothing.
  await view(WELCOME, '203.0.115.10');
  await signup('203.0.115.10');
  await view(PRICING, '203.0.115.10');
  await view(PRICING, '203.0.115.10');
  // The visitor from before the funnel: signs up and welcomes without step 1: nothing.
  await signup('198.51.100.9');
  await view(WELCOME, '198.51.100.9');

  // F (Direct): step 1 at 23:30 UTC, step 2 and 3 at 00:10 the next UTC day: a new daily key, so
  // only step 1 counts (the same-day rule).
  t.clock.ms = T0 + 13.5 * 3600_000;
  await view(PRICING, '203.0.116.10');
  t.clock.advance(40 * 60);
  await signup('203.0.116.10');
  await view(WELCOME, '203.0.116.10');
  await t.flush();
}, 90_000);
afterAll(async () => {
  await t?.destroy();
});

describe('funnel counts', () => {
  it('per step: unique visitors who reached it in order the same day, drop-off, and rates from step 1 and from the previous step', async () => {
    const { status, json } = await stats();
    expect(status).toBe(200);
    // Step 1: A, B, C, D, E, F. Step 2: A, B, C (D skipped it, E did it before step 1, F after
    // midnight). Step 3: A, B, C.
    expect(json.steps).toEqual([
      { step: 1, goal: 'Pricing', visitors: 6, dropoff: 0, conversion_rate_from_first: 100, conversion_rate_from_previous: 100 },
      { step: 2, goal: 'Signup', visitors: 3, dropoff: 3, conversion_rate_from_first: 50, conversion_rate_from_previous: 50 },
      { step: 3, goal: 'Welcome', visitors: 3, dropoff: 0, conversion_rate_from_first: 50, conversion_rate_from_previous: 100 },
    ]);
    expect(json.counting_since).toBe(json.funnel.created_at);
    expect(json.funnel).toMatchObject({ id: funnelId, name: 'Signup funnel', steps: [{ step: 1, goal_id: goal.pricing, goal: 'Pricing' }, { step: 2, goal: 'Signup' }, { step: 3, goal: 'Welcome' }] });
    expect(json.note).toBeUndefined();
  });

  it('the same-day rule: on the second UTC day nobody advanced past step 1 (F\'s step 2 came after midnight)', async () => {
    expect(visitorsOf((await stats('from=2026-11-21&to=2026-11-21')).json)).toEqual([0, 0, 0]);
    // F's step 1 was on the first day (23:30 UTC): 6 visitors at step 1 that day.
    expect(visitorsOf((await stats('from=2026-11-20&to=2026-11-20')).json)).toEqual([6, 3, 3]);
  });

  it('filtered by campaign, source and channel: the acquisition the visitor had at step 1', async () => {
    const spring = (await stats('from=2026-11-20&to=2026-11-21&utm_campaign=spring')).json;
    expect(spring.steps.map((s: any) => [s.visitors, s.dropoff, s.conversion_rate_from_first, s.conversion_rate_from_previous])).toEqual([
      [2, 0, 100, 100],
      [2, 0, 100, 100],
      [2, 0, 100, 100],
    ]);
    expect(spring.filters).toEqual({ utm_campaign: 'spring' });
    // Direct: D, E and F reached step 1; none went further.
    const direct = (await stats('from=2026-11-20&to=2026-11-21&channel=Direct')).json;
    expect(direct.steps.map((s: any) => [s.visitors, s.dropoff, s.conversion_rate_from_first, s.conversion_rate_from_previous])).toEqual([
      [3, 0, 100, 100],
      [0, 3, 0, 0],
      [0, 0, 0, 0],
    ]);
    const newsletter = await stats('from=2026-11-20&to=2026-11-21&source=nothing-like-this');
    expect(visitorsOf(newsletter.json)).toEqual([0, 0, 0]);
  });

  it('k-anonymity: a step reached by fewer than PRIVACY_MIN_VISITORS visitors is null, and so is what it would reveal', async () => {
    // summer: C alone.
    const { status, json } = await stats('from=2026-11-20&to=2026-11-21&utm_campaign=summer');
    expect(status).toBe(200);
    expect(json.steps.map((s: any) => [s.visitors, s.dropoff, s.conversion_rate_from_first, s.conversion_rate_from_previous])).toEqual([
      [null, null, null, null],
      [null, null, null, null],
      [null, null, null, null],
    ]);
    expect(json.note).toMatch(/fewer than 2 visitors/);
  });

  it('date_range presets end today in the site\'s zone (the clock is on the second day)', async () => {
    expect(visitorsOf((await stats('date_range=day')).json)).toEqual([0, 0, 0]);
    expect(visitorsOf((await stats('date_range=7d')).json)).toEqual([6, 3, 3]);
    expect(visitorsOf((await stats('')).json)).toEqual([6, 3, 3]);
  });

  it('the same numbers once the first day is closed into the day cube', async () => {
    t.clock.ms = T0 + 16 * 3600_000; // 02:00 UTC on the second day
    await t.closeDays();
    const rs = await t.store.client.query({ query: `SELECT toString(day) AS d, step, sum(visitors) AS v FROM ${t.store.table('funnel_steps_day')} FINAL GROUP BY d, step ORDER BY d, step`, format: 'JSONEachRow' });
    expect((await rs.json<{ d: string; step: string; v: string }>()).map((r) => `${r.d} ${r.step} ${r.v}`)).toEqual(['2026-11-20 1 6', '2026-11-20 2 3', '2026-11-20 3 3']);
    expect((await stats()).json.steps.map((s: any) => [s.visitors, s.dropoff])).toEqual([[6, 0], [3, 3], [3, 0]]);
    expect(visitorsOf((await stats('from=2026-11-20&to=2026-11-21&utm_campaign=spring')).json)).toEqual([2, 2, 2]);
  });

  it('the cube holds only aggregates: no per-visitor path (one row per funnel, step and acquisition, with a visitor sketch)', async () => {
    const rs = await t.store.client.query({ query: `SELECT step, channel, utm_campaign, sum(events) AS e FROM ${t.store.table('funnel_steps_hour')} GROUP BY step, channel, utm_campaign ORDER BY step, channel, utm_campaign`, format: 'JSONEachRow' });
    const rows = await rs.json<{ step: string; channel: string; utm_campaign: string; e: string }>();
    expect(rows.map((r) => `${r.step} ${r.channel} ${r.utm_campaign} ${r.e}`)).toEqual([
      '1 Direct  3',
      '1 Email summer 1',
      '1 Paid Search spring 2',
      '2 Email summer 1',
      '2 Paid Search spring 2',
      '3 Email summer 1',
      '3 Paid Search spring 2',
    ]);
  });
});

describe('funnels API', () => {
  const post = (body: unknown, client = marketer) => client.post('/api/v1/sites/example.com/funnels', body);

  it('lists the site\'s funnels to readers of its statistics', async () => {
    const { status, json } = await viewer.get('/api/v1/sites/example.com/funnels');
    expect(status).toBe(200);
    expect(json.funnels.map((f: any) => f.name)).toEqual(['Signup funnel']);
    expect((await stats(undefined, viewer)).status).toBe(200);
  });

  it('400 naming the field: name, steps (2 to 8, distinct, goals of this site)', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ steps: [goal.pricing, goal.signup] }, /^name: /],
      [{ name: ' ', steps: [goal.pricing, goal.signup] }, /^name: must not be empty/],
      [{ name: 'x' }, /^steps: /],
      [{ name: 'x', steps: [goal.pricing] }, /^steps: at least 2 steps/],
      [{ name: 'x', steps: Array.from({ length: 9 }, (_, i) => `g_${i}`) }, /^steps: at most 8 steps/],
      [{ name: 'x', steps: [goal.pricing, goal.pricing] }, /^steps: each goal at most once/],
      [{ name: 'x', steps: [goal.pricing, 'g_0000000000000000'] }, /^steps\.1: no goal "g_0000000000000000" on example\.com/],
    ];
    for (const [body, error] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error).toMatch(error);
    }
  });

  it('409 for a name the site has already (any case)', async () => {
    const res = await post({ name: 'signup FUNNEL', steps: [goal.pricing, goal.welcome] });
    expect(res.status).toBe(409);
    expect(res.json.error).toMatch(/^name: /);
  });

  it('only site-settings:write changes funnels; other sites are 404; bad date ranges are 400', async () => {
    expect((await post({ name: 'Viewer funnel', steps: [goal.pricing, goal.welcome] }, viewer)).status).toBe(403);
    expect((await viewer.del(`/api/v1/sites/example.com/funnels/${funnelId}`)).status).toBe(403);
    expect((await marketer.get('/api/v1/sites/other.example/funnels')).status).toBe(404);
    expect((await marketer.get('/api/v1/sites/example.com/funnels/f_0000000000000000/stats')).status).toBe(404);
    for (const [q, field] of [['date_range=realtime', 'date_range'], ['date_range=5d', 'date_range'], ['from=2026-11-20', 'to'], ['from=2026-11-21&to=2026-11-20', 'from'], ['from=x&to=2026-11-20', 'from']]) {
      const res = await stats(q);
      expect(res.status, q).toBe(400);
      expect(res.json.error.startsWith(`${field}: `), `${q}: ${res.json.error}`).toBe(true);
    }
  });

  it('creates and deletes, audited; a deleted funnel is 404 and no longer counted', async () => {
    const made = await post({ name: 'Short funnel', steps: [goal.signup, goal.welcome] });
    expect(made.status).toBe(201);
    const id = made.json.funnel.id as string;
    expect(id).toMatch(/^f_[0-9a-f]{16}$/);
    expect(made.json.funnel.counting_since).toBe(new Date(t.clock.ms).toISOString());
    expect((await marketer.del(`/api/v1/sites/example.com/funnels/${id}`)).json).toEqual({ deleted: true });
    expect((await marketer.get(`/api/v1/sites/example.com/funnels/${id}/stats`)).status).toBe(404);
    expect((await marketer.del(`/api/v1/sites/example.com/funnels/${id}`)).status).toBe(404);
    // The collector reloaded at once: events for the deleted funnel book nothing.
    await signup('203.0.120.10');
    await view(WELCOME, '203.0.120.10');
    await t.flush();
    const rs = await t.store.client.query({ query: `SELECT count() AS n FROM ${t.store.table('funnel_steps_hour')} WHERE funnel_id = {id:String}`, query_params: { id }, format: 'JSONEachRow' });
    expect(Number((await rs.json<{ n: string }>())[0]!.n)).toBe(0);
    const audit = await t.store.client.query({ query: `SELECT action, detail FROM ${t.store.table('audit_log')} WHERE action LIKE 'funnel.%' ORDER BY ts`, format: 'JSONEachRow' });
    expect((await audit.json<{ action: string; detail: string }>()).map((r) => r.action).sort()).toEqual(['funnel.create', 'funnel.create', 'funnel.delete']);
  });
});
