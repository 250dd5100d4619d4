// "Export CSV" (issue 10 §4) in a real Chromium against a real telmark: a marketer on the
// Overview filters by a source, clicks Export CSV, and the downloaded zip (read back with fflate,
// its CSVs with csv-parse) holds the same numbers as the screen: the cards, and every row of the
// sources and pages tables, under the same filter.
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser } from '../helpers/accounts.ts';
import { CHROME_UA, postBeacon } from '../helpers/telmark.ts';
import { launchChromium, personContext, signInUi, startTelmark, type E2eTelmark } from './browser.ts';

const SITE = 'example.test';
const MARKETER = 'export.marketer@example.test';
const E2E = { timeout: 90_000 };
const POLL = { timeout: 20_000 };
const UAS = [
  CHROME_UA,
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
];
/** [user agent, referrer, pages]: three people from Google (one reads on), one from Bing. */
const PEOPLE: Array<[string, string, string[]]> = [
  [UAS[0]!, 'https://www.google.com/', ['/', '/pricing']],
  [UAS[1]!, 'https://www.google.com/', ['/']],
  [UAS[2]!, 'https://www.google.com/', ['/docs']],
  [UAS[3]!, 'https://www.bing.com/', ['/']],
];

let telmark: E2eTelmark;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const $ = (testid: string) => `[data-testid="${testid}"]`;

beforeAll(async () => {
  telmark = await startTelmark({ SITES: SITE });
  await createUser(telmark, MARKETER, ['marketer']);
  for (const [ua, referrer, pages] of PEOPLE) {
    for (const [i, path] of pages.entries()) {
      const res = await postBeacon(telmark.collectorUrl, { n: 'pageview', u: `https://${SITE}${path}`, d: SITE, r: i === 0 ? referrer : null }, { 'content-type': 'text/plain', 'user-agent': ua });
      expect(res.status).toBe(202);
    }
  }
  await telmark.flush();
  browser = await launchChromium();
  context = await personContext(browser);
  context.setDefaultTimeout(45_000);
  page = await context.newPage();
  await signInUi(page, telmark.dashboardUrl, MARKETER);
}, 120_000);

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

/** A table on screen: [value, ...metric cells as shown]. */
const screenRows = (tableId: string) => () =>
  page.locator(`${$(`table-${tableId}`)} ${$('row')}`).evaluateAll((rows) =>
    rows.map((r) => [r.getAttribute('data-value'), ...[...r.querySelectorAll('td[data-metric]')].map((td) => (td as HTMLElement).innerText)]),
  );

/** A CSV row as the screen writes it: counts as they are, rates with "%". */
const asScreen = (header: string[], row: string[]) => row.map((cell, i) => (header[i] === 'bounce_rate' ? `${cell}%` : cell));

async function downloadExport(): Promise<Record<string, string[][]>> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.click($('export-csv'))]);
  expect(download.suggestedFilename()).toMatch(/^telmark-example\.test-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.zip$/);
  const files = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, name.endsWith('.csv') ? (parse(strFromU8(bytes)) as string[][]) : [[strFromU8(bytes)]]]));
}

describe('Export CSV', () => {
  it('the zip holds what the screen shows: cards, sources and pages, unfiltered and under a source filter', E2E, async () => {
    await expect.poll(screenRows('sources'), POLL).toEqual([
      ['Google', '3', '3', '67%'],
      ['Bing', '1', '1', '100%'],
    ]);
    let csv = await downloadExport();
    expect(csv['totals.csv']).toEqual([
      ['visitors', 'visits', 'pageviews', 'bounce_rate', 'visit_duration', 'views_per_visit'],
      ['4', '4', '5', '75', '0', '1.25'],
    ]);
    expect(await page.locator($('stat-visitors')).innerText()).toBe('4');
    const [sourcesHeader, ...sources] = csv['sources.csv']!;
    expect(sources.map((r) => asScreen(sourcesHeader!, r))).toEqual(await screenRows('sources')());
    const [pagesHeader, ...pages] = csv['top-pages.csv']!;
    expect(pagesHeader).toEqual(['event:page', 'visitors', 'pageviews', 'time_on_page', 'scroll_depth']);
    expect(pages.map((r) => r.slice(0, 3))).toEqual([['/', '3', '3'], ['/docs', '1', '1'], ['/pricing', '1', '1']]);

    // Filter by Google on screen: the export follows (3 people, 4 pageviews), the pages go unfiltered as on screen.
    await page.click(`${$('table-sources')} ${$('row')}[data-value="Google"] button`);
    await page.waitForSelector($('filter-chip'));
    await expect.poll(() => page.locator($('stat-visitors')).innerText(), POLL).toBe('3');
    csv = await downloadExport();
    expect(csv['totals.csv']![1]!.slice(0, 3)).toEqual(['3', '3', '4']);
    expect(csv['sources.csv']!.slice(1)).toEqual([['Google', '3', '3', '67']]);
    expect(csv['about.txt']![0]![0]).toContain('Filters: [["is","visit:source",["Google"]]]');
    expect(csv['about.txt']![0]![0]).toMatch(/top-pages\.csv: all traffic, without the filters/);
    await page.screenshot({ path: '/tmp/telmark-export.png', fullPage: true });
  });
});
