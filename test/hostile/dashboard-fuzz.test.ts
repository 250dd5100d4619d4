// Issue 11 §2, the read side: fast-check against the Stats API (POST /api/v2/query) and the other
// JSON routes of the dashboard (goals, allowed props, funnels and their stats, ad spend as JSON and
// CSV, shared links, the export's query parameters, realtime), over real HTTP against a real
// telmark on embedded ClickHouse: only 2xx or a 4xx with a JSON reason, never a 5xx. And user
// values never reach SQL as text: quotes, backslashes and SQL fragments filter exactly.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATE_PRESETS } from '../../dashboard/server/stats/date-range.ts';
import { DIMENSIONS, METRICS, TIME_DIMENSIONS } from '../../dashboard/server/stats/dimensions.ts';
import { oddString } from '../../scripts/faults/hostile-beacons.ts';
import { CookieClient, createUser, signIn } from '../helpers/accounts.ts';
import { pageview, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const SITE = 'example.com';

/** Campaign names a marketer might really use, quotes and all, with their visitors (one per address). */
const CAMPAIGNS: Array<[name: string, visitors: number]> = [
  ['plain', 3],
  ["it's", 2],
  ['back\\slash', 1],
  ['50%_off', 1],
  ['"quoted"', 1],
];
const TOTAL_VISITORS = CAMPAIGNS.reduce((n, [, v]) => n + v, 0);

/** Text that would change a query if it were pasted into SQL (or into a template). */
const SQL_FRAGMENTS = ["x' OR 1=1 --", "'); DROP TABLE sites; --", "' UNION SELECT * FROM system.users --", '\\', "\\'", '{site:String}', '`name`', '${x}', '%', '_', '__proto__', 'constructor', '\u0000', '1; SELECT 1'];
const junk = fc.oneof(fc.constantFrom(...SQL_FRAGMENTS), oddString(30));

/** A string as it may appear in a URL path segment (lone surrogates become U+FFFD first, as a browser would). */
const segment = (s: string) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));

let t: TestTelmark;
let marketer: CookieClient;
let goalIds: string[] = [];
let funnelId = '';

beforeAll(async () => {
  t = await startTestTelmark();
  let ip = 1;
  for (const [name, visitors] of CAMPAIGNS) {
    for (let i = 0; i < visitors; i++) {
      // One /24 per visitor: addresses are truncated to /24 before the visitor key is made.
      const res = await t.beacon(pageview(`https://example.com/landing?utm_source=news&utm_campaign=${encodeURIComponent(name)}`), { 'x-forwarded-for': `198.51.${ip++}.10` });
      expect(res.status).toBe(202);
    }
  }
  await t.flush();
  await createUser(t, 'marketer@example.com', ['marketer'], { sites: [SITE] });
  marketer = (await signIn(t, 'marketer@example.com', { now: t.clock.now })).client;
  for (const body of [
    { type: 'event', event_name: 'Signup', currency: 'EUR' },
    { type: 'page', path: '/landing' },
  ]) {
    const res = await marketer.post(`/api/v1/sites/${SITE}/goals`, body);
    expect(res.status).toBe(201);
    goalIds.push(res.json.goal.id);
  }
  const funnel = await marketer.post(`/api/v1/sites/${SITE}/funnels`, { name: 'Landing to signup', steps: [goalIds[1], goalIds[0]] });
  expect(funnel.status).toBe(201);
  funnelId = funnel.json.funnel.id;
});
afterAll(async () => {
  await t?.destroy();
});

/** 2xx, or a 4xx whose JSON body says why; anything else is the failure message. */
function answerProblem(status: number, json: unknown): string | undefined {
  if (status >= 200 && status < 300) return undefined;
  const error = typeof json === 'object' && json !== null ? (json as { error?: unknown }).error : undefined;
  if (status >= 400 && status < 500 && typeof error === 'string' && error.length > 0) return undefined;
  return `answered ${status} ${JSON.stringify(json).slice(0, 200)}`;
}

/** Lines the dashboard logs when a route throws (its 500 path). */
const failures = () => t.logs.filter((l) => / failed: /.test(l));

