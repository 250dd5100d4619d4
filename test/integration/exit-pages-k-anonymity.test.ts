// Exit pages under k-anonymity (PRIVACY_MIN_VISITORS=2): an exit page's group is the visits that
// ended there, so its exits count against the threshold, not only the page's visitors. (A file of
// its own: chDB opens one data directory per process.)
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pageview, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

let t: TestTelmark;

beforeAll(async () => {
  t = await startTestTelmark({ PRIVACY_MIN_VISITORS: '2' });
  const send = async (path: string, ip: string) => expect((await t.beacon(pageview(`https://example.com${path}`), { 'x-forwarded-for': ip })).status).toBe(202);
  // Two visits /b -> /a, one /a -> /b: /a and /b have 3 visitors and 3 pageviews each; exits /a 2, /b 1.
  for (const ip of ['203.0.113.1', '198.51.100.1']) {
    await send('/b', ip);
    await send('/a', ip);
  }
  await send('/a', '192.0.2.1');
  await send('/b', '192.0.2.1');
  await t.flush();
});

afterAll(async () => {
  await t?.destroy();
});

it('an exit page with fewer exits than PRIVACY_MIN_VISITORS folds into "(other)", however many visitors viewed it', async () => {
  const { json } = await t.query({ site_id: 'example.com', metrics: ['visits', 'exit_rate'], date_range: 'day', dimensions: ['visit:exit_page'] });
  expect(json.results).toEqual([
    { dimensions: ['/a'], metrics: [2, 66.7] },
    { dimensions: ['(other)'], metrics: [1, 33.3] },
  ]);
  // The pages themselves (3 visitors each) are shown as usual.
  const pages = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['event:page'], order_by: [['event:page', 'asc']] });
  expect(pages.json.results).toEqual([
    { dimensions: ['/a'], metrics: [3] },
    { dimensions: ['/b'], metrics: [3] },
  ]);
});

it('a filter that narrows to an exit group under the threshold returns no row', async () => {
  const narrowed = await t.query({ site_id: 'example.com', metrics: ['visits'], date_range: 'day', filters: [['is', 'visit:exit_page', ['/b']]] });
  expect(narrowed.status).toBe(200);
  expect(narrowed.json.results).toEqual([]);
  const shown = await t.query({ site_id: 'example.com', metrics: ['visits', 'exit_rate'], date_range: 'day', filters: [['is', 'visit:exit_page', ['/a']]] });
  expect(shown.json.results).toEqual([{ dimensions: [], metrics: [2, 66.7] }]);
});
