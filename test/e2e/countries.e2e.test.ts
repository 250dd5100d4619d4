// The countries panel in a real Chromium: beacons from addresses of known countries (read from
// the packaged DB-IP Lite database) go in through the collector; the panel must list each country
// with its exact visitors, the lazily loaded map must paint them, and clicking a country, in the
// table or on the map, must filter the dashboard (another panel's numbers change exactly).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../helpers/accounts.ts';
import { CHROME_UA, postBeacon } from '../helpers/telmark.ts';
import { launchChromium, personContext, signInUi, startTelmark, type E2eTelmark } from './browser.ts';

const SITE = 'example.test';
const E2E = { timeout: 90_000 };
const MARKETER = 'mia.marketer@example.test';
const POLL = { timeout: 20_000 };

const UA = {
  windowsChrome: CHROME_UA,
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  iphoneSafari:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  linuxFirefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  androidChrome: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
};

/** [client address, user agent, referrer]: six visitors in three countries, four desktops and two phones, three from Google. */
const TRAFFIC: Array<[string, string, string | null]> = [
  ['193.99.144.80', UA.windowsChrome, 'https://www.google.com/'], // DE, desktop
  ['194.25.2.129', UA.macSafari, 'https://www.google.com/'], // DE, desktop
  ['212.227.17.185', UA.iphoneSafari, null], // DE, mobile
  ['80.67.169.12', UA.windowsChrome, null], // FR, desktop
  ['2a01:e0a::1', UA.linuxFirefox, 'https://www.google.com/'], // FR (IPv6), desktop
  ['2804:14c::1', UA.androidChrome, null], // BR (IPv6), mobile
];

let telmark: E2eTelmark;
let browser: Browser;
let page: Page;

const text = (selector: string) => () => page.locator(selector).innerText();
const cell = (table: string, value: string, metric = 'visitors') =>
  text(`[data-testid="breakdown-${table}"] [data-testid="row"][data-value="${value}"] td[data-metric="${metric}"]`);
const rowValues = (table: string) => () =>
  page.locator(`[data-testid="breakdown-${table}"] [data-testid="row"]`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-value')));
const stat = (metric: string) => text(`[data-testid="stat-${metric}"]`);
const chips = () => page.locator('[data-testid="filter-chip"]').allInnerTexts();

/**
 * What the map canvas shows: how many pixels are painted at all, and where (in page coordinates)
 * a pixel of exactly the accent colour is, the colour of the country with the most visitors.
 */
function mapPixels(): Promise<{ painted: number; coloured: number; top?: { x: number; y: number } }> {
  return page.locator('[data-testid="country-map"]').evaluate((el) => {
    const canvas = el as HTMLCanvasElement;
    const accent = getComputedStyle(canvas).getPropertyValue('--accent').trim();
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(accent.slice(i, i + 2), 16));
    const { data, width, height } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    let coloured = 0;
    let top: { x: number; y: number } | undefined;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      painted++;
      // Grey (no visitors) and white (borders) are not data.
      const grey = data[i] === data[i + 1] && data[i + 1] === data[i + 2];
      const light = data[i] === 0xe5 && data[i + 1] === 0xe7 && data[i + 2] === 0xeb;
      if (!grey && !light) coloured++;
      if (!top && data[i] === r && data[i + 1] === g && data[i + 2] === b) {
        const p = i / 4;
        const rect = canvas.getBoundingClientRect();
        top = { x: rect.left + ((p % width) + 0.5) * (rect.width / width), y: rect.top + (Math.floor(p / width) + 0.5) * (rect.height / height) };
      }
    }
    return { painted, coloured, top };
  });
}

