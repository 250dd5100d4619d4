// The dashboard in a real Chromium against a real telmark: known beacons go in through the
// collector, and the marketer's screens must show exactly those numbers, drill down from channel
// to source with filter chips, refuse a wrong password, and guide a site without data to the snippet.
// The marketer signs in with email and password (the session cookie does the rest).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../helpers/accounts.ts';
import { CHROME_UA, postBeacon } from '../helpers/telmark.ts';
import { launchChromium, personContext, signInUi, startTelmark, totals, type E2eTelmark } from './browser.ts';

const SITE = 'example.test';
const NEW_SITE = 'new-site.test';
const E2E = { timeout: 60_000 };
const SCREENSHOT = '/tmp/telmark-dashboard.png';
const MARKETER = 'mia.marketer@example.test';

// One visitor per user agent: the visitor key hashes (truncated IP, user agent, language), and
// every request here comes from 127.0.0.1, so the user agent is what tells these people apart.
const UA = {
  windowsChrome: CHROME_UA,
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  iphoneSafari:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  linuxFirefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  androidChrome: 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
};

/** [user agent, page URL, referrer]: five visitors, six page views. */
const TRAFFIC: Array<[string, string, string | null]> = [
  // Two people from Google search; the first reads a second page (so one of five visits does not bounce).
  [UA.windowsChrome, `https://${SITE}/`, 'https://www.google.com/'],
  [UA.windowsChrome, `https://${SITE}/pricing`, `https://${SITE}/`],
  [UA.macSafari, `https://${SITE}/`, 'https://www.google.com/'],
  // A newsletter click, tagged with UTM parameters.
  [UA.iphoneSafari, `https://${SITE}/spring-sale?utm_campaign=spring&utm_source=newsletter&utm_medium=email`, null],
  // A typed-in address.
  [UA.linuxFirefox, `https://${SITE}/pricing`, null],
  // A Google ad (the click id marks it paid).
  [UA.androidChrome, `https://${SITE}/?gclid=test-click-id`, 'https://www.google.com/'],
];

let telmark: E2eTelmark;
let browser: Browser;

async function sendTraffic(): Promise<void> {
  for (const [userAgent, url, referrer] of TRAFFIC) {
    const res = await postBeacon(
      telmark.collectorUrl,
      { n: 'pageview', u: url, d: SITE, r: referrer },
      { 'content-type': 'text/plain', 'user-agent': userAgent, 'accept-language': 'en-US' },
    );
    expect(res.status).toBe(202);
  }
  await telmark.flush();
}

const text = (page: Page, selector: string) => () => page.locator(selector).innerText();
const stat = (page: Page, metric: string) => text(page, `[data-testid="stat-${metric}"]`);
const cell = (page: Page, table: string, value: string, metric = 'visitors') =>
  text(page, `[data-testid="breakdown-${table}"] [data-testid="row"][data-value="${value}"] td[data-metric="${metric}"]`);
