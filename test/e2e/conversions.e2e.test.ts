// Conversions in a real Chromium against a real telmark: four people (four user agents, so four
// visitor keys) open a test page that loads the project's own tracker, arriving from two
// campaigns or none, and some press "Sign up" (telmark('Signup', { revenue }), €10 each time). A
// marketer made the goal Signup with the currency EUR (and a page goal, which counts only from
// when it was made) through the API; signed in, they must see the exact numbers and revenue in the
// Overview's Goal conversions panel, the acquisition tables per campaign and channel once the goal
// is clicked (the panels that cannot follow a goal say so), the Campaigns view's sortable table
// with its bar chart of conversions or revenue, and the pages' engagement columns. Last, a page
// goal made afterwards counts a fifth person's visit and says since when it counts, and a
// conversion in another currency is named under the table.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { createUser, signIn, type CookieClient } from '../helpers/accounts.ts';
import { CHROME_UA } from '../helpers/telmark.ts';
import { launchChromium, personContext, signInUi, startTelmark, type E2eTelmark, reloadUntil } from './browser.ts';

const SITE = 'example.test';
const MARKETER = 'cam.marketer@example.test';
const E2E = { timeout: 60_000 };
const POLL = { timeout: 15_000 };

const UA = {
  windowsChrome: CHROME_UA,
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  linuxFirefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  macChrome: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36',
};
const SPRING = '?utm_source=google&utm_medium=cpc&utm_campaign=spring';
/** What one press of Sign up is worth (the test page's revenue). */
const SIGNUP_EUR = 10;
const SUMMER = '?utm_source=newsletter&utm_medium=email&utm_campaign=summer';

/**
 * [user agent, landing query, how often they press Sign up]. 4 visitors; Signup: 3 converting
 * visitors, 4 conversions, €40.00 (€10.00 on average). spring: 2 visitors, 1 converts once (€10.00).
 * summer: 1 visitor, converts twice (€20.00). No campaign (Direct): 1 visitor, converts once (€10.00).
 */
const PEOPLE: Array<[string, string, number]> = [
  [UA.windowsChrome, SPRING, 1],
  [UA.macSafari, SPRING, 0],
  [UA.linuxFirefox, SUMMER, 2],
  [UA.macChrome, '', 1],
];

let telmark: E2eTelmark;
let browser: Browser;
let pages: Server;
let pageOrigin: string;
let marketerApi: CookieClient;
/** The site's time zone: the Stats API names goals' creation days in it. */
let siteTimeZone: string;
/** When the page goal /thanks was made (its counting_since). */
let thanksSince: string;
const contexts: BrowserContext[] = [];

const $ = (testid: string) => `[data-testid="${testid}"]`;
const text = (page: Page, selector: string) => () => page.locator(selector).innerText();
/** A row's cells of a breakdown card as { metric: text }. */
const cells = (page: Page, table: string, value: string) => () =>
  page
    .locator(`${$(`breakdown-${table}`)} ${$('row')}[data-value="${value}"] td[data-metric]`)
    .evaluateAll((tds) => Object.fromEntries(tds.map((td) => [td.getAttribute('data-metric'), (td as HTMLElement).innerText])));
const rowValues = (page: Page, selector: string) => () => page.locator(selector).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-value')));
const campaignRows = (page: Page) => () =>
  page.locator($('campaign-row')).evaluateAll((rows) =>
    rows.map((r) => [r.getAttribute('data-value'), ...[...r.querySelectorAll('td[data-metric]')].map((td) => (td as HTMLElement).innerText)]),
  );

