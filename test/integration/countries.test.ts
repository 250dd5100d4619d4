// Countries (issue 10 §1): the collector looks the full address up in the packaged DB-IP Lite
// database before truncating it and keeps only the ISO code; the Stats API answers visit:country
// and visit:country_name, alone and with tech, acquisition and custom events, k-anonymous; the day
// closer carries the column into the day cubes; the store holds no address and nothing else of
// the look-up. The addresses below were read from the packaged database (@ip-location-db/
// dbip-country-mmdb 2.3.2026060120); each sits in a network block of /10 to /31 of one country.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROME_UA, cellsAsText, pageview, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';
import { createUser, signIn } from '../helpers/accounts.ts';

const IPHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';

/** Each a visitor of its own (distinct /24 or /48): address, expected country, device, from Google? */
const VISITORS: Array<{ ip: string; country: string; ua: string; google: boolean; signup?: boolean }> = [
  { ip: '193.99.144.80', country: 'DE', ua: CHROME_UA, google: true, signup: true },
  { ip: '194.25.2.129', country: 'DE', ua: CHROME_UA, google: true, signup: true },
  { ip: '212.227.17.185', country: 'DE', ua: IPHONE_UA, google: false },
  { ip: '2001:4ca0::1', country: 'DE', ua: IPHONE_UA, google: false },
  { ip: '80.67.169.12', country: 'FR', ua: CHROME_UA, google: true, signup: true },
  { ip: '195.154.0.1', country: 'FR', ua: CHROME_UA, google: true, signup: true },
  // IPv6 only.
  { ip: '2804:14c::1', country: 'BR', ua: CHROME_UA, google: false },
  { ip: '2804:14c:abcd::1', country: 'BR', ua: CHROME_UA, google: false },
  // One visitor alone: under PRIVACY_MIN_VISITORS (2), folded into "(other)".
  { ip: '133.242.0.3', country: 'JP', ua: CHROME_UA, google: false },
  // Private, documentation (IPv4 and IPv6): no country.
  { ip: '10.0.0.5', country: '', ua: CHROME_UA, google: false },
  { ip: '198.51.100.20', country: '', ua: CHROME_UA, google: false },
  { ip: '2001:db8::1', country: '', ua: CHROME_UA, google: false },
];

let t: TestTelmark;
const q = (body: Record<string, unknown>) => t.query({ site_id: 'example.com', date_range: 'day', ...body });

beforeAll(async () => {
  t = await startTestTelmark({ PRIVACY_MIN_VISITORS: '2' });
  await createUser(t, 'mia@example.com', ['marketer']);
  const marketer = (await signIn(t, 'mia@example.com', { now: t.clock.now })).client;
  expect((await marketer.post('/api/v1/sites/example.com/goals', { type: 'event', event_name: 'Signup' })).status).toBe(201);
  for (const v of VISITORS) {
    const h = { 'x-forwarded-for': v.ip, 'user-agent': v.ua };
    expect((await t.beacon(pageview('https://example.com/', v.google ? 'https://www.google.com/' : undefined), h)).status).toBe(202);
    if (v.signup) expect((await t.beacon({ n: 'Signup', u: 'https://example.com/join', d: 'example.com' }, h)).status).toBe(202);
    t.clock.advance(1000);
  }
  await t.flush();
}, 60_000);
afterAll(async () => {
  await t?.destroy();
});

