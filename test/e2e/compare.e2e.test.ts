// Comparisons, date ranges and granularity in a real Chromium against a real telmark: known
// traffic a week ago and today, the compare switch shows the earlier values and the changes on the
// cards and a second line on the chart; a custom range, a granularity, the comparison and a filter
// live in the address, survive a reload and open the same view for a colleague who signs in.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../helpers/accounts.ts';
import { CHROME_UA, loopbackEnv, postBeacon, startTelmarkWith } from '../helpers/telmark.ts';
import { launchChromium, personContext, reloadUntil, signInUi, STATS_KEY, type E2eTelmark } from './browser.ts';

const SITE = 'example.test';
const E2E = { timeout: 90_000 };
const POLL = { timeout: 20_000 };
const MARKETER = 'cora.compare@example.test';
const COLLEAGUE = 'vic.viewer@example.test';
const DAY_MS = 86_400_000;
const UA = {
  a: CHROME_UA,
  b: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  c: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
};

let telmark: E2eTelmark;
let browser: Browser;
/** The server's clock runs on real time, moved back only while last week's traffic is sent. */
let offsetMs = 0;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function send(ua: string, path: string, referrer: string | null): Promise<void> {
  const res = await postBeacon(telmark.collectorUrl, { n: 'pageview', u: `https://${SITE}${path}`, d: SITE, r: referrer }, { 'user-agent': ua, 'accept-language': 'en-US' });
  expect(res.status).toBe(202);
}

