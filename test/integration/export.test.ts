// The CSV export (issue 10 §4) over real HTTP and chDB: GET /api/v1/sites/{site}/export answers a
// zip of CSV files, one per card and tab of the Overview. The test reads the zip back (fflate) and
// the CSVs (csv-parse), and checks them against known traffic and against the Stats API's own
// answers to the same queries: the same numbers, the same "(other)" folding.
import { unzipSync, strFromU8 } from 'fflate';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATS_KEY, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';
import { createUser, signIn, type CookieClient } from '../helpers/accounts.ts';

let t: TestTelmark;
let marketer: CookieClient;
const EXPORT = '/api/v1/sites/example.com/export';
const RANGE = '2026-11-19,2026-11-20';

const send = async (body: Record<string, unknown>, ip: string, referrer: string | null = null) =>
  expect((await t.beacon({ d: 'example.com', r: referrer, ...body }, { 'x-forwarded-for': ip })).status).toBe(202);

beforeAll(async () => {
  t = await startTestTelmark({ PRIVACY_MIN_VISITORS: '2' });
  await createUser(t, 'mia@example.com', ['marketer']);
  marketer = (await signIn(t, 'mia@example.com', { now: t.clock.now })).client;
  expect((await marketer.post('/api/v1/sites/example.com/goals', { type: 'event', event_name: 'Signup', currency: 'EUR' })).status).toBe(201);
  // Google: 3 visitors (one signs up for €12.50), Bing: 2, DuckDuckGo: 1 (under the threshold of 2).
  for (const ip of ['203.0.113.1', '203.0.114.1', '203.0.115.1']) await send({ n: 'pageview', u: 'https://example.com/' }, ip, 'https://www.google.com/');
  await send({ n: 'pageview', u: 'https://example.com/pricing' }, '203.0.113.1', 'https://www.google.com/');
  await send({ n: 'Signup', u: 'https://example.com/pricing', $: { amount: '12.50', currency: 'EUR' } }, '203.0.113.1');
  // Both Bing visitors come tagged with a campaign named like a spreadsheet formula.
  for (const ip of ['198.51.100.1', '198.51.101.1']) await send({ n: 'pageview', u: 'https://example.com/?utm_campaign=%3D1%2B2' }, ip, 'https://www.bing.com/');
  await send({ n: 'pageview', u: 'https://example.com/' }, '192.0.2.1', 'https://duckduckgo.com/');
  await t.flush();
}, 90_000);
afterAll(async () => {
  await t?.destroy();
});

async function download(query: string, headers: Record<string, string> = { cookie: marketer.cookie }) {
  const res = await fetch(`${t.dashboardUrl}${EXPORT}?${query}`, { headers });
  const body = new Uint8Array(await res.arrayBuffer());
  return { res, body };
}

function unzip(body: Uint8Array): Record<string, string[][]> {
  const files = unzipSync(body);
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, name.endsWith('.csv') ? (parse(strFromU8(bytes)) as string[][]) : [[strFromU8(bytes)]]]));
}

