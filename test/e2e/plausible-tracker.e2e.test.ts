// Plausible's own published tracker (@plausible-analytics/tracker from npm, not telmark's script)
// in a real Chromium against a real telmark: the collector claims to speak Plausible's Events API,
// so the tracker Plausible ships must work unchanged, engagement events included. Two people (two
// user agents, so two visitor keys): A scrolls to the bottom, buys for €19.99 and switches to
// another tab; B looks and switches away. The Stats API must then give exactly what the browsers
// did: 2 visitors, 2 pageviews, one Purchase worth €19.99, and the page's scroll depth as the
// average of each visit's deepest scroll the tracker reported.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser, signIn } from '../helpers/accounts.ts';
import { CHROME_UA, readMetric } from '../helpers/telmark.ts';
import { launchChromium, personContext, startTelmark, type E2eTelmark } from './browser.ts';

const SITE = 'example.test';
const MARKETER = 'pat.marketer@example.test';
const E2E = { timeout: 90_000 };
/** A beacon the browser sent, or its answer, must show up within this (a loaded two-core machine). */
const WAIT_MS = 20_000;

const UA = {
  a: CHROME_UA,
  b: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
};

/**
 * The package's entry is one plain ES module without imports, so the browser can load it as it is
 * published: no bundling step that could change what runs.
 */
const TRACKER_JS = readFileSync(createRequire(import.meta.url).resolve('@plausible-analytics/tracker'), 'utf8');

/**
 * The page is exactly 4500 px tall (4400 px of content and a 100 px footer with the Buy button,
 * no margins) in a 900 px viewport, so a visitor who never scrolls still "saw" 900/4500 = 20% and
 * one who reaches the footer 100%: whole numbers, so their average has no rounding to argue about.
 */