describe('countries through the Stats API', () => {
  it('visit:country: exact rows per country from IPv4 and IPv6 addresses; private and documentation addresses are "(not set)"; a lone country folds into "(other)"', async () => {
    const { status, json } = await q({ metrics: ['visitors', 'pageviews'], dimensions: ['visit:country'] });
    expect(status).toBe(200);
    expect(json.meta.cube).toBe('acquisition');
    expect(json.results).toEqual([
      { dimensions: ['DE'], metrics: [4, 4] },
      { dimensions: ['(not set)'], metrics: [3, 3] },
      { dimensions: ['BR'], metrics: [2, 2] },
      { dimensions: ['FR'], metrics: [2, 2] },
      { dimensions: ['(other)'], metrics: [1, 1] },
    ]);
    expect(JSON.stringify(json)).not.toContain('JP');
  });

  it('visit:country_name gives English names; both work as filters, "(not set)" included', async () => {
    const names = await q({ metrics: ['visitors'], dimensions: ['visit:country_name'] });
    expect(names.json.results).toEqual([
      { dimensions: ['Germany'], metrics: [4] },
      { dimensions: ['(not set)'], metrics: [3] },
      { dimensions: ['Brazil'], metrics: [2] },
      { dimensions: ['France'], metrics: [2] },
      { dimensions: ['(other)'], metrics: [1] },
    ]);
    expect((await q({ metrics: ['visitors', 'visits'], filters: [['is', 'visit:country', ['DE']]] })).json.results).toEqual([{ dimensions: [], metrics: [4, 4] }]);
    expect((await q({ metrics: ['visitors'], filters: [['is', 'visit:country_name', ['France', 'Brazil']]] })).json.results).toEqual([{ dimensions: [], metrics: [4] }]);
    expect((await q({ metrics: ['visitors'], filters: [['is', 'visit:country', ['(not set)']]] })).json.results).toEqual([{ dimensions: [], metrics: [3] }]);
    expect((await q({ metrics: ['visitors'], filters: [['is_not', 'visit:country', ['DE', '(not set)']]] })).json.results).toEqual([{ dimensions: [], metrics: [5] }]);
    // A filter that narrows to one visitor shows nothing (k-anonymity).
    expect((await q({ metrics: ['visitors'], filters: [['is', 'visit:country', ['JP']]] })).json.results).toEqual([]);
  });

  it('visit:country x visit:device (the tech cube), exact', async () => {
    const { status, json } = await q({ metrics: ['visitors'], dimensions: ['visit:country', 'visit:device'] });
    expect(status).toBe(200);
    expect(json.meta.cube).toBe('tech');
    expect(json.results).toEqual([
      { dimensions: ['(not set)', 'desktop'], metrics: [3] },
      { dimensions: ['BR', 'desktop'], metrics: [2] },
      { dimensions: ['DE', 'desktop'], metrics: [2] },
      { dimensions: ['DE', 'mobile'], metrics: [2] },
      { dimensions: ['FR', 'desktop'], metrics: [2] },
      { dimensions: ['(other)', '(other)'], metrics: [1] },
    ]);
    const germanDevices = await q({ metrics: ['visitors'], dimensions: ['visit:device'], filters: [['is', 'visit:country', ['DE']]] });
    expect(germanDevices.json.results).toEqual([
      { dimensions: ['desktop'], metrics: [2] },
      { dimensions: ['mobile'], metrics: [2] },
    ]);
  });

  it('visit:country x visit:source (the acquisition cube), exact', async () => {
    const { status, json } = await q({ metrics: ['visitors', 'bounce_rate'], dimensions: ['visit:country', 'visit:source'] });
    expect(status).toBe(200);
    expect(json.meta.cube).toBe('acquisition');
    expect(json.results).toEqual([
      { dimensions: ['(not set)', ''], metrics: [3, 100] },
      { dimensions: ['BR', ''], metrics: [2, 100] },
      { dimensions: ['DE', ''], metrics: [2, 100] },
      // Their Signup (an interactive custom event) ended the bounce.
      { dimensions: ['DE', 'Google'], metrics: [2, 0] },
      { dimensions: ['FR', 'Google'], metrics: [2, 0] },
      { dimensions: ['(other)', '(other)'], metrics: [1, 100] },
    ]);
    const fromGoogle = await q({ metrics: ['visitors'], dimensions: ['visit:country_name'], filters: [['is', 'visit:source', ['Google']]] });
    expect(fromGoogle.json.results).toEqual([
      { dimensions: ['France'], metrics: [2] },
      { dimensions: ['Germany'], metrics: [2] },
    ]);
  });

  it('custom events by country (the event_names cube), credited like the visit', async () => {
    const { status, json } = await q({ metrics: ['visitors', 'events'], dimensions: ['event:name', 'visit:country'] });
    expect(status).toBe(200);
    expect(json.meta.cube).toBe('event_names');
    expect(json.results).toEqual([
      { dimensions: ['Signup', 'DE'], metrics: [2, 2] },
      { dimensions: ['Signup', 'FR'], metrics: [2, 2] },
    ]);
  });

  it('goal conversions by country, with conversion rates against all visitors and against the country\'s own', async () => {
    const { status, json } = await q({
      metrics: ['visitors', 'events', 'conversion_rate', 'group_conversion_rate'],
      dimensions: ['visit:country'],
      filters: [['is', 'event:goal', ['Signup']]],
    });
    expect(status).toBe(200);
    // 2 of 12 visitors each (16.67 %); 2 of Germany's 4 (50 %), both of France's 2 (100 %).
    expect(json.results).toEqual([
      { dimensions: ['DE'], metrics: [2, 2, 16.67, 50] },
      { dimensions: ['FR'], metrics: [2, 2, 16.67, 100] },
    ]);
    const german = await q({ metrics: ['visitors', 'events'], dimensions: ['event:goal'], filters: [['is', 'visit:country_name', ['Germany']]] });
    expect(german.json.results).toEqual([{ dimensions: ['Signup'], metrics: [2, 2] }]);
  });

  it('a combination no cube holds is a 400 that says why', async () => {
    for (const other of ['event:page', 'visit:entry_page']) {
      const { status, json } = await q({ metrics: ['visitors'], dimensions: ['visit:country', other] });
      expect(status).toBe(400);
      expect(json.error).toContain(`visit:country and ${other} cannot be combined in one query`);
    }
    const both = await q({ metrics: ['visitors'], dimensions: ['visit:source', 'visit:device'], filters: [['is', 'visit:country', ['DE']]] });
    expect(both.status).toBe(400);
  });

  it('closed days keep the country: the same answers from the day cubes', async () => {
    const queries = [
      { metrics: ['visitors', 'pageviews'], dimensions: ['visit:country'] },
      { metrics: ['visitors'], dimensions: ['visit:country', 'visit:device'] },
      { metrics: ['visitors'], dimensions: ['visit:country_name', 'visit:source'] },
      { metrics: ['visitors', 'events'], dimensions: ['event:name', 'visit:country'] },
    ];
    const range = { date_range: ['2026-11-20', '2026-11-20'] };
    const before = await Promise.all(queries.map((b) => q({ ...b, ...range })));
    t.clock.ms = Date.UTC(2026, 10, 21, 2, 0, 0);
    await t.closeDays();
    const after = await Promise.all(queries.map((b) => q({ ...b, ...range })));
    for (let i = 0; i < queries.length; i++) {
      expect(after[i]!.json.meta.days_from_day_cubes, JSON.stringify(queries[i])).toBe(1);
      expect(after[i]!.json.results, JSON.stringify(queries[i])).toEqual(before[i]!.json.results);
    }
    expect(after[0]!.json.results[0]).toEqual({ dimensions: ['DE'], metrics: [4, 4] });
  });
});

it('the store holds no full address and nothing of the look-up but the ISO code', async () => {
  const tables = await (
    await t.store.client.query({ query: 'SELECT name FROM system.tables WHERE database = {db:String} AND engine NOT IN (\'Null\', \'MaterializedView\')', query_params: { db: t.store.db }, format: 'JSONEachRow' })
  ).json<{ name: string }>();
  expect(tables.length).toBeGreaterThan(20);
  const countries = new Set<string>();
  for (const { name } of tables) {
    const { columns, rows } = await cellsAsText(t.store, t.store.db, name);
    const text = JSON.stringify(rows);
    for (const v of VISITORS) expect(text.includes(v.ip), `${v.ip} in ${name}`).toBe(false);
    // Nothing else the database knows: no country names, no networks.
    for (const word of ['Germany', 'Brazil', 'France', '193.99.0.0', '2804:14c::']) expect(text.includes(word), `${word} in ${name}`).toBe(false);
    const i = columns.indexOf('country');
    if (i >= 0) for (const r of rows) countries.add(r[i]!);
  }
  expect([...countries].sort()).toEqual(['', 'BR', 'DE', 'FR', 'JP']);
});