/** The local day (YYYY-MM-DD) of an instant in a time zone, as the Stats API names goals' creation days. */
const localDay = (iso: string, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
/** As the app writes a date (lib/format.ts formatDate); browser and test share the machine's time zone. */
const appDate = (iso: string) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' }).format(new Date(iso));
/** As the app writes seconds (lib/format.ts formatDuration) and a missing value. */
const appDuration = (s: number | null) =>
  s === null ? '–' : s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
const appPercent = (p: number | null) => (p === null ? '–' : `${Math.round(p)}%`);
/** Plausible's money object for euros, as the Stats API sends it. */
const eur = (value: number, short: string) => ({ value, currency: 'EUR', short, long: `€${value.toFixed(2)}` });

function servePages(): Promise<Server> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Sign up</title>
<script defer data-domain="${SITE}" data-allow-localhost src="${telmark.collectorUrl}/js/script.js"></script>
</head><body><h1>Try it</h1>
<button id="signup" onclick="telmark('Signup', { revenue: { amount: ${SIGNUP_EUR}, currency: 'EUR' } })">Sign up</button></body></html>`;
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function newContext(userAgent?: string): Promise<BrowserContext> {
  const context = await personContext(browser, userAgent);
  context.setDefaultTimeout(20_000);
  contexts.push(context);
  return context;
}

/**
 * One person: lands on the page, presses Sign up `signups` times, then runs `more` in the page
 * (beacons of its own: `moreBeacons`); resolves once every beacon was answered.
 */
async function visit(userAgent: string, query: string, signups: number, more?: { run: (page: Page) => Promise<unknown>; beacons: number }): Promise<void> {
  const context = await newContext(userAgent);
  const page = await context.newPage();
  const endpoint = `${telmark.collectorUrl}/api/event`;
  let answered = 0;
  page.on('requestfinished', (r: Request) => {
    if (r.url() === endpoint && r.method() === 'POST') answered++;
  });
  const settled = async (count: number) => {
    const deadline = Date.now() + 15_000;
    while (answered < count) {
      if (Date.now() > deadline) throw new Error(`${userAgent}: ${answered} of ${count} beacons answered`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await page.goto(`${pageOrigin}/${query}`);
  await settled(1);
  for (let i = 1; i <= signups; i++) {
    await page.click('#signup');
    await settled(1 + i);
  }
  if (more) {
    await more.run(page);
    await settled(1 + signups + more.beacons);
  }
  await context.close();
}

beforeAll(async () => {
  telmark = await startTelmark({ SITES: SITE, PRIVACY_MIN_VISITORS: '1' });
  await createUser(telmark, MARKETER, ['marketer']);
  const { client } = await signIn(telmark, MARKETER);
  marketerApi = client;
  // The currency is the one the page's revenue comes in: Signup books it.
  expect((await client.post(`/api/v1/sites/${SITE}/goals`, { type: 'event', event_name: 'Signup', currency: 'EUR' })).status).toBe(201);
  const thanks = await client.post(`/api/v1/sites/${SITE}/goals`, { type: 'page', path: '/thanks' });
  expect(thanks.status).toBe(201);
  thanksSince = thanks.json.goal.counting_since;
  siteTimeZone = (await client.get('/api/sites')).json.sites.find((s: { domain: string }) => s.domain === SITE).timezone;
  pages = await servePages();
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  browser = await launchChromium();
  await Promise.all(PEOPLE.map(([ua, query, signups]) => visit(ua, query, signups)));
  await telmark.flush();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await new Promise((r) => pages?.close(r));
  await telmark?.destroy();
}, 60_000);

describe('conversions on the dashboard', () => {
  let page: Page;

  beforeAll(async () => {
    const context = await newContext();
    page = await context.newPage();
    await signInUi(page, telmark.dashboardUrl, MARKETER);
    await page.waitForSelector($('dashboard'));
  }, 60_000);

  it('the Stats API agrees with what the browsers did (the baseline for the screens)', E2E, async () => {
    const { json } = await telmark.query({
      site_id: SITE,
      metrics: ['visitors', 'events', 'conversion_rate', 'total_revenue', 'average_revenue'],
      date_range: '7d',
      dimensions: ['event:goal'],
    });
    expect(json.results).toEqual([{ dimensions: ['Signup'], metrics: [3, 4, 75, eur(4 * SIGNUP_EUR, '€40.0'), eur(SIGNUP_EUR, '€10.0')] }]);
    expect(json.meta.metric_warnings).toBeUndefined();
    expect(json.meta.warnings).toEqual([`counting since the goal was made (page, scroll and prop-condition goals): Visit /thanks since ${localDay(thanksSince, siteTimeZone)}`]);
    const byCampaign = await telmark.query({
      site_id: SITE,
      metrics: ['total_revenue'],
      date_range: '7d',
      dimensions: ['visit:utm_campaign'],
      filters: [['is', 'event:goal', ['Signup']]],
    });
    expect(Object.fromEntries(byCampaign.json.results.map((r: { dimensions: string[]; metrics: Array<{ long: string }> }) => [r.dimensions[0], r.metrics[0]!.long]))).toEqual({
      summer: '€20.00',
      spring: '€10.00',
      '': '€10.00',
    });
  });

  it('Goal conversions: uniques, total, conversion rate and revenue per goal; the page goal is named as counting since it was made', E2E, async () => {
    await expect
      .poll(cells(page, 'goals', 'Signup'), POLL)
      .toEqual({ visitors: '3', events: '4', conversion_rate: '75%', total_revenue: '€40.00', average_revenue: '€10.00' });
    expect(await rowValues(page, `${$('breakdown-goals')} ${$('row')}`)()).toEqual(['Signup']);
    expect(await page.locator($('breakdown-warning')).allInnerTexts()).toEqual([
      `Counting since the goal was made (page, scroll and prop-condition goals): Visit /thanks since ${localDay(thanksSince, siteTimeZone)}.`,
    ]);
    expect(await page.locator(`${$('breakdown-goals')} thead th`).allInnerTexts()).toEqual(['GOAL', 'UNIQUES', 'TOTAL', 'CR', 'REVENUE', 'AVERAGE']);
    // Signup counts over its event's history: no "counting since"; all revenue in EUR: no note.
    expect(await page.locator(`${$('breakdown-goals')} ${$('goal-counting-since')}`).count()).toBe(0);
    expect(await page.locator($('metric-warning')).count()).toBe(0);
    // Without a goal picked, the campaign table shows traffic.
    expect(await cells(page, 'campaigns', 'spring')()).toMatchObject({ visitors: '2', visits: '2' });
  });

  it('Pages: time on page and scroll depth beside visitors and pageviews, as the Stats API answers them', E2E, async () => {
    const { status, json } = await telmark.query({
      site_id: SITE,
      metrics: ['visitors', 'pageviews', 'time_on_page', 'scroll_depth'],
      date_range: '7d',
      dimensions: ['event:page'],
    });
    expect(status).toBe(200);
    expect(json.results.map((r: { dimensions: string[]; metrics: unknown[] }) => [r.dimensions, r.metrics.slice(0, 2)])).toEqual([[['/'], [4, 4]]]);
    // The tracker reports engagement as each person leaves (pagehide on closing the tab), which
    // the browser may or may not get out: the screen must show whatever the API counted. The
    // page fits the window, so any reading is the whole page; none, and both are null ("–").
    const [, , seconds, depth] = json.results[0].metrics as [number, number, number | null, number | null];
    expect([null, 100]).toContain(depth);
    if (seconds !== null) expect(Number.isInteger(seconds) && seconds >= 0).toBe(true);
    await expect
      .poll(cells(page, 'pages', '/'), POLL)
      .toEqual({ visitors: '4', pageviews: '4', time_on_page: appDuration(seconds), scroll_depth: appPercent(depth) });
    expect(await page.locator(`${$('breakdown-pages')} thead th`).allInnerTexts()).toEqual(['PAGE', 'VISITORS', 'VIEWS', 'TIME ON PAGE', 'SCROLL DEPTH']);
  });

  it('clicking the goal filters the dashboard: conversions, CR and converting visitors per campaign and channel', E2E, async () => {
    await page.click(`${$('breakdown-goals')} ${$('row')}[data-value="Signup"] button`);
    await expect.poll(text(page, `${$('filter-chip')}[data-dimension="event:goal"]`), POLL).toMatch(/Goal is\s+Signup/);
    await expect.poll(text(page, $('stat-visitors')), POLL).toBe('3');
    expect(await text(page, $('stat-events'))()).toBe('4');
    expect(await text(page, $('stat-conversion_rate'))()).toBe('75%');

    // Per campaign: spring converted 1 of its 2 visitors once, summer its 1 visitor twice.
    // Signup has a currency: each row's revenue too.
    await expect.poll(cells(page, 'campaigns', 'summer'), POLL).toEqual({ events: '2', group_conversion_rate: '100%', visitors: '1', total_revenue: '€20.00' });
    expect(await cells(page, 'campaigns', 'spring')()).toEqual({ events: '1', group_conversion_rate: '50%', visitors: '1', total_revenue: '€10.00' });
    expect(await rowValues(page, `${$('breakdown-campaigns')} ${$('row')}`)()).toEqual(['summer', 'spring']);
    expect(await page.locator(`${$('breakdown-campaigns')} thead th`).allInnerTexts()).toEqual(['CAMPAIGN', 'UNIQUES', 'TOTAL', 'CR', 'REVENUE']);
    await expect.poll(cells(page, 'channels', 'Email'), POLL).toEqual({ events: '2', group_conversion_rate: '100%', visitors: '1', total_revenue: '€20.00' });
    expect(await cells(page, 'channels', 'Paid Search')()).toEqual({ events: '1', group_conversion_rate: '50%', visitors: '1', total_revenue: '€10.00' });
    expect(await cells(page, 'channels', 'Direct')()).toEqual({ events: '1', group_conversion_rate: '100%', visitors: '1', total_revenue: '€10.00' });
    await expect.poll(cells(page, 'sources', 'Google'), POLL).toEqual({ events: '1', group_conversion_rate: '50%', visitors: '1', total_revenue: '€10.00' });
    expect(await page.locator($('metric-warning')).count()).toBe(0);

    // Pages and devices cannot follow a goal: a note, no error. The chart shows converting visitors.
    for (const card of ['pages', 'devices']) {
      await expect.poll(text(page, `${$(`breakdown-${card}`)} ${$('goal-unavailable')}`), POLL).toMatch(/not available with a goal filter/);
    }
    expect(await page.locator(`${$('breakdown-error')}, ${$('stat-error')}, ${$('time-chart-error')}`).count()).toBe(0);
    expect(await text(page, $('time-chart-title'))()).toBe('Converting visitors over time');
    await expect
      .poll(() => page.locator(`${$('time-chart-data')} tbody td:nth-child(2)`).evaluateAll((tds) => tds.reduce((sum, td) => sum + Number(td.textContent), 0)), POLL)
      .toBe(3);
    await page.screenshot({ path: '/tmp/telmark-conversions-goal.png', fullPage: true });

    await page.locator(`${$('filter-chip')} ${$('filter-remove')}`).click();
    await expect.poll(text(page, $('stat-visitors')), POLL).toBe('4');
    await expect.poll(cells(page, 'campaigns', 'spring'), POLL).toMatchObject({ visitors: '2' });
  });

  it('Campaigns: per campaign visitors, converting visitors, conversions, CR and revenue for the goal, sortable, with a bar chart', E2E, async () => {
    await page.click($('nav-campaigns'));
    await page.waitForSelector($('campaigns-table'));
    expect(await page.locator(`${$('campaigns-goal-picker')} option`).allInnerTexts()).toEqual(['Signup']);
    // [campaign, visitors, converting, conversions, CR, revenue, average]; by conversions, ties by name.
    const SUMMER_ROW = ['summer', '1', '1', '2', '100%', '€20.00', '€10.00'];
    const NONE_ROW = ['', '1', '1', '1', '100%', '€10.00', '€10.00'];
    const SPRING_ROW = ['spring', '2', '1', '1', '50%', '€10.00', '€10.00'];
    await expect.poll(campaignRows(page), POLL).toEqual([SUMMER_ROW, NONE_ROW, SPRING_ROW]);
    const headers = async () => (await page.locator(`${$('campaigns-table')} thead th`).allInnerTexts()).map((h) => h.replace(/[↑↓]/g, ''));
    expect(await headers()).toEqual(['CAMPAIGN', 'VISITORS', 'CONVERTING', 'CONVERSIONS', 'CR', 'REVENUE', 'AVERAGE']);
    expect(await text(page, `${$('campaign-row')}[data-value=""] td.name`)()).toBe('(none)');
    expect(await text(page, $('campaigns-warning'))()).toMatch(/Visit \/thanks since \d{4}-\d{2}-\d{2}/);
    expect(await page.locator($('campaigns-metric-warning')).count()).toBe(0);

    // Revenue sorts like the other columns: largest first, then ascending (ties by name).
    await page.click($('sort-revenue'));
    await expect.poll(campaignRows(page), POLL).toEqual([SUMMER_ROW, NONE_ROW, SPRING_ROW]);
    expect(await page.getAttribute(`th:has(${$('sort-revenue')})`, 'aria-sort')).toBe('descending');
    await page.click($('sort-revenue'));
    await expect.poll(campaignRows(page), POLL).toEqual([NONE_ROW, SPRING_ROW, SUMMER_ROW]);
    expect(await page.getAttribute(`th:has(${$('sort-revenue')})`, 'aria-sort')).toBe('ascending');

    // The bars: conversions, or revenue (its value, written in the goal's currency).
    const bars = () => page.locator(`${$('campaigns-chart')} + table tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(await bars()).toEqual([['summer', '2'], ['(none)', '1'], ['spring', '1']]);
    await page.click($('chart-revenue'));
    await expect.poll(bars, POLL).toEqual([['summer', '€20.00'], ['(none)', '€10.00'], ['spring', '€10.00']]);
    expect(await page.getAttribute($('chart-revenue'), 'aria-pressed')).toBe('true');
    expect(await page.locator(`${$('campaigns-chart')} canvas`).count()).toBe(1);
    await page.screenshot({ path: '/tmp/telmark-conversions-campaigns-revenue.png', fullPage: true });
    await page.click($('chart-conversions'));
    await expect.poll(bars, POLL).toEqual([['summer', '2'], ['(none)', '1'], ['spring', '1']]);

    await page.click($('sort-visitors'));
    await expect.poll(campaignRows(page), POLL).toEqual([SPRING_ROW, NONE_ROW, SUMMER_ROW]);
    await page.click($('sort-visitors'));
    await expect.poll(campaignRows(page), POLL).toEqual([NONE_ROW, SUMMER_ROW, SPRING_ROW]);
    await page.click($('sort-rate'));
    await expect.poll(campaignRows(page), POLL).toEqual([NONE_ROW, SUMMER_ROW, SPRING_ROW]);
    expect(await page.getAttribute(`th:has(${$('sort-rate')})`, 'aria-sort')).toBe('descending');

    expect(await page.locator(`${$('campaigns-chart')} canvas`).count()).toBe(1);
    await page.screenshot({ path: '/tmp/telmark-conversions-campaigns.png', fullPage: true });
    // On a phone nothing runs off the side (the chart follows the width).
    const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
    await page.setViewportSize({ width: 400, height: 800 });
    await expect.poll(pageWidth, POLL).toBe(400);
    await page.screenshot({ path: '/tmp/telmark-conversions-campaigns-400.png', fullPage: true });
    await page.click($('nav-overview'));
    await page.click(`${$('breakdown-goals')} ${$('row')}[data-value="Signup"] button`);
    await expect.poll(cells(page, 'campaigns', 'summer'), POLL).toMatchObject({ events: '2' });
    await expect.poll(pageWidth, POLL).toBe(400);
    await page.screenshot({ path: '/tmp/telmark-conversions-goal-400.png', fullPage: true });
  });

  it('a page goal made now counts from now and says so; a conversion in another currency is named under the table', E2E, async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const made = await marketerApi.post(`/api/v1/sites/${SITE}/goals`, { type: 'page', path: '/' });
    expect(made.status).toBe(201);
    const since: string = made.json.goal.counting_since;
    expect(since).toBe(made.json.goal.created_at);
    // A fifth person lands on / (the new goal's first conversion) and signs up once, paying in dollars.
    const windowsFirefox = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';
    await visit(windowsFirefox, '', 0, {
      run: (p) => p.evaluate(() => (window as unknown as { telmark: (n: string, o: unknown) => void }).telmark('Signup', { revenue: { amount: 5, currency: 'USD' } })),
      beacons: 1,
    });
    await telmark.flush();

    const { json } = await telmark.query({
      site_id: SITE,
      metrics: ['visitors', 'events', 'conversion_rate', 'total_revenue', 'average_revenue'],
      date_range: '7d',
      dimensions: ['event:goal'],
    });
    // The dollars are kept apart: Signup's revenue stays €40.00 over its four euro conversions.
    expect(json.results).toEqual([
      { dimensions: ['Signup'], metrics: [4, 5, 80, eur(4 * SIGNUP_EUR, '€40.0'), eur(SIGNUP_EUR, '€10.0')] },
      { dimensions: ['Visit /'], metrics: [1, 1, 20, null, null] },
    ]);
    const otherCurrency = "1 conversion(s) carried revenue in another currency than their goal's; those amounts are kept apart, not converted (telmark fetches no exchange rates)";
    expect(json.meta.metric_warnings).toEqual({
      total_revenue: { code: 'revenue_in_other_currencies', warning: otherCurrency },
      average_revenue: { code: 'revenue_in_other_currencies', warning: otherCurrency },
    });

    // The goal filter the test before picked is part of the view (kept in the address, so a
    // reload keeps it): every goal shows only without it.
    await page.locator(`${$('filter-chip')} ${$('filter-remove')}`).click();
    await expect.poll(() => page.locator($('filter-chip')).count(), POLL).toBe(0);
    await reloadUntil(page, $('dashboard'));
    await expect
      .poll(cells(page, 'goals', 'Signup'), POLL)
      .toEqual({ visitors: '4', events: '5', conversion_rate: '80%', total_revenue: '€40.00', average_revenue: '€10.00' });
    // A goal without a currency has no revenue: a dash, not €0.00.
    expect(await cells(page, 'goals', 'Visit /')()).toEqual({ visitors: '1', events: '1', conversion_rate: '20%', total_revenue: '–', average_revenue: '–' });
    expect(await rowValues(page, `${$('breakdown-goals')} ${$('row')}`)()).toEqual(['Signup', 'Visit /']);
    expect(await page.locator(`${$('breakdown-goals')} ${$('row')}[data-value="Signup"] ${$('goal-counting-since')}`).count()).toBe(0);
    expect(await text(page, `${$('breakdown-goals')} ${$('row')}[data-value="Visit /"] ${$('goal-counting-since')}`)()).toBe(`counting since ${appDate(since)}`);
    // The server's note on the revenue, once, under the table.
    expect(await page.locator(`${$('breakdown-goals')} ${$('metric-warning')}`).allInnerTexts()).toEqual([`${otherCurrency}.`]);
    expect(await page.locator(`${$('breakdown-goals')} table + ${$('metric-warning')}`).count()).toBe(1);
    await page.screenshot({ path: '/tmp/telmark-conversions-since.png', fullPage: true });
  });
});