const rowValues = (page: Page, table: string) => () =>
  page.locator(`[data-testid="breakdown-${table}"] [data-testid="row"]`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-value')));
const POLL = { timeout: 10_000 };

beforeAll(async () => {
  telmark = await startTelmark({ SITES: `${SITE},${NEW_SITE}` });
  await createUser(telmark, MARKETER, ['marketer']);
  browser = await launchChromium();
  await sendTraffic();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

describe('the dashboard', () => {
  it('the Stats API agrees with the traffic sent (the baseline for the screens)', E2E, async () => {
    expect(await totals(telmark, SITE, ['visitors', 'visits', 'pageviews'])).toEqual([5, 5, 6]);
  });

  it('refuses a wrong password with the server\'s message and stays on the sign-in screen', E2E, async () => {
    const context = await personContext(browser);
    try {
      const page = await context.newPage();
      await expect(signInUi(page, telmark.dashboardUrl, MARKETER, { password: 'not-the-right-password' })).rejects.toThrow(/wrong email or password/);
      expect(await text(page, '[data-testid="signin-error"]')()).toBe('wrong email or password');
      expect(await page.locator('[data-testid="stat-cards"]').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  describe('signed in', () => {
    let page: Page;

    beforeAll(async () => {
      const context = await personContext(browser);
      page = await context.newPage();
      await signInUi(page, telmark.dashboardUrl, MARKETER);
      await page.waitForSelector('[data-testid="site-picker"]');
      await page.selectOption('[data-testid="site-picker"]', SITE);
      await page.waitForSelector('[data-testid="dashboard"]');
    }, 60_000);
    afterAll(() => page?.context().close());

    it('shows the exact totals on the stat cards', E2E, async () => {
      await expect.poll(stat(page, 'visitors'), POLL).toBe('5');
      expect(await stat(page, 'visits')()).toBe('5');
      expect(await stat(page, 'pageviews')()).toBe('6');
      expect(await stat(page, 'bounce_rate')()).toBe('80%'); // four of five visits saw one page
      expect(await stat(page, 'views_per_visit')()).toBe('1.20');
    });

    it('lists where visitors came from: channels, sources, campaigns', E2E, async () => {
      await expect.poll(cell(page, 'channels', 'Organic Search'), POLL).toBe('2');
      expect(await cell(page, 'channels', 'Paid Search')()).toBe('1');
      expect(await cell(page, 'channels', 'Direct')()).toBe('1');
      await expect.poll(cell(page, 'sources', 'Google'), POLL).toBe('3');
      await expect.poll(cell(page, 'campaigns', 'spring'), POLL).toBe('1');
      expect(await cell(page, 'campaigns', 'spring', 'visits')()).toBe('1');
      expect(await rowValues(page, 'campaigns')()).toEqual(['spring']); // untagged visits are left out
      await expect.poll(cell(page, 'pages', '/pricing'), POLL).toBe('2');
      // The chart has one point per day of the range; its numbers add up to the visitors of each day.
      expect(await page.locator('[data-testid="time-chart-data"] tbody tr').count()).toBe(7);
    });

    it('looks right (screenshot for a human check)', E2E, async () => {
      await expect.poll(cell(page, 'devices', 'desktop'), POLL).toBe('3');
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    });

    it('today: an hourly chart of 24 points, and the same totals', E2E, async () => {
      const sentOn = new Date().toISOString().slice(0, 10);
      await page.selectOption('[data-testid="date-range"]', 'day');
      await expect.poll(() => page.locator('[data-testid="time-chart-data"] tbody tr').count(), POLL).toBe(24);
      // Sites default to UTC; right after midnight the traffic belongs to yesterday.
      if (new Date().toISOString().slice(0, 10) === sentOn) await expect.poll(stat(page, 'visitors'), POLL).toBe('5');
      await page.screenshot({ path: '/tmp/telmark-dashboard-today.png' });
      await page.selectOption('[data-testid="date-range"]', '7d');
      await expect.poll(() => page.locator('[data-testid="time-chart-data"] tbody tr').count(), POLL).toBe(7);
    });

    it('drills down: a channel row becomes a filter chip and every acquisition table follows it', E2E, async () => {
      await page.click('[data-testid="breakdown-channels"] [data-testid="row"][data-value="Organic Search"] button');
      const chip = page.locator('[data-testid="filter-chip"][data-dimension="visit:channel"]');
      await expect.poll(() => chip.innerText(), POLL).toMatch(/Channel is\s+Organic Search/);
      await expect.poll(stat(page, 'visitors'), POLL).toBe('2');
      await expect.poll(rowValues(page, 'channels'), POLL).toEqual(['Organic Search']);
      // Google sent three people, two of them through search: the sources table now shows those two.
      await expect.poll(cell(page, 'sources', 'Google'), POLL).toBe('2');
      // Pages live in a cube without acquisition: the table says it is unfiltered instead of guessing.
      await expect.poll(() => page.locator('[data-testid="breakdown-pages"] [data-testid="unfiltered-note"]').count(), POLL).toBe(1);
      await page.screenshot({ path: '/tmp/telmark-dashboard-filtered.png', fullPage: true });

      // Then by source, and the channel chip removed: Google across all channels.
      await page.click('[data-testid="breakdown-sources"] [data-testid="row"][data-value="Google"] button');
      await expect.poll(() => page.locator('[data-testid="filter-chip"]').count(), POLL).toBe(2);
      await chip.locator('[data-testid="filter-remove"]').click();
      await expect.poll(() => page.locator('[data-testid="filter-chip"]').count(), POLL).toBe(1);
      await expect.poll(stat(page, 'visitors'), POLL).toBe('3');
      await expect.poll(rowValues(page, 'channels'), POLL).toEqual(['Organic Search', 'Paid Search']);

      await page.locator('[data-testid="filter-remove"]').click();
      await expect.poll(stat(page, 'visitors'), POLL).toBe('5');
    });

    it('a site without data shows how to add the snippet', E2E, async () => {
      await page.selectOption('[data-testid="site-picker"]', NEW_SITE);
      await expect.poll(text(page, '[data-testid="snippet"]'), POLL).toMatch(
        new RegExp(`^<script defer data-domain="${NEW_SITE}" src="[^"]+/js/script\\.js"></script>$`),
      );
      await page.screenshot({ path: '/tmp/telmark-dashboard-empty.png', fullPage: true });
    });
  });
});
