// Exit pages (issue 10, section 6): a visit's exit page is its last pageview's page, booked as
// +1/-1 deltas as the visit moves on. Known visits in over real HTTP, through the pipeline and a
// real embedded ClickHouse, out of the Stats API; every number below is worked out by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

let t: TestTelmark;

async function view(path: string, ip: string) {
  const res = await t.beacon(pageview(`https://example.com${path}`), { 'x-forwarded-for': ip });
  expect(res.status).toBe(202);
}

const exitPages = async (date_range: unknown = 'day', extra: Record<string, unknown> = {}) => {
  const { status, json } = await t.query({ site_id: 'example.com', metrics: ['visits', 'exit_rate'], date_range, dimensions: ['visit:exit_page'], order_by: [['visit:exit_page', 'asc']], ...extra });
  expect(status, JSON.stringify(json)).toBe(200);
  return json;
};
const totalVisits = async (date_range: unknown = 'day') => (await t.query({ site_id: 'example.com', metrics: ['visits'], date_range })).json.results[0].metrics[0];
const sumOfExits = (json: { results: Array<{ metrics: number[] }> }) => json.results.reduce((n, r) => n + r.metrics[0]!, 0);

beforeAll(async () => {
  t = await startTestTelmark();
  // Visit A: /a -> /b -> /c, a minute apart, with a flush in between (the -1 for /b lands in a later batch).
  await view('/a', '203.0.113.1');
  t.clock.advance(60);
  await view('/b', '203.0.113.1');
  await t.flush();
  t.clock.advance(60);
  await view('/c', '203.0.113.1');
  // Visit B: /a only.
  await view('/a', '198.51.100.2');
  // Visit C: /b -> /a, half a minute apart, with a custom event after the last pageview (events never move the exit).
  await view('/b', '192.0.2.3');
  t.clock.advance(30);
  await view('/a', '192.0.2.3');
  expect((await t.beacon({ n: 'Signup', u: 'https://example.com/a', d: 'example.com' }, { 'x-forwarded-for': '192.0.2.3' })).status).toBe(202);
  await t.flush();
});

afterAll(async () => {
  await t?.destroy();
});

describe('visit:exit_page', () => {
  it('counts each visit once, on the page of its last pageview, with the exit rate of the page', async () => {
    const json = await exitPages();
    // Exits: /c (A), /a (B and C); /b is never last. Pageviews: /a 3, /b 2, /c 1.
    // Exit rates: /a 2/3 = 66.7 %, /c 1/1 = 100 %.
    expect(json.results).toEqual([
      { dimensions: ['/a'], metrics: [2, 66.7] },
      { dimensions: ['/c'], metrics: [1, 100] },
    ]);
    expect(json.meta.cube).toBe('pages');
  });

  it('the exits add up to the visits', async () => {
    expect(sumOfExits(await exitPages())).toBe(3);
    expect(await totalVisits()).toBe(3);
  });

  it('a filter on the exit page gives its exits and exit rate; is_not gives the rest', async () => {
    const only = await t.query({ site_id: 'example.com', metrics: ['visits', 'exit_rate'], date_range: 'day', filters: [['is', 'visit:exit_page', ['/a']]] });
    expect(only.json.results).toEqual([{ dimensions: [], metrics: [2, 66.7] }]);
    // /b and /c: exits 0 + 1 over pageviews 2 + 1 = 33.3 %.
    const rest = await t.query({ site_id: 'example.com', metrics: ['visits', 'exit_rate'], date_range: 'day', filters: [['is_not', 'visit:exit_page', ['/a']]] });
    expect(rest.json.results).toEqual([{ dimensions: [], metrics: [1, 33.3] }]);
  });

  it('with time: the exit is booked in the minute of the last pageview', async () => {
    const { json } = await t.query({ site_id: 'example.com', metrics: ['visits'], date_range: 'day', dimensions: ['visit:exit_page', 'time:hour'], order_by: [['visit:exit_page', 'asc']] });
    expect(json.results).toEqual([
      { dimensions: ['/a', '2026-11-20 10:00:00'], metrics: [2] },
      { dimensions: ['/c', '2026-11-20 10:00:00'], metrics: [1] },
    ]);
  });

  it('a visit that ends by timeout keeps its last page; the visitor\'s next pageview opens a visit of its own', async () => {
    await view('/x', '100.64.5.44');
    t.clock.advance(31 * 60); // past the 30-minute idle limit
    await view('/y', '100.64.5.44');
    await t.flush();
    const json = await exitPages();
    expect(json.results).toEqual([
      { dimensions: ['/a'], metrics: [2, 66.7] },
      { dimensions: ['/c'], metrics: [1, 100] },
      { dimensions: ['/x'], metrics: [1, 100] },
      { dimensions: ['/y'], metrics: [1, 100] },
    ]);
    expect(sumOfExits(json)).toBe(5);
    expect(await totalVisits()).toBe(5);
  });

  it('refuses, with a 400 that says why, every metric, dimension and filter exits cannot answer', async () => {
    const refused = async (body: Record<string, unknown>, why: RegExp) => {
      const { status, json } = await t.query({ site_id: 'example.com', date_range: 'day', ...body });
      expect(status, JSON.stringify(body)).toBe(400);
      expect(json.error).toMatch(why);
    };
    await refused({ metrics: ['visitors'], dimensions: ['visit:exit_page'] }, /metric "visitors" is not available with visit:exit_page: .*visitor counts cannot be taken back.*visits, exit_rate/);
    await refused({ metrics: ['visits', 'pageviews'], dimensions: ['visit:exit_page'] }, /metric "pageviews" is not available with visit:exit_page/);
    await refused({ metrics: ['bounce_rate'], filters: [['is', 'visit:exit_page', ['/a']]] }, /metric "bounce_rate" is not available with visit:exit_page/);
    await refused({ metrics: ['visits'], dimensions: ['visit:exit_page', 'event:page'] }, /visit:exit_page cannot be combined with event:page/);
    await refused({ metrics: ['visits'], dimensions: ['visit:exit_page'], filters: [['is', 'visit:source', ['Google']]] }, /visit:exit_page and visit:source cannot be combined|cannot be combined/);
    await refused({ metrics: ['exit_rate'] }, /exit_rate needs visit:exit_page as a dimension or a filter/);
    await refused({ metrics: ['exit_rate'], dimensions: ['event:page'] }, /exit_rate needs visit:exit_page/);
  });

  it('the day closer carries the exits into the day cubes: the same numbers from closed days', async () => {
    const before = await exitPages('7d');
    t.clock.ms = Date.UTC(2026, 10, 21, 2, 0, 0); // the next day, after the closing delay
    await t.closeDays();
    const after = await exitPages('7d');
    expect(after.meta.days_from_day_cubes).toBe(1);
    expect(after.results).toEqual(before.results);
    expect(after.results).toEqual([
      { dimensions: ['/a'], metrics: [2, 66.7] },
      { dimensions: ['/c'], metrics: [1, 100] },
      { dimensions: ['/x'], metrics: [1, 100] },
      { dimensions: ['/y'], metrics: [1, 100] },
    ]);
    const rs = await t.store.client.query({ query: `SELECT path, exits FROM ${t.store.table('pages_day')} FINAL WHERE site = 'example.com' ORDER BY path`, format: 'JSONEachRow' });
    expect((await rs.json<{ path: string; exits: string }>()).map((r) => [r.path, Number(r.exits)])).toEqual([
      ['/a', 2],
      ['/b', 0],
      ['/c', 1],
      ['/x', 1],
      ['/y', 1],
    ]);
  });
});