beforeAll(async () => {
  // Loopback is the proxy that names each client address (X-Forwarded-For).
  telmark = await startTelmark({ TRUSTED_PROXIES: '127.0.0.1/32,::1' });
  await createUser(telmark, MARKETER, ['marketer']);
  browser = await launchChromium();
  for (const [ip, userAgent, referrer] of TRAFFIC) {
    const res = await postBeacon(
      telmark.collectorUrl,
      { n: 'pageview', u: `https://${SITE}/`, d: SITE, r: referrer },
      { 'content-type': 'text/plain', 'user-agent': userAgent, 'accept-language': 'en-US', 'x-forwarded-for': ip },
    );
    expect(res.status).toBe(202);
  }
  await telmark.flush();
  const context = await personContext(browser);
  page = await context.newPage();
  await signInUi(page, telmark.dashboardUrl, MARKETER);
  await page.waitForSelector('[data-testid="dashboard"]');
}, 120_000);

afterAll(async () => {
  await page?.context().close();
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

describe('the countries panel', () => {
  it('lists each country with its exact visitors, by name, with the DB-IP credit', E2E, async () => {
    await expect.poll(rowValues('countries'), POLL).toEqual(['DE', 'FR', 'BR']);
    expect(await cell('countries', 'DE')()).toBe('3');
    expect(await cell('countries', 'FR')()).toBe('2');
    expect(await cell('countries', 'BR')()).toBe('1');
    expect(await cell('countries', 'DE', 'percentage')()).toBe('50%');
    expect(await text('[data-testid="breakdown-countries"] [data-testid="row"][data-value="DE"] td.name')()).toBe('Germany');
    const credit = page.locator('[data-testid="dbip-credit"]');
    expect(await credit.innerText()).toBe('IP geolocation by DB-IP');
    expect(await credit.getAttribute('href')).toBe('https://db-ip.com');
  });

  it('the map (loaded on demand) paints the countries with visitors', E2E, async () => {
    await expect.poll(() => page.locator('[data-testid="country-map"]').getAttribute('data-countries'), POLL).toBe('DE,FR,BR');
    const pixels = await mapPixels();
    expect(pixels.painted).toBeGreaterThan(10_000);
    expect(pixels.coloured).toBeGreaterThan(100);
    expect(pixels.top).toBeDefined();
  });

  it('clicking a country row filters the dashboard: the other panels change exactly', E2E, async () => {
    await expect.poll(cell('devices', 'desktop'), POLL).toBe('4');
    expect(await cell('devices', 'mobile')()).toBe('2');
    await expect.poll(cell('sources', 'Google'), POLL).toBe('3');
    await page.click('[data-testid="breakdown-countries"] [data-testid="row"][data-value="DE"] button');
    await expect.poll(chips, POLL).toEqual([expect.stringMatching(/Country is\s+Germany/)]);
    await expect.poll(stat('visitors'), POLL).toBe('3');
    // Devices keep the visit's country: 2 desktops and 1 phone in Germany (4 and 2 in all).
    await expect.poll(cell('devices', 'desktop'), POLL).toBe('2');
    await expect.poll(cell('devices', 'mobile'), POLL).toBe('1');
    await expect.poll(cell('sources', 'Google'), POLL).toBe('2');
    await expect.poll(rowValues('countries'), POLL).toEqual(['DE']);
    await page.screenshot({ path: '/tmp/telmark-dashboard-countries.png', fullPage: true });
    await page.locator('[data-testid="filter-remove"]').click();
    await expect.poll(stat('visitors'), POLL).toBe('6');
  });

  it('clicking a country on the map filters the dashboard the same way', E2E, async () => {
    await expect.poll(() => page.locator('[data-testid="country-map"]').getAttribute('data-countries'), POLL).toBe('DE,FR,BR');
    // Germany has the most visitors, so it alone is painted in the full accent colour.
    await page.locator('[data-testid="country-map"]').scrollIntoViewIfNeeded();
    const { top } = await mapPixels();
    await page.mouse.click(top!.x, top!.y);
    await expect.poll(chips, POLL).toEqual([expect.stringMatching(/Country is\s+Germany/)]);
    await expect.poll(stat('visitors'), POLL).toBe('3');
    await expect.poll(cell('devices', 'desktop'), POLL).toBe('2');
  });
});