beforeAll(async () => {
  telmark = await startTelmarkWith(
    (dataDir) => ({
      ...loopbackEnv(dataDir),
      SITES: SITE,
      STATS_API_KEYS: STATS_KEY,
      PRIVACY_MIN_VISITORS: '1',
      FLUSH_INTERVAL_MS: '3600000',
      ABUSE_HOLD_MS: '0',
    }),
    { tmpPrefix: 'telmark-e2e-', now: () => Date.now() + offsetMs },
  );
  await createUser(telmark, MARKETER, ['marketer']);
  await createUser(telmark, COLLEAGUE, ['viewer']);
  // A week ago (inside the previous period of "Last 7 days"): 2 visitors, 2 visits, 3 page views, 1 of 2 visits bounced.
  offsetMs = -7 * DAY_MS;
  await send(UA.a, '/', 'https://www.google.com/');
  await send(UA.a, '/pricing', `https://${SITE}/`);
  await send(UA.b, '/', null);
  await telmark.flush();
  // Now: 3 visitors, one page view each (all bounced); two from Google search.
  offsetMs = 0;
  await send(UA.a, '/', 'https://www.google.com/');
  await send(UA.b, '/', 'https://www.google.com/');
  await send(UA.c, '/', null);
  await telmark.flush();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

const text = (page: Page, selector: string) => () => page.locator(selector).innerText();
const stat = (page: Page, id: string) => text(page, `[data-testid="stat-${id}"]`);
const chartRows = (page: Page) => () => page.locator('[data-testid="time-chart-data"] tbody tr').count();

describe('compare and any date range', () => {
  let page: Page;
  let from = '';
  let to = '';

  beforeAll(async () => {
    const context = await personContext(browser);
    page = await context.newPage();
    await signInUi(page, telmark.dashboardUrl, MARKETER);
    await page.waitForSelector('[data-testid="dashboard"]');
  }, 60_000);
  afterAll(() => page?.context().close());

  it('the compare switch shows the earlier values and the changes on the cards, and a second line on the chart', E2E, async () => {
    await expect.poll(stat(page, 'visitors'), POLL).toBe('3');
    expect(await page.locator('[data-testid="stat-visitors-change"]').count()).toBe(0);
    expect(await page.locator('[data-testid="time-chart"]').getAttribute('data-lines')).toBe('1');

    await page.selectOption('[data-testid="compare"]', 'previous_period');
    await expect.poll(stat(page, 'visitors-change'), POLL).toBe('+50%');
    expect(await stat(page, 'visitors-earlier')()).toBe('vs 2');
    expect(await stat(page, 'visits')()).toBe('3');
    expect(await stat(page, 'visits-earlier')()).toBe('vs 2');
    expect(await stat(page, 'visits-change')()).toBe('+50%');
    expect(await stat(page, 'pageviews-earlier')()).toBe('vs 3');
    expect(await stat(page, 'pageviews-change')()).toBe('0%');
    // Rates change in points: 100 % of visits bounced now, 50 % before.
    expect(await stat(page, 'bounce_rate')()).toBe('100%');
    expect(await stat(page, 'bounce_rate-earlier')()).toBe('vs 50%');
    expect(await stat(page, 'bounce_rate-change')()).toBe('+50 pts');

    // The chart: two lines; today (the last day) against the same weekday a week ago.
    await expect.poll(() => page.locator('[data-testid="time-chart"]').getAttribute('data-lines'), POLL).toBe('2');
    const rows = page.locator('[data-testid="time-chart-data"] tbody tr');
    await expect.poll(() => rows.count(), POLL).toBe(7);
    const today = isoDay(Date.now());
    expect(await rows.last().locator('td').allInnerTexts()).toEqual([today, '3', isoDay(Date.now() - 7 * DAY_MS), '2']);
    expect(page.url()).toContain('compare=previous_period');
    await page.screenshot({ path: '/tmp/telmark-dashboard-compare.png', fullPage: true });
  });

  it('a custom range and a granularity, kept in the address: a reload shows the same view', E2E, async () => {
    to = isoDay(Date.now());
    from = isoDay(Date.now() - 20 * DAY_MS);
    await page.selectOption('[data-testid="date-range"]', 'custom');
    await page.locator('[data-testid="range-from"]').fill(from);
    await page.locator('[data-testid="range-to"]').fill(to);
    await expect.poll(() => page.url(), POLL).toContain(`range=${from}..${to}`);
    // 21 days: hours are not offered, days are the default.
    expect(await page.locator('[data-testid="granularity-hour"]').isDisabled()).toBe(true);
    await expect.poll(chartRows(page), POLL).toBe(21);
    await page.click('[data-testid="granularity-week"]');
    await expect.poll(() => page.url(), POLL).toContain('granularity=week');
    const weeks = mondaysBetween(from, to);
    await expect.poll(chartRows(page), POLL).toBe(weeks);
    // Both weeks' traffic is inside the range now; its previous period (the 21 days before) had none.
    await expect.poll(stat(page, 'visitors'), POLL).toBe('5');
    await expect.poll(stat(page, 'visitors-earlier'), POLL).toBe('vs 0');
    expect(await stat(page, 'visitors-change')()).toBe('–');

    await reloadUntil(page, '[data-testid="dashboard"]');
    expect(await page.locator('[data-testid="date-range"]').inputValue()).toBe('custom');
    expect(await page.locator('[data-testid="range-from"]').inputValue()).toBe(from);
    expect(await page.locator('[data-testid="range-to"]').inputValue()).toBe(to);
    expect(await page.locator('[data-testid="granularity-week"]').getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('[data-testid="compare"]').inputValue()).toBe('previous_period');
    await expect.poll(chartRows(page), POLL).toBe(weeks);
    await expect.poll(stat(page, 'visitors'), POLL).toBe('5');
    expect(await stat(page, 'visitors-earlier')()).toBe('vs 0');
  });

  it('filters live in the address too, and a colleague who signs in with the link sees the same view', E2E, async () => {
    await page.click('[data-testid="breakdown-channels"] [data-testid="row"][data-value="Organic Search"] button');
    await expect.poll(() => page.url(), POLL).toContain('f=is,visit%3Achannel,Organic%20Search');
    // Google search: 1 visitor a week ago, 2 today, all inside the custom range.
    await expect.poll(stat(page, 'visitors'), POLL).toBe('3');
    await reloadUntil(page, '[data-testid="dashboard"]');
    await expect.poll(() => page.locator('[data-testid="filter-chip"][data-dimension="visit:channel"]').innerText(), POLL).toMatch(/Channel is\s+Organic Search/);
    await expect.poll(stat(page, 'visitors'), POLL).toBe('3');

    const link = page.url();
    const context = await personContext(browser);
    try {
      const other = await context.newPage();
      await signInUi(other, telmark.dashboardUrl, COLLEAGUE, { hash: link.slice(link.indexOf('#')) });
      await other.waitForSelector('[data-testid="dashboard"]');
      expect(await other.locator('[data-testid="range-from"]').inputValue()).toBe(from);
      expect(await other.locator('[data-testid="granularity-week"]').getAttribute('aria-pressed')).toBe('true');
      await expect.poll(() => other.locator('[data-testid="filter-chip"]').count(), POLL).toBe(1);
      await expect.poll(stat(other, 'visitors'), POLL).toBe('3');
      // Under a filter an empty earlier period cannot be told from one too small to show: no figure.
      await expect.poll(stat(other, 'visitors-earlier'), POLL).toBe('vs –');
      expect(other.url()).toBe(link);
    } finally {
      await context.close();
    }
  });
});

/** Weeks (Monday-based, as the server buckets them) touched by from..to. */
function mondaysBetween(from: string, to: string): number {
  const start = Date.parse(`${from}T00:00:00Z`);
  const firstMonday = start - ((new Date(start).getUTCDay() + 6) % 7) * DAY_MS;
  return Math.floor((Date.parse(`${to}T00:00:00Z`) - firstMonday) / (7 * DAY_MS)) + 1;
}
