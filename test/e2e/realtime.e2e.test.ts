// Realtime and exit pages in a real Chromium against a real telmark (real time, the default abuse
// hold): the header's current visitors changes after new beacons and a flush without a reload
// (REALTIME_REFRESH_S=1 shortens its 30 s timer for the test), the realtime view shows the minute
// chart and the top sources and pages, and the Overview's "Exit pages" tab shows exact exits and
// exit rates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../helpers/accounts.ts';
import { CHROME_UA, postBeacon } from '../helpers/telmark.ts';
import { launchChromium, personContext, signInUi, startTelmark, type E2eTelmark } from './browser.ts';

const SITE = 'example.test';
const MARKETER = 'rita.realtime@example.test';
const E2E = { timeout: 90_000 };
const POLL = { timeout: 30_000 };
const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0';

let telmark: E2eTelmark;
let browser: Browser;
let page: Page;

async function view(path: string, userAgent: string, referrer: string | null = null) {
  const res = await postBeacon(telmark.collectorUrl, { n: 'pageview', u: `https://${SITE}${path}`, d: SITE, r: referrer }, { 'user-agent': userAgent, 'accept-language': 'en-US' });
  expect(res.status).toBe(202);
}

const text = (selector: string) => () => page.locator(selector).innerText();
const cell = (table: string, value: string, metric: string) => text(`[data-testid="breakdown-${table}"] [data-testid="row"][data-value="${value}"] td[data-metric="${metric}"]`);
const rowValues = (table: string) => () => page.locator(`[data-testid="breakdown-${table}"] [data-testid="row"]`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-value')).sort());

beforeAll(async () => {
  // The default 10 s abuse hold (+ its 1 s sweep) and a 9 s flush interval: figures up to 20 s behind.
  telmark = await startTelmark({ REALTIME_REFRESH_S: '1', FLUSH_INTERVAL_MS: '9000' });
  await createUser(telmark, MARKETER, ['marketer']);
  browser = await launchChromium();
  const context = await personContext(browser);
  page = await context.newPage();
  await signInUi(page, telmark.dashboardUrl, MARKETER);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

describe('realtime', () => {
  it('the header\'s current visitors follows new beacons and a flush, without a reload', E2E, async () => {
    await expect.poll(text('[data-testid="current-visitors-count"]'), POLL).toBe('0');
    expect(await page.getAttribute('[data-testid="current-visitors"]', 'title')).toMatch(/last 5 minutes on example\.test\. Figures are up to 20 s behind/);
    // Survives only as long as the page is not reloaded.
    await page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
    // Two people: one from Google reads /a then /b, one types the address and reads /a.
    await view('/a', CHROME_UA, 'https://www.google.com/');
    await view('/b', CHROME_UA, `https://${SITE}/a`);
    await view('/a', FIREFOX);
    await telmark.flush();
    await expect.poll(text('[data-testid="current-visitors-count"]'), POLL).toBe('2');
    expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
  });

  it('the realtime view: current visitors, the minute chart and the top sources and pages now', E2E, async () => {
    await page.click('[data-testid="current-visitors"]');
    await page.waitForSelector('[data-testid="realtime"]');
    await expect.poll(text('[data-testid="realtime-current"]'), POLL).toBe('2');
    expect(await text('[data-testid="realtime-delay"]')()).toMatch(/^Figures are up to 20 s behind: .*ABUSE_HOLD_MS.*FLUSH_INTERVAL_MS/);
    // 30 minutes, quiet ones as zero; the three pageviews of two visitors fall in the last minute or two.
    await expect.poll(() => page.locator('[data-testid="minute-chart-data"] [data-testid="minute"]').count(), POLL).toBe(30);
    const pageviews = await page.locator('[data-testid="minute-chart-data"] td[data-metric="pageviews"]').allInnerTexts();
    expect(pageviews.reduce((n, v) => n + Number(v), 0)).toBe(3);
    await expect.poll(rowValues('realtime-sources'), POLL).toEqual(['', 'Google']);
    expect(await cell('realtime-sources', 'Google', 'visitors')()).toBe('1');
    await expect.poll(rowValues('realtime-pages'), POLL).toEqual(['/a', '/b']);
    expect(await cell('realtime-pages', '/a', 'pageviews')()).toBe('2');
    // A new visitor shows up in the open view by itself.
    await view('/c', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15');
    await telmark.flush();
    await expect.poll(rowValues('realtime-pages'), POLL).toEqual(['/a', '/b', '/c']);
    await expect.poll(text('[data-testid="realtime-current"]'), POLL).toBe('3');
    await page.screenshot({ path: '/tmp/telmark-realtime.png', fullPage: true });
  });
});

describe('exit pages', () => {
  it('the Overview\'s "Exit pages" tab lists exits and exit rates', E2E, async () => {
    await page.goto(`${telmark.dashboardUrl}/#/overview`);
    await page.waitForSelector('[data-testid="dashboard"]');
    await page.click('[data-testid="breakdown-pages"] [data-testid="tab-exit-pages"]');
    // Exits: /b (the first visit), /a (the second), /c (the third); pageviews /a 2, /b 1, /c 1.
    await expect.poll(rowValues('pages'), POLL).toEqual(['/a', '/b', '/c']);
    expect(await cell('pages', '/a', 'visits')()).toBe('1');
    expect(await cell('pages', '/a', 'exit_rate')()).toBe('50%');
    expect(await cell('pages', '/b', 'exit_rate')()).toBe('100%');
    expect(await cell('pages', '/c', 'visits')()).toBe('1');
    expect(await page.locator('[data-testid="breakdown-pages"] th').allTextContents()).toEqual(['Exit page', 'Exits', 'Exit rate']);
    await page.locator('[data-testid="breakdown-pages"]').screenshot({ path: '/tmp/telmark-exit-pages.png' });
  });
});
