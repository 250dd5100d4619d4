// Conversions in a real Chromium against a real telmark: four people (four user agents, so four
// visitor keys) open a test page that loads the project's own tracker, arriving from two
// campaigns or none, and some press "Sign up" (telmark('Signup', { revenue })). A marketer made
// the goal Signup (and a page goal, which is not counted yet) through the API; signed in, they
// must see the exact numbers in the Overview's Goal conversions panel, the acquisition tables per
// campaign and channel once the goal is clicked (the panels that cannot follow a goal say so), and
// the Campaigns view's sortable table with its bar chart.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'vite';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { createUser, signIn } from '../helpers/accounts.ts';
import { CHROME_UA } from '../helpers/telmark.ts';
import { launchChromium, personContext, signInUi, startTelmark, type E2eTelmark } from './browser.ts';

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
const SUMMER = '?utm_source=newsletter&utm_medium=email&utm_campaign=summer';

/**
 * [user agent, landing query, how often they press Sign up]. 4 visitors; Signup: 3 converting
 * visitors, 4 conversions. spring: 2 visitors, 1 converts once. summer: 1 visitor, converts twice.
 * No campaign (Direct): 1 visitor, converts once.
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

function servePages(): Promise<Server> {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Sign up</title>
<script defer data-domain="${SITE}" data-allow-localhost src="${telmark.collectorUrl}/js/script.js"></script>
</head><body><h1>Try it</h1>
<button id="signup" onclick="telmark('Signup', { revenue: { amount: 10, currency: 'EUR' } })">Sign up</button></body></html>`;
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

/** One person: lands on the page, presses Sign up `signups` times; resolves once every beacon was answered. */
async function visit(userAgent: string, query: string, signups: number): Promise<void> {
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
  await context.close();
}

beforeAll(async () => {
  // The server serves whatever is in dashboard/dist: build it from the current source first.
  const built = build({ configFile: 'dashboard/vite.config.ts', logLevel: 'warn' });
  telmark = await startTelmark({ SITES: SITE, PRIVACY_MIN_VISITORS: '1' });
  await createUser(telmark, MARKETER, ['marketer']);
  const { client } = await signIn(telmark, MARKETER);
  expect((await client.post(`/api/v1/sites/${SITE}/goals`, { type: 'event', event_name: 'Signup', currency: 'EUR' })).status).toBe(201);
  expect((await client.post(`/api/v1/sites/${SITE}/goals`, { type: 'page', path: '/thanks' })).status).toBe(201);
  pages = await servePages();
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  browser = await launchChromium();
  await Promise.all(PEOPLE.map(([ua, query, signups]) => visit(ua, query, signups)));
  await telmark.flush();
  await built;
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
    const { json } = await telmark.query({ site_id: SITE, metrics: ['visitors', 'events', 'conversion_rate'], date_range: '7d', dimensions: ['event:goal'] });
    expect(json.results).toEqual([{ dimensions: ['Signup'], metrics: [3, 4, 75] }]);
  });

  it('Goal conversions: uniques, total and conversion rate per goal; the page goal is named as not counted yet', E2E, async () => {
    await expect.poll(cells(page, 'goals', 'Signup'), POLL).toEqual({ visitors: '3', events: '4', conversion_rate: '75%' });
    expect(await rowValues(page, `${$('breakdown-goals')} ${$('row')}`)()).toEqual(['Signup']);
    expect(await page.locator($('breakdown-warning')).allInnerTexts()).toEqual(['Not counted yet (page, scroll and prop-condition goals): Visit /thanks.']);
    expect(await page.locator(`${$('breakdown-goals')} thead th`).allInnerTexts()).toEqual(['GOAL', 'UNIQUES', 'TOTAL', 'CR']);
    // Without a goal picked, the campaign table shows traffic.
    expect(await cells(page, 'campaigns', 'spring')()).toMatchObject({ visitors: '2', visits: '2' });
  });

  it('clicking the goal filters the dashboard: conversions, CR and converting visitors per campaign and channel', E2E, async () => {
    await page.click(`${$('breakdown-goals')} ${$('row')}[data-value="Signup"] button`);
    await expect.poll(text(page, `${$('filter-chip')}[data-dimension="event:goal"]`), POLL).toMatch(/Goal is\s+Signup/);
    await expect.poll(text(page, $('stat-visitors')), POLL).toBe('3');
    expect(await text(page, $('stat-events'))()).toBe('4');
    expect(await text(page, $('stat-conversion_rate'))()).toBe('75%');

    // Per campaign: spring converted 1 of its 2 visitors once, summer its 1 visitor twice.
    await expect.poll(cells(page, 'campaigns', 'summer'), POLL).toEqual({ events: '2', group_conversion_rate: '100%', visitors: '1' });
    expect(await cells(page, 'campaigns', 'spring')()).toEqual({ events: '1', group_conversion_rate: '50%', visitors: '1' });
    expect(await rowValues(page, `${$('breakdown-campaigns')} ${$('row')}`)()).toEqual(['summer', 'spring']);
    expect(await page.locator(`${$('breakdown-campaigns')} thead th`).allInnerTexts()).toEqual(['CAMPAIGN', 'UNIQUES', 'TOTAL', 'CR']);
    await expect.poll(cells(page, 'channels', 'Email'), POLL).toEqual({ events: '2', group_conversion_rate: '100%', visitors: '1' });
    expect(await cells(page, 'channels', 'Paid Search')()).toEqual({ events: '1', group_conversion_rate: '50%', visitors: '1' });
    expect(await cells(page, 'channels', 'Direct')()).toEqual({ events: '1', group_conversion_rate: '100%', visitors: '1' });
    await expect.poll(cells(page, 'sources', 'Google'), POLL).toEqual({ events: '1', group_conversion_rate: '50%', visitors: '1' });

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

  it('Campaigns: per campaign visitors, converting visitors, conversions and CR for the goal, sortable, with a bar chart', E2E, async () => {
    await page.click($('nav-campaigns'));
    await page.waitForSelector($('campaigns-table'));
    expect(await page.locator(`${$('campaigns-goal-picker')} option`).allInnerTexts()).toEqual(['Signup']);
    // [campaign, visitors, converting, conversions, CR]; by conversions, ties by name.
    const SUMMER_ROW = ['summer', '1', '1', '2', '100%'];
    const NONE_ROW = ['', '1', '1', '1', '100%'];
    const SPRING_ROW = ['spring', '2', '1', '1', '50%'];
    await expect.poll(campaignRows(page), POLL).toEqual([SUMMER_ROW, NONE_ROW, SPRING_ROW]);
    expect(await text(page, `${$('campaign-row')}[data-value=""] td.name`)()).toBe('(none)');
    expect(await text(page, $('campaigns-warning'))()).toMatch(/Visit \/thanks/);

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
});
