// Goals and allowed prop keys per site (issue 8 §2 and §5's settings API) over real HTTP and
// chDB: Plausible's three kinds with their default display names, 400 naming the field, 409 for
// a duplicate name, who may (admins and marketers, by session or key) and on which sites.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePathPattern, pathPatternProblem } from '../../collector/goals/path-pattern.ts';
import { auditRows, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';
import { CookieClient, createUser, signIn } from '../helpers/accounts.ts';

let t: TestTelmark;
let marketer: CookieClient;
const GOALS = '/api/v1/sites/example.com/goals';

beforeAll(async () => {
  t = await startTestTelmark({ SITES: 'example.com,other.example' });
  await createUser(t, 'mia@example.com', ['marketer'], { sites: ['example.com'] });
  marketer = (await signIn(t, 'mia@example.com', { now: t.clock.now })).client;
}, 60_000);
afterAll(async () => {
  await t?.destroy();
});

describe('goals', () => {
  it('creates the three kinds with Plausible\'s default display names; event goals count their history, the others since they were made', async () => {
    const signup = await marketer.post(GOALS, { type: 'event', event_name: 'Signup', currency: 'eur' });
    expect(signup.status).toBe(201);
    expect(signup.json.goal).toEqual({
      id: expect.stringMatching(/^g_[0-9a-f]{16}$/),
      type: 'event',
      display_name: 'Signup',
      event_name: 'Signup',
      props: {},
      currency: 'EUR',
      created_at: new Date(t.clock.now()).toISOString(),
      counting_since: null,
    });
    const page = await marketer.post(GOALS, { type: 'page', path: '/thank-you' });
    expect(page.json.goal).toMatchObject({ type: 'page', display_name: 'Visit /thank-you', path: '/thank-you', counting_since: new Date(t.clock.now()).toISOString() });
    const scroll = await marketer.post(GOALS, { type: 'scroll', path: '/blog/**', threshold: 75 });
    expect(scroll.json.goal).toMatchObject({ type: 'scroll', display_name: 'Scroll 75% on /blog/**', threshold: 75 });
    const plan = await marketer.post(GOALS, { type: 'event', event_name: 'Signup', props: { plan: 'pro' }, display_name: 'Pro signup' });
    expect(plan.json.goal).toMatchObject({ display_name: 'Pro signup', props: { plan: 'pro' }, currency: null });
    const list = await marketer.get(GOALS);
    expect(list.json.goals.map((g: { display_name: string }) => g.display_name)).toEqual(['Signup', 'Visit /thank-you', 'Scroll 75% on /blog/**', 'Pro signup']);
  });

  it('a duplicate display name is a 409; bad input a 400 naming the field', async () => {
    const dup = await marketer.post(GOALS, { type: 'event', event_name: 'SIGNUP', display_name: 'signup' });
    expect(dup.status).toBe(409);
    expect(dup.json.error).toMatch(/^display_name: a goal named "signup" exists already/);
    // One event name is one history goal: a second would count the same events again.
    const twin = await marketer.post(GOALS, { type: 'event', event_name: 'Signup', display_name: 'Signups again' });
    expect(twin.status).toBe(409);
    expect(twin.json.error).toMatch(/^event_name: the goal "Signup" counts the event "Signup" already/);
    const cases: Array<[unknown, RegExp]> = [
      [{ event_name: 'x' }, /^type: one of event, page, scroll/],
      [{ type: 'event', event_name: '' }, /^event_name: is required/],
      [{ type: 'event', event_name: 'pageview' }, /^event_name: pageview and engagement are not custom events/],
      [{ type: 'event', event_name: 'Buy', currency: 'XXZ' }, /^currency: an ISO 4217 currency code/],
      [{ type: 'event', event_name: 'Buy', props: { a: '1', b: '2', c: '3', d: '4' } }, /^props: at most 3 prop conditions/],
      [{ type: 'page', path: 'thank-you' }, /^path: must start with "\/"/],
      [{ type: 'page', path: '/a?b=1' }, /^path: a path without spaces, query string or fragment/],
      [{ type: 'scroll', path: '/blog', threshold: 0 }, /^threshold: from 1 to 100/],
      [{ type: 'scroll', path: '/blog', threshold: 50.5 }, /^threshold: must be a whole number/],
      [{ type: 'page', path: '/x', display_name: ' ' }, /^display_name: must not be empty/],
    ];
    for (const [body, error] of cases) {
      const res = await marketer.post(GOALS, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error, JSON.stringify(body)).toMatch(error);
    }
  });

  it('deletes a goal (then its name is free again); an unknown goal is a 404', async () => {
    const goals = (await marketer.get(GOALS)).json.goals as Array<{ id: string; display_name: string }>;
    const target = goals.find((g) => g.display_name === 'Visit /thank-you')!;
    expect((await marketer.del(`${GOALS}/${target.id}`)).json).toEqual({ deleted: true });
    expect((await marketer.get(GOALS)).json.goals.map((g: { id: string }) => g.id)).not.toContain(target.id);
    expect((await marketer.del(`${GOALS}/${target.id}`)).status).toBe(404);
    expect((await marketer.post(GOALS, { type: 'page', path: '/thank-you' })).status).toBe(201);
  });

  it('admins and marketers only, on their own sites, by session or by a key with the site-settings scope', async () => {
    expect((await marketer.get('/api/v1/sites/other.example/goals')).status).toBe(404);
    expect((await marketer.get('/api/v1/sites/nope.example/goals')).status).toBe(404);
    await createUser(t, 'vic@example.com', ['viewer']);
    const viewer = (await signIn(t, 'vic@example.com', { now: t.clock.now })).client;
    // Reading goals is statistics (the dashboard shows them to every reader); changing them is not.
    expect((await viewer.get(GOALS)).status).toBe(200);
    expect((await viewer.post(GOALS, { type: 'page', path: '/x' })).status).toBe(403);
    const settingsKey = (await marketer.post('/api/auth/keys', { name: 'goals script', scopes: ['site-settings'], sites: ['example.com'] })).json.secret;
    const statsKey = (await marketer.post('/api/auth/keys', { name: 'report', scopes: ['stats:read'], sites: ['example.com'] })).json.secret;
    const withKey = (key: string, method = 'GET', body?: unknown) =>
      fetch(`${t.dashboardUrl}${GOALS}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await withKey(settingsKey)).status).toBe(200);
    expect((await withKey(settingsKey, 'POST', { type: 'event', event_name: 'Download' })).status).toBe(201);
    expect((await withKey(statsKey)).status).toBe(200);
    expect((await withKey(statsKey, 'POST', { type: 'page', path: '/y' })).status).toBe(403);
    // A viewer cannot make a key wider than their roles.
    expect((await viewer.post('/api/auth/keys', { name: 'x', scopes: ['site-settings'] })).status).toBe(403);
  });

  it('every change is audited, with the acting user', async () => {
    const rows = await auditRows(t);
    expect(rows.filter((r) => r.action === 'goal.create').length).toBe(6);
    expect(rows.filter((r) => r.action === 'goal.delete').length).toBe(1);
    expect(rows.filter((r) => r.action === 'goal.create').every((r) => r.user_id.startsWith('u_'))).toBe(true);
  });
});

describe('allowed prop keys', () => {
  it('none by default; PUT sets the list; more than 30 keys or empty keys are a 400', async () => {
    const props = '/api/v1/sites/example.com/props';
    expect((await marketer.get(props)).json).toEqual({ allowed: [] });
    expect((await marketer.call('PUT', props, { allowed: ['plan', 'author', 'plan'] })).json).toEqual({ allowed: ['plan', 'author'] });
    expect((await marketer.get(props)).json).toEqual({ allowed: ['plan', 'author'] });
    const tooMany = await marketer.call('PUT', props, { allowed: Array.from({ length: 31 }, (_, i) => `k${i}`) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.json.error).toMatch(/^allowed: at most 30 keys/);
    expect((await marketer.call('PUT', props, { allowed: [''] })).status).toBe(400);
    expect((await auditRows(t)).filter((r) => r.action === 'props.allow').length).toBe(1);
  });
});

describe('path patterns', () => {
  it('* matches within one segment, ** across segments; everything else is literal', () => {
    const one = compilePathPattern('/blog/*');
    expect(['/blog/post', '/blog/'].map(one)).toEqual([true, true]);
    expect(['/blog/a/b', '/blog', '/blogx/post'].map(one)).toEqual([false, false, false]);
    const any = compilePathPattern('/blog/**');
    expect(['/blog/a', '/blog/a/b/c'].map(any)).toEqual([true, true]);
    expect(any('/blog')).toBe(false);
    expect(compilePathPattern('/docs/*/setup')('/docs/v2/setup')).toBe(true);
    expect(compilePathPattern('/docs/*/setup')('/docs/v2/x/setup')).toBe(false);
    expect(compilePathPattern('/a.b+c')('/a.b+c')).toBe(true);
    expect(compilePathPattern('/a.b+c')('/aXb+c')).toBe(false);
    expect(pathPatternProblem('/ok/**')).toBeNull();
    expect(pathPatternProblem('/a/***')).toMatch(/not \*\*\*/);
  });
});

describe('event goals in the Stats API', () => {
  it('event:goal counts converting visitors and conversions from the event history; conversion_rate is against all visitors of the range', async () => {
    // Four people view a page; two sign up (one twice), one downloads. Each from its own network.
    const people = ['203.0.113.7', '203.0.114.7', '203.0.115.7', '203.0.116.7'];
    for (const ip of people) expect((await t.beacon({ n: 'pageview', u: 'https://example.com/', d: 'example.com' }, { 'x-forwarded-for': ip })).status).toBe(202);
    for (const ip of [people[0]!, people[0]!, people[1]!]) expect((await t.beacon({ n: 'Signup', u: 'https://example.com/join', d: 'example.com' }, { 'x-forwarded-for': ip })).status).toBe(202);
    expect((await t.beacon({ n: 'Download', u: 'https://example.com/', d: 'example.com' }, { 'x-forwarded-for': people[2]! })).status).toBe(202);
    await t.flush();
    const q = (body: Record<string, unknown>) =>
      fetch(`${t.dashboardUrl}/api/v2/query`, { method: 'POST', headers: { cookie: marketer.cookie, 'content-type': 'application/json', origin: t.dashboardUrl }, body: JSON.stringify({ site_id: 'example.com', date_range: 'day', ...body }) }).then(async (r) => ({ status: r.status, json: await r.json() }));
    const byGoal = await q({ metrics: ['visitors', 'events', 'conversion_rate'], dimensions: ['event:goal'], order_by: [['event:goal', 'asc']] });
    expect(byGoal.status).toBe(200);
    // Goals so far: Signup (event), Download (event, made with a key), plus page/scroll/prop goals
    // that count since they were made (today: nobody met them).
    expect(byGoal.json.results).toEqual([
      { dimensions: ['Download'], metrics: [1, 1, 25] },
      { dimensions: ['Signup'], metrics: [2, 3, 50] },
    ]);
    expect(byGoal.json.meta.warnings[0]).toMatch(/^counting since the goal was made \(page, scroll and prop-condition goals\): .*Visit \/thank-you since 2026-11-20/);
    const one = await q({ metrics: ['visitors', 'events', 'conversion_rate'], filters: [['is', 'event:goal', ['Signup']]] });
    expect(one.json.results).toEqual([{ dimensions: [], metrics: [2, 3, 50] }]);
    const unknown = await q({ metrics: ['visitors'], filters: [['is', 'event:goal', ['Nope']]] });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatch(/no goal named "Nope"/);
    const noGoal = await q({ metrics: ['conversion_rate'] });
    expect(noGoal.status).toBe(400);
    expect(noGoal.json.error).toMatch(/conversion_rate needs event:goal/);
    // Goals cross the acquisition dimensions, or the tech ones, or the entry page; not two of those at once.
    const bySource = await q({ metrics: ['visitors', 'events'], dimensions: ['event:goal', 'visit:channel'], order_by: [['event:goal', 'asc']] });
    expect(bySource.status).toBe(200);
    expect(bySource.json.results).toEqual([
      { dimensions: ['Download', 'Direct'], metrics: [1, 1] },
      { dimensions: ['Signup', 'Direct'], metrics: [2, 3] },
    ]);
    const byDevice = await q({ metrics: ['visitors', 'events'], dimensions: ['event:goal', 'visit:device'], order_by: [['event:goal', 'asc']] });
    expect(byDevice.json.results).toEqual([
      { dimensions: ['Download', 'desktop'], metrics: [1, 1] },
      { dimensions: ['Signup', 'desktop'], metrics: [2, 3] },
    ]);
    const crossed = await q({ metrics: ['visitors'], dimensions: ['event:goal', 'visit:device', 'visit:channel'] });
    expect(crossed.status).toBe(400);
    expect(crossed.json.error).toMatch(/cannot be combined/);
  });
});