describe('GET /api/v1/sites/{site}/export', () => {
  it('answers a zip with one CSV per card and tab, exact numbers, "(other)" folded as on screen', async () => {
    const { res, body } = await download(`date_range=${RANGE}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="telmark-example.com-2026-11-19-2026-11-20.zip"');
    const csv = unzip(body);
    expect(Object.keys(csv).sort()).toEqual(
      ['about.txt', 'browsers.csv', 'channels.csv', 'devices.csv', 'countries.csv', 'entry-pages.csv', 'exit-pages.csv', 'goals.csv', 'os.csv', 'referrers.csv', 'sources.csv', 'top-pages.csv', 'totals.csv',
        'utm-campaign.csv', 'utm-content.csv', 'utm-medium.csv', 'utm-source.csv', 'utm-term.csv', 'visitors.csv'].sort(),
    );
    // 6 visitors, 6 visits, 7 pageviews; 5 bounced (all but the Google visitor who went on to /pricing).
    expect(csv['totals.csv']).toEqual([
      ['visitors', 'visits', 'pageviews', 'bounce_rate', 'visit_duration', 'views_per_visit'],
      ['6', '6', '7', '83', '0', '1.17'],
    ]);
    expect(csv['visitors.csv']![0]).toEqual(['time:day', 'visitors', 'visits', 'pageviews', 'bounce_rate', 'visit_duration', 'views_per_visit']);
    // Days with visits, as the Stats API answers time:day (the 19th had none).
    expect(csv['visitors.csv']!.slice(1)).toEqual([['2026-11-20', '6', '6', '7', '83', '0', '1.17']]);
    // DuckDuckGo's one visitor is under PRIVACY_MIN_VISITORS=2: "(other)", exactly as the API folds it.
    expect(csv['sources.csv']).toEqual([
      ['visit:source', 'visitors', 'visits', 'bounce_rate'],
      ['Google', '3', '3', '67'],
      ['Bing', '2', '2', '100'],
      ['(other)', '1', '1', '100'],
    ]);
    // The goal with a currency: revenue in two columns, amount and currency. One converting
    // visitor is under the threshold too, so the goal row folds.
    expect(csv['goals.csv']![0]).toEqual(['event:goal', 'visitors', 'events', 'conversion_rate', 'total_revenue', 'total_revenue_currency', 'average_revenue', 'average_revenue_currency']);
    // The one converting visitor is under the threshold too: the goal's row folds, revenue hidden with it.
    expect(csv['goals.csv']!.slice(1)).toEqual([['(other)', '1', '1', '16.67', '', '', '', '']]);
    // A campaign name that a spreadsheet would run as a formula ("=1+2") is written as text.
    expect(csv['utm-campaign.csv']!.slice(1)).toEqual([["'=1+2", '2', '2', '100', '1', '0']]);
    expect(csv['about.txt']![0]![0]).toMatch(/^telmark export of example\.com\nDate range: 2026-11-19 to 2026-11-20 /);
    expect(csv['about.txt']![0]![0]).toMatch(/fewer than 2 visitors are folded into "\(other\)"/);
  });

  it('every table equals the Stats API answer to the same query (the queries of lib/panels.ts)', async () => {
    const csv = unzip((await download(`date_range=${RANGE}`)).body);
    for (const [file, dimension, metrics] of [
      ['channels.csv', 'visit:channel', ['visitors', 'visits', 'bounce_rate']],
      ['top-pages.csv', 'event:page', ['visitors', 'pageviews', 'time_on_page', 'scroll_depth']],
      ['devices.csv', 'visit:device', ['visitors']],
    ] as const) {
      const { json } = await t.query({ site_id: 'example.com', metrics, date_range: RANGE.split(','), dimensions: [dimension], order_by: [[metrics[0], 'desc']], pagination: { limit: 1000 } });
      const expected = (json.results as Array<{ dimensions: string[]; metrics: Array<number | null> }>).map((r) => [
        r.dimensions[0]!,
        ...r.metrics.map((m) => (m === null ? '' : String(m))),
      ]);
      expect(csv[file], file).toEqual([[dimension, ...metrics], ...expected]);
    }
  });

  it('filters narrow the export as they narrow the screen; pages and devices go unfiltered and say so', async () => {
    const filters = encodeURIComponent(JSON.stringify([['is', 'visit:source', ['Google']]]));
    const csv = unzip((await download(`date_range=${RANGE}&filters=${filters}`)).body);
    expect(csv['totals.csv']![1]!.slice(0, 3)).toEqual(['3', '3', '4']);
    expect(csv['sources.csv']!.slice(1)).toEqual([['Google', '3', '3', '67']]);
    // The pages cube knows nothing of sources: all 6 visitors of the range, as the screen shows.
    expect(csv['devices.csv']!.slice(1).reduce((n, r) => n + Number(r[1]), 0)).toBe(6);
    expect(csv['about.txt']![0]![0]).toMatch(/devices\.csv: all traffic, without the filters/);
  });

  it('a goal filter turns the acquisition tables into conversions; pages and devices are left out with a note', async () => {
    const filters = encodeURIComponent(JSON.stringify([['is', 'event:goal', ['Signup']]]));
    const csv = unzip((await download(`date_range=${RANGE}&filters=${filters}`, { authorization: `Bearer ${STATS_KEY}` })).body);
    expect(csv['totals.csv']![0]).toEqual(['visitors', 'events', 'conversion_rate']);
    expect(csv['sources.csv']![0]).toEqual(['visit:source', 'visitors', 'events', 'group_conversion_rate', 'total_revenue', 'total_revenue_currency']);
    expect(csv['top-pages.csv']).toBeUndefined();
    expect(csv['about.txt']![0]![0]).toMatch(/top-pages\.csv: Top pages cannot be counted per goal/);
  });

  it('bad parameters are a 400 with a reason; no key is a 401; another site is a 404', async () => {
    for (const [query, error] of [
      ['date_range=yesterday', /^date_range: a preset/],
      ['date_range=2026-11-20,2026-11-19', /date_range/],
      ['filters=not-json', /^filters: a JSON array/],
      [`filters=${encodeURIComponent('[["is","visit:nope",["x"]]]')}`, /visit:nope/],
    ] as const) {
      const { res, body } = await download(query);
      expect(res.status, query).toBe(400);
      expect(JSON.parse(strFromU8(body)).error, query).toMatch(error);
    }
    expect((await download(`date_range=${RANGE}`, {})).res.status).toBe(401);
    const other = await fetch(`${t.dashboardUrl}/api/v1/sites/other.example/export`, { headers: { cookie: marketer.cookie } });
    expect(other.status).toBe(404);
  });
});
