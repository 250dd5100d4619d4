// Beacons in over real HTTP -> pipeline -> flush into real embedded ClickHouse -> Stats API out.
// The numbers asserted here are worked out by hand from the beacons sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

let t: TestTelmark;
const ALL = ['visitors', 'visits', 'pageviews', 'events', 'bounce_rate', 'visit_duration', 'views_per_visit'];

async function send(body: unknown, ip: string, ua?: string) {
  const res = await t.beacon(body, { 'x-forwarded-for': ip, ...(ua ? { 'user-agent': ua } : {}) });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  // 2026-11-20 10:00 UTC is 11:00 in Berlin.
  t = await startTestTelmark({ SITES: 'example.com@Europe/Berlin' });
  // Visitor A: organic Google search, then an internal navigation 60 s later.
  await send(pageview('https://example.com/pricing', 'https://www.google.com/'), '203.0.113.10');
  // A flush between two events of one visit: the visit's later deltas land in a later batch.
  await t.flush();
  t.clock.advance(60);
  await send(pageview('https://example.com/signup', 'https://example.com/pricing'), '203.0.113.10');
  // Visitor B: newsletter campaign, one pageview (a bounce).
  await send(pageview('https://example.com/?utm_source=Newsletter&utm_medium=email&utm_campaign=spring'), '198.51.100.20', FIREFOX);
  // Visitor C: Google Ads click (gclid), a second page 30 s later, a signup event 10 s after that.
  t.clock.advance(5);
  await send(pageview('https://example.com/blog/post-1?gclid=SECRET-CLICK-ID', 'https://www.google.com/'), '192.0.2.30', IPHONE);
  t.clock.advance(30);
  await send(pageview('https://example.com/blog/post-2', 'https://example.com/blog/post-1'), '192.0.2.30', IPHONE);
  t.clock.advance(10);
  await send({ n: 'signup', u: 'https://example.com/blog/post-2', d: 'example.com', p: { plan: 'pro' } }, '192.0.2.30', IPHONE);
  await t.flush();
});

afterAll(async () => {
  await t?.destroy();
});

