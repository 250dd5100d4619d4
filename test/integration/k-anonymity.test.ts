// Privacy promise 5: no group of fewer than PRIVACY_MIN_VISITORS visitors is its own row.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { pageview, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

let t: TestTelmark;

beforeAll(async () => {
  t = await startTestTelmark({ PRIVACY_MIN_VISITORS: '3' });
  // 4 visitors from Google, 2 from the newsletter campaign, 1 from a tiny blog: 7 in all.
  let ip = 1;
  const send = async (url: string, ref?: string) => expect((await t.beacon(pageview(url, ref), { 'x-forwarded-for': `198.51.${ip++}.7` })).status).toBe(202);
  for (let i = 0; i < 4; i++) await send('https://example.com/', 'https://www.google.com/');
  for (let i = 0; i < 2; i++) await send('https://example.com/?utm_campaign=secret-small&utm_source=newsletter&utm_medium=email');
  await send('https://example.com/about', 'https://tiny-blog.example/post');
  await t.flush();
});
afterAll(async () => {
  await t?.destroy();
});

it('folds rows under the threshold into "(other)", with their visitors merged once', async () => {
  const { json } = await t.query({ site_id: 'example.com', metrics: ['visitors', 'pageviews'], date_range: 'day', dimensions: ['visit:source'] });
  expect(json.meta.privacy_min_visitors).toBe(3);
  expect(json.results).toEqual([
    { dimensions: ['Google'], metrics: [4, 4] },
    { dimensions: ['(other)'], metrics: [3, 3] },
  ]);
  const campaigns = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['visit:utm_campaign'] });
  expect(JSON.stringify(campaigns.json)).not.toContain('secret-small');
});

it('a filter cannot single out a small group: its totals and time rows are left out', async () => {
  const total = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', filters: [['is', 'visit:utm_campaign', ['secret-small']]] });
  expect(total.json.results).toEqual([]);
  const series = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['time:hour'], filters: [['contains', 'visit:referrer', ['tiny-blog']]] });
  expect(series.json.results).toEqual([]);
  const big = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', filters: [['is', 'visit:source', ['Google']]] });
  expect(big.json.results).toEqual([{ dimensions: [], metrics: [4] }]);
});

it('the whole site is not a group: its total and time series are shown as they are', async () => {
  const { json } = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['time:day'] });
  expect(json.results).toEqual([{ dimensions: ['2026-11-20'], metrics: [7] }]);
});
