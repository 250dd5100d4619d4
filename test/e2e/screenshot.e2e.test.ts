// The README's picture of the dashboard, taken here: a site with a day of varied traffic (four
// countries, search, social, a newsletter and a paid campaign, phones and desktops, a goal with
// revenue) goes in through the collector; a marketer signs in and the Overview is photographed
// once every panel has its numbers. Every run takes the picture and checks it; with
// SCREENSHOTS_DIR set (`SCREENSHOTS_DIR=docs npx vitest run test/e2e/screenshot.e2e.test.ts`) it
// is also written there, which is how docs/dashboard.png is made.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createUser, signIn } from '../helpers/accounts.ts';
import { CHROME_UA, postBeacon } from '../helpers/telmark.ts';
import { launchChromium, personContext, signInUi, startTelmark, type E2eTelmark } from './browser.ts';

const SITE = 'example.test';
const MARKETER = 'mia.marketer@example.test';
const E2E = { timeout: 120_000 };
const POLL = { timeout: 30_000 };

const UAS = [
  CHROME_UA,
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
];
/** Addresses of known countries in the packaged DB-IP Lite database (as test/e2e/countries.e2e.test.ts uses them). */
const ADDRESSES = ['193.99.144.80', '194.25.2.129', '212.227.17.185', '80.67.169.12', '2a01:e0a::1', '2804:14c::1'];
/** [landing query or referrer, pages]: where each visit came from and what it read. */
const VISITS: Array<[{ referrer?: string; query?: string }, string[]]> = [
  [{ referrer: 'https://www.google.com/' }, ['/', '/pricing', '/signup']],
  [{ referrer: 'https://www.google.com/' }, ['/blog/privacy-first-analytics']],
  [{ referrer: 'https://duckduckgo.com/' }, ['/', '/docs']],
  [{ query: '?utm_source=newsletter&utm_medium=email&utm_campaign=autumn' }, ['/blog/launch', '/pricing']],
  [{ query: '?utm_source=google&utm_medium=cpc&utm_campaign=spring' }, ['/pricing', '/signup']],
  [{ referrer: 'https://news.ycombinator.com/' }, ['/blog/launch']],
  [{}, ['/']],
  [{ referrer: 'https://l.facebook.com/' }, ['/', '/pricing']],
];

let telmark: E2eTelmark;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  telmark = await startTelmark({ SITES: SITE, TRUSTED_PROXIES: '127.0.0.1/32,::1' });
  await createUser(telmark, MARKETER, ['marketer']);
  const api = (await signIn(telmark, MARKETER)).client;
  expect((await api.post(`/api/v1/sites/${SITE}/goals`, { type: 'event', event_name: 'Signup', currency: 'EUR' })).status).toBe(201);
  let person = 0;
  for (let round = 0; round < 3; round++) {
    for (const [from, pages] of VISITS) {
      const ip = ADDRESSES[person % ADDRESSES.length]!;
      const headers = { 'content-type': 'text/plain', 'user-agent': UAS[person % UAS.length]!, 'accept-language': `en-US,en;q=0.${person % 10}`, 'x-forwarded-for': ip };
      person++;
      for (const [i, path] of pages.entries()) {
        const url = `https://${SITE}${path}${i === 0 ? (from.query ?? '') : ''}`;
        expect((await postBeacon(telmark.collectorUrl, { n: 'pageview', u: url, d: SITE, r: i === 0 ? (from.referrer ?? null) : null }, headers)).status).toBe(202);
        if (path === '/signup') {
          const signup = { n: 'Signup', u: url, d: SITE, r: null, $: { amount: '49.00', currency: 'EUR' } };
          expect((await postBeacon(telmark.collectorUrl, signup, headers)).status).toBe(202);
        }
      }
    }
  }
  await telmark.flush();
  browser = await launchChromium();
  const context = await personContext(browser);
  context.setDefaultTimeout(60_000);
  page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 900 });
  await signInUi(page, telmark.dashboardUrl, MARKETER);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

describe('the README screenshot', () => {
  it('photographs the Overview once every panel shows its numbers', E2E, async () => {
    await page.waitForSelector('[data-testid="dashboard"]');
    await expect.poll(() => page.locator('[data-testid="stat-visitors"]').innerText(), POLL).toBe(String(VISITS.length * 3));
    for (const table of ['channels', 'sources', 'campaigns', 'countries', 'pages', 'devices']) {
      await expect.poll(() => page.locator(`[data-testid="breakdown-${table}"] [data-testid="row"]`).count(), POLL).toBeGreaterThan(0);
    }
    await page.waitForSelector('[data-testid="country-map"]');
    await expect.poll(() => page.locator('[data-testid="breakdown-goals"] [data-testid="row"]').count(), POLL).toBeGreaterThan(0);
    // Let the charts' entry animations finish.
    await page.waitForTimeout(1500);
    const png = await page.screenshot({ fullPage: true });
    // A PNG of the whole page: the signature, and taller than the window (every panel is on it).
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(png.readUInt32BE(20)).toBeGreaterThan(1800);
    const dir = process.env.SCREENSHOTS_DIR;
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'dashboard.png'), png);
    }
  });
});