function pageHtml(endpoint: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<style>html, body { margin: 0; padding: 0 } #content { height: 4400px } footer { height: 100px; overflow: hidden }</style>
<script type="module">
import { init, track } from '/plausible.js';
// The test runs on 127.0.0.1 and Playwright sets navigator.webdriver: without captureOnLocalhost
// the tracker ignores every event (it checks both only when this option is off).
init({ domain: ${JSON.stringify(SITE)}, endpoint: ${JSON.stringify(endpoint)}, captureOnLocalhost: true });
window.__scrolls = 0;
document.addEventListener('scroll', () => window.__scrolls++);
document.getElementById('buy').addEventListener('click', () =>
  track('Purchase', { revenue: { amount: '19.99', currency: 'EUR' }, callback: (result) => (window.__purchase = result) }),
);
window.__trackerReady = true;
</script></head><body><div id="content"><h1>Shop</h1></div>
<footer><button id="buy">Buy for €19.99</button></footer></body></html>`;
}

type Body = Record<string, unknown>;

/** What one person's browser sent to the collector: every body, and each answer's status. */
class Beacons {
  readonly sent: Body[] = [];
  readonly statuses: number[] = [];

  /**
   * Listens on the person's whole browser context, so a beacon from any of their tabs is seen. The
   * tracker posts a JSON string with fetch() (text/plain, keepalive), so postData() is the body.
   */
  static attach(context: BrowserContext, endpoint: string): Beacons {
    const log = new Beacons();
    context.on('request', (r) => {
      if (r.url() === endpoint && r.method() === 'POST') log.sent.push(JSON.parse(r.postData() ?? 'null'));
    });
    context.on('response', (r) => {
      if (r.url() === endpoint && r.request().method() === 'POST') log.statuses.push(r.status());
    });
    return log;
  }

  named(name: string): Body[] {
    return this.sent.filter((b) => b.n === name);
  }

  /** Waits until a beacon named `name` went out and every beacon sent so far was answered. */
  async waitFor(name: string, count = 1): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    while (this.named(name).length < count || this.statuses.length < this.sent.length) {
      if (Date.now() > deadline) {
        throw new Error(`waiting for ${count} "${name}": sent ${JSON.stringify(this.sent)}, answered ${JSON.stringify(this.statuses)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

let telmark: E2eTelmark;
let browser: Browser;
let pages: Server;
let pageOrigin: string;
const contexts: BrowserContext[] = [];
const visitors: Record<'a' | 'b', Beacons> = {} as never;

function servePages(endpoint: string): Promise<Server> {
  const html = pageHtml(endpoint);
  const server = createServer((req, res) => {
    if (req.url === '/plausible.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      res.end(TRACKER_JS);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A person lands on the page; resolves once the tracker's pageview was answered. */
async function land(userAgent: string): Promise<{ page: Page; beacons: Beacons }> {
  const context = await personContext(browser, userAgent);
  context.setDefaultTimeout(WAIT_MS);
  contexts.push(context);
  const beacons = Beacons.attach(context, `${telmark.collectorUrl}/api/event`);
  const page = await context.newPage();
  await page.goto(`${pageOrigin}/`);
  await page.waitForFunction(() => (window as unknown as { __trackerReady?: boolean }).__trackerReady === true);
  await beacons.waitFor('pageview');
  return { page, beacons };
}

/**
 * The person switches to another tab, which is when the tracker reports engagement: it listens to
 * visibilitychange and to the window's blur/focus, and sends on "hidden or not focused".
 *
 * Navigating away would hide the page too, but the engagement beacon then leaves during unload as a
 * keepalive fetch, which reaches the collector yet is invisible to Playwright (no request event,
 * not even to context.route), so its body could not be checked. Headless Chromium does not hide a
 * background tab, but it does move the focus: with Playwright's focus emulation (every page
 * "focused") turned off for this page, bringing another tab to the front blurs it, and the
 * engagement beacon leaves a living page where it can be observed.
 */
async function switchAway(page: Page, beacons: Beacons): Promise<void> {
  await page.bringToFront();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
  // A page without real focus would never see a blur, and the wait below would time out.
  expect(await page.evaluate(() => document.hasFocus()), 'the page has real focus before the switch').toBe(true);
  const otherTab = await page.context().newPage();
  await otherTab.bringToFront();
  await beacons.waitFor('engagement');
}

beforeAll(async () => {
  // PRIVACY_MIN_VISITORS 1: with two visitors in all, any larger minimum would fold them away.
  telmark = await startTelmark({ SITES: SITE, PRIVACY_MIN_VISITORS: '1' });
  // The goal exists before anyone buys, as on a real site (event goals would count history too).
  await createUser(telmark, MARKETER, ['marketer']);
  const { client } = await signIn(telmark, MARKETER);
  const goal = await client.post(`/api/v1/sites/${SITE}/goals`, { type: 'event', event_name: 'Purchase', currency: 'EUR' });
  expect(goal.status, JSON.stringify(goal.json)).toBe(201);

  pages = await servePages(`${telmark.collectorUrl}/api/event`);
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  browser = await launchChromium();

  // A: scrolls to the very bottom (waiting for the scroll event the tracker listens to), buys, switches away.
  const a = await land(UA.a);
  await a.page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await a.page.waitForFunction(
    () => (window as unknown as { __scrolls: number }).__scrolls > 0 && Math.ceil(window.scrollY + window.innerHeight) >= document.documentElement.scrollHeight,
  );
  await a.page.click('#buy');
  await a.beacons.waitFor('Purchase');
  // The tracker's callback saw the collector's answer: the cross-origin fetch was allowed to read it.
  expect(await a.page.evaluate(() => (window as unknown as { __purchase?: unknown }).__purchase)).toEqual({ status: 202 });
  await switchAway(a.page, a.beacons);
  visitors.a = a.beacons;

  // B: looks without scrolling and switches away.
  const b = await land(UA.b);
  await switchAway(b.page, b.beacons);
  visitors.b = b.beacons;

  // Closing the contexts hides the pages, and the tracker sends nothing more (the engagement was
  // reported and no time has been engaged since); a beacon from here on would reach the collector
  // unseen, which the counted-events check below would catch. Everything seen was answered, so it is
  // in the aggregates or the abuse hold: flush both.
  for (const c of contexts) await c.close();
  await new Promise((r) => setTimeout(r, 500));
  await telmark.flush();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await new Promise((r) => pages?.close(r));
  await telmark?.destroy();
}, 60_000);

/** The highest scroll depth each visit reported (Plausible's per-visit scroll depth). */
const deepest = (beacons: Beacons) => Math.max(...beacons.named('engagement').map((b) => b.sd as number));

/** A Stats API v2 query for today on the site; fails the test on anything but 200. */
async function stats(body: Record<string, unknown>): Promise<Array<{ dimensions: string[]; metrics: unknown[] }>> {
  const { status, json } = await telmark.query({ site_id: SITE, date_range: 'day', ...body });
  expect(status, JSON.stringify(json)).toBe(200);
  return json.results;
}

describe("Plausible's npm tracker against the collector", () => {
  it('sends a pageview, the revenue event and engagement events, all answered 202', E2E, async () => {
    const url = `${pageOrigin}/`;
    // v is the tracker's version (36 in 0.4.6); the collector ignores fields it does not know.
    const version = expect.any(Number);
    expect(visitors.a.sent).toEqual([
      { n: 'pageview', v: version, u: url, d: SITE, r: null },
      { n: 'Purchase', v: version, u: url, d: SITE, r: null, $: { amount: '19.99', currency: 'EUR' } },
      { n: 'engagement', sd: 100, d: SITE, u: url, e: expect.any(Number), v: version },
    ]);
    expect(visitors.b.sent).toEqual([
      { n: 'pageview', v: version, u: url, d: SITE, r: null },
      { n: 'engagement', sd: 20, d: SITE, u: url, e: expect.any(Number), v: version },
    ]);
    for (const body of [...visitors.a.named('engagement'), ...visitors.b.named('engagement')]) expect(body.e).toBeGreaterThanOrEqual(0);
    expect([...visitors.a.statuses, ...visitors.b.statuses]).toEqual([202, 202, 202, 202, 202]);
    // And the collector counted exactly those five, dropping none: nothing reached it unobserved.
    expect(await readMetric(telmark.collectorUrl, 'telmark_events_counted_total')).toBe(5);
    expect(await readMetric(telmark.collectorUrl, 'telmark_events_dropped_total')).toBe(0);
  });

  it('Stats API: 2 visitors, 2 pageviews (engagement events are not pageviews)', E2E, async () => {
    expect(await stats({ metrics: ['visitors', 'pageviews'] })).toEqual([{ dimensions: [], metrics: [2, 2] }]);
  });

  it('Stats API: the Purchase goal converted 1 visitor once', E2E, async () => {
    expect(await stats({ metrics: ['visitors', 'events'], filters: [['is', 'event:goal', ['Purchase']]] })).toEqual([{ dimensions: [], metrics: [1, 1] }]);
  });

  // The metrics below are new (total_revenue, scroll_depth, time_on_page); until the Stats API
  // serves them these fail on the status (400 "unknown metric"), with the answer in the message.

  it('Stats API: total_revenue of the Purchase goal is exactly €19.99', E2E, async () => {
    const [row] = await stats({ metrics: ['visitors', 'events', 'total_revenue'], filters: [['is', 'event:goal', ['Purchase']]] });
    expect(row!.metrics.slice(0, 2)).toEqual([1, 1]);
    expect(row!.metrics[2]).toEqual({ value: 19.99, currency: 'EUR', short: expect.any(String), long: '€19.99' });
  });

  it("Stats API: the page's scroll depth is the average of each visit's deepest scroll; time on page is a number", E2E, async () => {
    // Plausible's scroll_depth: the mean over visits of each visit's highest sd, as a whole number.
    const perVisit = [deepest(visitors.a), deepest(visitors.b)];
    expect(perVisit).toEqual([100, 20]);
    const expected = Math.round((perVisit[0]! + perVisit[1]!) / 2);
    const rows = await stats({ metrics: ['visitors', 'scroll_depth', 'time_on_page'], dimensions: ['event:page'] });
    expect(rows.map((r) => r.dimensions)).toEqual([['/']]);
    const [visitorsOnPage, scrollDepth, timeOnPage] = rows[0]!.metrics as [number, number, number];
    expect(visitorsOnPage).toBe(2);
    expect(scrollDepth).toBe(expected);
    expect(scrollDepth).toBeGreaterThan(0);
    expect(typeof timeOnPage).toBe('number');
    expect(timeOnPage).toBeGreaterThanOrEqual(0);
  });
});