describe('user values never reach SQL as text', () => {
  const campaignVisitors = async (op: string, values: string[]) => {
    const res = await t.query({ site_id: SITE, metrics: ['visitors'], date_range: 'day', dimensions: ['visit:utm_campaign'], filters: [[op, 'visit:utm_campaign', values]] });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    return Object.fromEntries((res.json.results as Array<{ dimensions: string[]; metrics: number[] }>).map((r) => [r.dimensions[0], r.metrics[0]]));
  };

  it('filter values with quotes, backslashes and SQL fragments match exactly what was stored, nothing more', async () => {
    // Unfiltered: every campaign with its visitors.
    const all = await t.query({ site_id: SITE, metrics: ['visitors'], date_range: 'day', dimensions: ['visit:utm_campaign'] });
    expect(Object.fromEntries(all.json.results.map((r: { dimensions: string[]; metrics: number[] }) => [r.dimensions[0], r.metrics[0]]))).toEqual(Object.fromEntries(CAMPAIGNS));
    // An injection attempt is one more value that no visit has: zero rows, not all rows.
    expect(await campaignVisitors('is', ["x' OR 1=1 --"])).toEqual({});
    expect(await campaignVisitors('is', ["'); DROP TABLE sites; --", "' OR ''='"])).toEqual({});
    expect(await campaignVisitors('contains', ["' OR 1=1 --"])).toEqual({});
    // Stored values with quotes and backslashes are found exactly.
    expect(await campaignVisitors('is', ["it's"])).toEqual({ "it's": 2 });
    expect(await campaignVisitors('is', ['back\\slash'])).toEqual({ 'back\\slash': 1 });
    expect(await campaignVisitors('is', ['"quoted"'])).toEqual({ '"quoted"': 1 });
    // contains is a substring test, not LIKE: % and _ are plain characters.
    expect(await campaignVisitors('contains', ['%'])).toEqual({ '50%_off': 1 });
    expect(await campaignVisitors('contains', ['_'])).toEqual({ '50%_off': 1 });
    expect(await campaignVisitors('contains', ["'"])).toEqual({ "it's": 2 });
    expect(await campaignVisitors('contains', ['\\'])).toEqual({ 'back\\slash': 1 });
    expect(await campaignVisitors('is_not', ["x' OR 1=1 --"])).toEqual(Object.fromEntries(CAMPAIGNS));
    // Totals under an injection filter: no row (a group of no visitors is not shown), where the
    // unfiltered totals hold all TOTAL_VISITORS.
    const total = await t.query({ site_id: SITE, metrics: ['visitors'], date_range: 'day', filters: [['is', 'visit:utm_campaign', ["x' OR 1=1 --"]]] });
    expect(total.status).toBe(200);
    expect(total.json.results).toEqual([]);
    expect((await t.query({ site_id: SITE, metrics: ['visitors'], date_range: 'day' })).json.results[0].metrics[0]).toBe(TOTAL_VISITORS);
  });

  it('dimensions, metrics, order_by, prop keys and sites made of SQL are refused by name (400), never run', async () => {
    const bodies: Array<[Record<string, unknown>, RegExp]> = [
      [{ site_id: SITE, metrics: ['visitors'], date_range: 'day', dimensions: ["visit:source'; DROP TABLE sites; --"] }, /dimension/],
      [{ site_id: SITE, metrics: ['visitors) FROM system.users --'], date_range: 'day' }, /^metrics: unknown metric/],
      [{ site_id: SITE, metrics: ['visitors'], date_range: 'day', dimensions: ['visit:source'], order_by: [['visitors; DROP TABLE sites', 'desc']] }, /order_by/],
      [{ site_id: SITE, metrics: ['visitors'], date_range: 'day', dimensions: ["event:props:x' OR 1=1 --"] }, /prop/],
      [{ site_id: SITE, metrics: ['visitors'], date_range: 'day', filters: [['is', "visit:source') OR 1=1 --", ['x']]] }, /dimension|filter/],
      [{ site_id: "example.com' OR 1=1 --", metrics: ['visitors'], date_range: 'day' }, /unknown site/],
      [{ site_id: SITE, metrics: ['visitors'], date_range: ["2026-11-01' OR 1=1 --", '2026-11-20'] }, /date/],
    ];
    for (const [body, error] of bodies) {
      const res = await t.query(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json.error, JSON.stringify(body)).toMatch(error);
    }
    // The sites table is still there, and so is every visitor.
    expect((await t.query({ site_id: SITE, metrics: ['visitors'], date_range: 'day' })).json.results[0].metrics[0]).toBe(TOTAL_VISITORS);
  });
});