describe('Stats API v2 over real aggregates', () => {
  it('totals: visitors, visits, pageviews, events, bounce rate, duration, views per visit', async () => {
    const { status, json } = await t.query({ site_id: 'example.com', metrics: ALL, date_range: 'day' });
    expect(status).toBe(200);
    // 3 visitors, 3 visits, 5 pageviews, 6 events (Plausible's definition: pageviews plus the one
    // custom event); 1 of 3 visits bounced (33%); durations 60 + 0 + 40 = 100 s over 3 visits
    // (33 s); 5/3 = 1.67 views per visit.
    expect(json.results).toEqual([{ metrics: [3, 3, 5, 6, 33, 33, 1.67], dimensions: [] }]);
    expect(json.query.date_range).toEqual(['2026-11-20', '2026-11-20']);
    expect(json.meta.time_zone).toBe('Europe/Berlin');
  });

  it('channels and sources come from the entry pageview of each visit', async () => {
    const { json } = await t.query({
      site_id: 'example.com',
      metrics: ['visitors', 'pageviews', 'events', 'bounce_rate'],
      date_range: 'day',
      dimensions: ['visit:channel', 'visit:source'],
      order_by: [['visit:channel', 'asc']],
    });
    expect(json.results).toEqual([
      { dimensions: ['Email', 'newsletter'], metrics: [1, 1, 1, 100] },
      { dimensions: ['Organic Search', 'Google'], metrics: [1, 2, 2, 0] },
      { dimensions: ['Paid Search', 'Google'], metrics: [1, 2, 3, 0] },
    ]);
  });

  it('every pageview of a campaign visit counts under the campaign; internal navigation is never a source', async () => {
    const { json } = await t.query({
      site_id: 'example.com',
      metrics: ['visitors', 'visits', 'pageviews'],
      date_range: 'day',
      dimensions: ['visit:utm_campaign', 'visit:utm_medium'],
      filters: [['is_not', 'visit:utm_campaign', ['']]],
    });
    expect(json.results).toEqual([{ dimensions: ['spring', 'email'], metrics: [1, 1, 1] }]);
    const refs = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['visit:referrer'] });
    const hosts = refs.json.results.map((r: any) => r.dimensions[0]);
    expect(hosts).not.toContain('example.com');
    expect(hosts).toContain('google.com');
  });

  it('pages, entry pages and devices are their own cubes', async () => {
    const pages = await t.query({ site_id: 'example.com', metrics: ['pageviews', 'events'], date_range: 'day', dimensions: ['event:page'], order_by: [['event:page', 'asc']] });
    expect(pages.json.results).toEqual([
      { dimensions: ['/'], metrics: [1, 1] },
      { dimensions: ['/blog/post-1'], metrics: [1, 1] },
      { dimensions: ['/blog/post-2'], metrics: [1, 2] },
      { dimensions: ['/pricing'], metrics: [1, 1] },
      { dimensions: ['/signup'], metrics: [1, 1] },
    ]);
    const entries = await t.query({ site_id: 'example.com', metrics: ['visits', 'bounce_rate'], date_range: 'day', dimensions: ['visit:entry_page'], order_by: [['visit:entry_page', 'asc']] });
    expect(entries.json.results).toEqual([
      { dimensions: ['/'], metrics: [1, 100] },
      { dimensions: ['/blog/post-1'], metrics: [1, 0] },
      { dimensions: ['/pricing'], metrics: [1, 0] },
    ]);
    const devices = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['visit:device'] });
    expect(devices.json.results).toEqual([
      { dimensions: ['desktop'], metrics: [2] },
      { dimensions: ['mobile'], metrics: [1] },
    ]);
    const browsers = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['visit:browser', 'visit:os'], order_by: [['visit:browser', 'asc']] });
    expect(browsers.json.results).toEqual([
      { dimensions: ['Chrome', 'Windows'], metrics: [1] },
      { dimensions: ['Firefox', 'Linux'], metrics: [1] },
      { dimensions: ['Safari', 'iOS'], metrics: [1] },
    ]);
  });

  it('time dimensions are in the site time zone', async () => {
    const { json } = await t.query({ site_id: 'example.com', metrics: ['pageviews'], date_range: 'day', dimensions: ['time:hour'] });
    expect(json.results).toEqual([{ dimensions: ['2026-11-20 11:00:00'], metrics: [5] }]);
    const days = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: '7d', dimensions: ['time:day'] });
    expect(days.json.results).toEqual([{ dimensions: ['2026-11-20'], metrics: [3] }]);
    const before = await t.query({ site_id: 'example.com', metrics: ['visitors', 'pageviews'], date_range: ['2026-11-19', '2026-11-19'] });
    expect(before.json.results).toEqual([{ dimensions: [], metrics: [0, 0] }]);
  });

  it('filters: is, is_not, contains; user values never reach SQL as text', async () => {
    const paid = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['visit:source'], filters: [['is', 'visit:channel', ['Paid Search']]] });
    expect(paid.json.results).toEqual([{ dimensions: ['Google'], metrics: [1] }]);
    const blog = await t.query({ site_id: 'example.com', metrics: ['pageviews'], date_range: 'day', filters: [['contains', 'event:page', ['BLOG']]] });
    expect(blog.json.results).toEqual([{ dimensions: [], metrics: [2] }]);
    const injection = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['visit:source'], filters: [['is', 'visit:source', ["x' OR 1=1 --", "'); DROP TABLE sites; --"]]] });
    expect(injection.status).toBe(200);
    expect(injection.json.results).toEqual([]);
    const stillThere = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day' });
    expect(stillThere.json.results[0].metrics).toEqual([3]);
  });

  it('pagination and order_by', async () => {
    const page = await t.query({ site_id: 'example.com', metrics: ['pageviews'], date_range: 'day', dimensions: ['event:page'], order_by: [['event:page', 'desc']], pagination: { limit: 2, offset: 1 } });
    expect(page.json.results.map((r: any) => r.dimensions[0])).toEqual(['/pricing', '/blog/post-2']);
  });

  it('rejects what no cube holds with a 400 that says why', async () => {
    const { status, json } = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['visit:source', 'visit:device'] });
    expect(status).toBe(400);
    expect(json.error).toMatch(/visit:source and visit:device cannot be combined/);
    expect(json.error).toMatch(/privacy by design/);
    const filterCross = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['event:page'], filters: [['is', 'visit:channel', ['Email']]] });
    expect(filterCross.status).toBe(400);
    const perPageVisits = await t.query({ site_id: 'example.com', metrics: ['bounce_rate'], date_range: 'day', dimensions: ['event:page'] });
    expect(perPageVisits.status).toBe(400);
    expect(perPageVisits.json.error).toMatch(/visit:entry_page/);
  });

  it('bad requests get a 400 naming the problem; no key 401', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ site_id: 'nope.com', metrics: ['visitors'], date_range: 'day' }, /unknown site/],
      [{ site_id: 'example.com', metrics: ['clicks'], date_range: 'day' }, /unknown metric "clicks"/],
      [{ site_id: 'example.com', metrics: ['visitors'], date_range: 'fortnight' }, /date_range/],
      [{ site_id: 'example.com', metrics: ['visitors'], date_range: ['2026-02-30', '2026-03-01'] }, /YYYY-MM-DD/],
      [{ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['visit:city'] }, /unknown dimension "visit:city"; supported: .*visit:country, visit:country_name/],
      [{ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', filters: [['matches', 'visit:source', ['x']]] }, /unknown operator/],
      [{ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', order_by: [['pageviews', 'desc']] }, /order_by/],
    ];
    for (const [body, error] of cases) {
      const { status, json } = await t.query(body);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(json.error).toMatch(error);
    }
    const anonymous = await fetch(`${t.dashboardUrl}/api/v2/query`, { method: 'POST', body: '{}' });
    expect(anonymous.status).toBe(401);
    const wrong = await fetch(`${t.dashboardUrl}/api/v2/query`, { method: 'POST', body: '{}', headers: { authorization: 'Bearer wrong-key-wrong-key' } });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toMatch(/invalid API key/);
  });
});