describe('the Stats API under fast-check', () => {
  const dims = [...Object.keys(DIMENSIONS), ...TIME_DIMENSIONS, 'event:props:plan', 'event:props:__proto__'];
  const dim = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...dims) }, { weight: 1, arbitrary: junk });
  const metric = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...METRICS) }, { weight: 1, arbitrary: junk });
  const day = fc.oneof(
    fc.date({ min: new Date('1900-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    fc.constantFrom('2026-11-20', '2026-11-01', '2026-02-30', '2026-13-01', '0000-00-00', '20261120', '2026-11-20T10:00:00Z', '-002026-11-20'),
    junk,
  );
  const dateRange = fc.oneof(fc.constantFrom(...DATE_PRESETS), fc.tuple(day, day), junk, fc.jsonValue({ maxDepth: 1 }));
  const filter = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(fc.oneof(fc.constantFrom('is', 'is_not', 'contains'), junk), dim, fc.array(fc.oneof(junk, fc.string({ maxLength: 3000 })), { maxLength: 4 })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
  const number = fc.oneof(fc.integer({ min: -5, max: 20 }), fc.integer(), fc.double(), fc.constantFrom(1e21, -0, 10_000, 10_001, 1_000_000, 1_000_001), junk);
  const statsBody = fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record(
        {
          site_id: fc.oneof(fc.constantFrom(SITE, 'EXAMPLE.COM', 'www.example.com', 'other.example'), junk),
          metrics: fc.array(metric, { maxLength: 6 }),
          date_range: dateRange,
          dimensions: fc.array(dim, { maxLength: 3 }),
          filters: fc.array(filter, { maxLength: 3 }),
          order_by: fc.array(fc.tuple(fc.oneof(metric, dim), fc.oneof(fc.constantFrom('asc', 'desc'), junk)), { maxLength: 2 }),
          pagination: fc.oneof(fc.record({ limit: number, offset: number }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 1 })),
          include: fc.oneof(
            fc.record({ comparisons: fc.oneof(fc.record({ mode: fc.oneof(fc.constantFrom('previous_period', 'year_over_year', 'custom'), junk), date_range: fc.tuple(day, day), match_day_of_week: fc.oneof(fc.boolean(), junk) }, { requiredKeys: ['mode'] }), fc.constant(null), fc.jsonValue({ maxDepth: 1 })) }),
            fc.jsonValue({ maxDepth: 2 }),
          ),
        },
        { requiredKeys: ['site_id', 'metrics', 'date_range'] },
      ),
    },
    // A real query with a top-level "__proto__" (an own key, as JSON.parse makes it).
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(['visitors'], ['pageviews', 'bounce_rate']), fc.jsonValue({ maxDepth: 2 })).map(([metrics, payload]) => {
        const body: Record<string, unknown> = { site_id: SITE, metrics, date_range: 'day' };
        Object.defineProperty(body, '__proto__', { value: payload, enumerable: true, writable: true, configurable: true });
        return body;
      }),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );

  it('answers every body 200 or a 4xx with a JSON reason, never a 5xx', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(statsBody, async (body) => {
        const res = await fetch(`${t.dashboardUrl}/api/v2/query`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${t.statsApiKey}` },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        });
        const text = await res.text();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        const problem = answerProblem(res.status, json);
        if (problem) throw new Error(`${problem}\nbody: ${JSON.stringify(body).slice(0, 400)}`);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }),
      { numRuns: 500, seed: SEED },
    );
    // Not vacuous: many bodies were real queries that ran, many were refused.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(200);
    expect(failures()).toEqual([]);
  });
});

describe('the other JSON routes under fast-check', () => {
  it('stores text with lone surrogates as U+FFFD (found by this fuzz: PUT props answered 500, the insert refused it)', async () => {
    const props = await marketer.call('PUT', `/api/v1/sites/${SITE}/props`, '{"allowed":["plan\\ud800","\\udc00"]}');
    expect(props.status).toBe(200);
    expect(props.json.allowed).toEqual(['plan\ufffd', '\ufffd']);
    const link = await marketer.call('POST', `/api/v1/sites/${SITE}/shared-links`, '{"label":"board \\ud83d report"}');
    expect(link.status).toBe(201);
    expect(link.json.link.label).toBe('board \ufffd report');
    expect(failures()).toEqual([]);
  });

  const site = fc.oneof({ weight: 6, arbitrary: fc.constant(SITE) }, { weight: 1, arbitrary: fc.constantFrom('other.example', 'EXAMPLE.COM', '..', '%2e%2e') }, { weight: 1, arbitrary: junk });
  // Built when called (inside the test): the ids exist only after beforeAll.
  const id = () => fc.oneof(fc.constantFrom(...goalIds, funnelId), junk);
  const funnel = () => fc.oneof({ weight: 3, arbitrary: fc.constant(funnelId) }, { weight: 1, arbitrary: junk });
  const day = fc.oneof(fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)), fc.constantFrom('2026-11-31', '2026-11-20'), junk);
  const money = fc.oneof(fc.constantFrom('12.34', '0', '-1', '1e5', '0.000000001', '99999999999999999999', '1,000.00', '€5'), fc.double(), junk);
  /** Absent half the time (fast-check's default is a fifth). */
  const maybe = <T,>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
  const query = (params: Record<string, string | undefined>) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
    const s = q.toString();
    return s ? `?${s}` : '';
  };

  type Call = { method: string; path: string; body?: unknown; type?: string };
  const calls = (): fc.Arbitrary<Call> => fc.oneof(
    fc.tuple(site, fc.oneof(fc.record({ type: fc.oneof(fc.constantFrom('event', 'page', 'scroll'), junk), event_name: junk, path: fc.oneof(fc.constantFrom('/blog/**', '/a/*', '/', '**', '/x?y', '/***'), junk), threshold: fc.oneof(fc.integer({ min: -1, max: 101 }), fc.double(), junk), currency: fc.oneof(fc.constantFrom('EUR', 'usd', 'XXX'), junk), props: fc.oneof(fc.dictionary(junk, junk, { maxKeys: 4 }), fc.jsonValue({ maxDepth: 2 })), display_name: junk }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 2 }))).map(([s, body]) => ({ method: 'POST', path: `/api/v1/sites/${segment(s)}/goals`, body })),
    fc.tuple(site, fc.oneof(fc.record({ allowed: fc.array(junk, { maxLength: 35 }) }), fc.jsonValue({ maxDepth: 2 }))).map(([s, body]) => ({ method: 'PUT', path: `/api/v1/sites/${segment(s)}/props`, body })),
    fc.tuple(site, fc.oneof(fc.record({ name: junk, steps: fc.array(id(), { maxLength: 9 }) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 2 }))).map(([s, body]) => ({ method: 'POST', path: `/api/v1/sites/${segment(s)}/funnels`, body })),
    fc.tuple(site, funnel(), fc.record({ date_range: maybe(fc.oneof(fc.constantFrom(...DATE_PRESETS), junk)), from: maybe(day), to: maybe(day), utm_campaign: maybe(junk), source: maybe(junk), channel: maybe(junk) })).map(([s, i, q]) => ({ method: 'GET', path: `/api/v1/sites/${segment(s)}/funnels/${segment(i)}/stats${query(q)}` })),
    fc
      .tuple(
        site,
        fc.oneof(
          fc.record({
            rows: fc.array(fc.oneof(fc.record({ date: day, utm_source: junk, utm_campaign: junk, utm_medium: junk, spend: money, currency: fc.oneof(fc.constantFrom('EUR', 'usd'), junk), clicks: fc.oneof(fc.integer(), junk), impressions: fc.oneof(fc.integer(), junk) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 1 })), { maxLength: 5 }),
            map: maybe(fc.oneof(fc.dictionary(junk, junk, { maxKeys: 3 }), fc.jsonValue({ maxDepth: 1 }))),
            defaults: maybe(fc.oneof(fc.dictionary(fc.constantFrom('utm_source', 'currency', 'utm_medium', '__proto__'), junk, { maxKeys: 3 }), fc.jsonValue({ maxDepth: 1 }))),
          }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        fc.constantFrom('true', 'false', 'yes', ''),
      )
      .map(([s, body, dry]) => ({ method: 'POST', path: `/api/v1/sites/${segment(s)}/ad-spend?dry_run=${dry}`, body })),
    fc
      .tuple(site, fc.array(fc.array(fc.oneof(junk, day, money), { maxLength: 6 }), { maxLength: 5 }), fc.boolean())
      .map(([s, rows, header]) => ({
        method: 'POST',
        path: `/api/v1/sites/${segment(s)}/ad-spend?dry_run=true`,
        type: 'text/csv',
        body: [...(header ? ['date,utm_source,utm_campaign,spend,currency'] : []), ...rows.map((r) => r.map(String).join(','))].join('\n'),
      })),
    fc.tuple(site, fc.constantFrom('GET', 'DELETE'), day, day).map(([s, method, from, to]) => ({ method, path: `/api/v1/sites/${segment(s)}/ad-spend${query({ from, to })}` })),
    fc.tuple(site, fc.oneof(fc.record({ label: junk, password: maybe(fc.oneof(junk, fc.constantFrom('short', 'correct-horse-battery-staple-42'))), expires_at: maybe(fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), junk)) }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 2 }))).map(([s, body]) => ({ method: 'POST', path: `/api/v1/sites/${segment(s)}/shared-links`, body })),
    fc.tuple(site, fc.constantFrom('goals', 'funnels', 'shared-links'), junk).map(([s, what, i]) => ({ method: 'DELETE', path: `/api/v1/sites/${segment(s)}/${what}/${segment(i)}` })),
    fc.tuple(site, fc.record({ date_range: maybe(fc.oneof(fc.constantFrom(...DATE_PRESETS), fc.tuple(day, day).map((r) => r.join(',')), junk)), filters: maybe(fc.oneof(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), junk)) })).map(([s, q]) => ({ method: 'GET', path: `/api/v1/sites/${segment(s)}/export${query(q)}` })),
    fc.oneof(junk, fc.constant(SITE)).map((s) => ({ method: 'GET', path: `/api/v1/stats/realtime/visitors${query({ site_id: s })}` })),
    // Not JSON at all, under a JSON content type.
    fc.tuple(site, fc.constantFrom('goals', 'funnels', 'shared-links', 'ad-spend'), fc.string({ unit: 'binary', maxLength: 100 })).map(([s, what, text]) => ({ method: 'POST', path: `/api/v1/sites/${segment(s)}/${what}`, body: text, type: 'application/json' })),
  );

  it('answers every call 2xx or a 4xx with a JSON reason, never a 5xx', async () => {
    const byRoute = new Map<string, number[]>();
    await fc.assert(
      fc.asyncProperty(calls(), async (call) => {
        const res = await marketer.call(call.method, call.path, call.body, call.type ? { 'content-type': call.type } : {});
        const problem = answerProblem(res.status, res.json);
        if (problem) throw new Error(`${call.method} ${call.path}: ${problem}\nbody: ${JSON.stringify(call.body)?.slice(0, 400)}`);
        const route = `${call.method} ${call.path.replace(/^\/api\/v1\/(sites|stats)\/[^/]+/, '').split('?')[0]!.replace(/\/[^/]+\/stats$/, '/:id/stats')}`;
        byRoute.set(route, [...(byRoute.get(route) ?? []), res.status]);
      }),
      { numRuns: 600, seed: SEED },
    );
    // Not vacuous: the generators reached the routes, and some calls got through validation.
    const ok = (prefix: string) => [...byRoute].filter(([r]) => r.startsWith(prefix)).flatMap(([, s]) => s).filter((s) => s < 300).length;
    for (const route of ['POST /goals', 'PUT /props', 'POST /funnels', 'GET /funnels/:id/stats', 'POST /ad-spend', 'POST /shared-links', 'GET /export']) {
      expect([...byRoute.keys()].some((r) => r.startsWith(route)), route).toBe(true);
    }
    expect(ok('GET /export')).toBeGreaterThan(0);
    expect(ok('PUT /props')).toBeGreaterThan(0);
    expect(ok('GET /funnels/:id/stats')).toBeGreaterThan(0);
    expect(failures()).toEqual([]);
    // Still whole: the traffic reads as before.
    expect((await t.query({ site_id: SITE, metrics: ['visitors'], date_range: 'day' })).json.results[0].metrics[0]).toBe(TOTAL_VISITORS);
  });
});
