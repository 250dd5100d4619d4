// The tracker in a real Chromium: a site page on one origin loads /js/script.js from the
// collector on another, exactly as a customer's site would, and the Stats API must then count
// precisely what happened, no more. Also: nothing is sent when the visitor asks not to be
// tracked, and the script leaves no trace in the browser (no cookies, no storage).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { TRACKER_SCRIPT } from '../../collector/tracker/script.ts';
import { breakdown, launchChromium, personContext, startTelmark, totals, type E2eTelmark } from './browser.ts';

const SITE = 'example.test';
const EVENTS_SITE = 'events.test';
const ENGAGE_SITE = 'engage.test';
const E2E = { timeout: 60_000 };

let telmark: E2eTelmark;
let browser: Browser;
let pages: Server;
let pageOrigin: string;

/** The site's pages. Tests run on 127.0.0.1, so the tag opts in with data-allow-localhost. */
function sitePage(opts: { domain: string; allowLocalhost?: boolean; head?: string; body?: string }): string {
  const optIn = opts.allowLocalhost === false ? '' : ' data-allow-localhost';
  return `<!doctype html><html><head><meta charset="utf-8"><title>test page</title>${opts.head ?? ''}
<script defer data-domain="${opts.domain}"${optIn} src="${telmark.collectorUrl}/js/script.js"></script>
</head><body>${opts.body ?? ''}</body></html>`;
}

function servePages(): Promise<Server> {
  const routes: Record<string, () => string> = {
    '/': () => sitePage({ domain: SITE, body: '<h1>Home</h1><a id="about" href="/about">About</a>' }),
    '/about': () => sitePage({ domain: SITE, body: '<h1>About</h1>' }),
    // 4,000 px tall: a 720 px window sees 18 % of it before scrolling.
    '/long': () => sitePage({ domain: ENGAGE_SITE, body: '<div style="height:4000px;margin:0">A long read</div><a id="next" href="#">next</a>', head: '<style>body{margin:0}</style>' }),
    '/no-opt-in': () => sitePage({ domain: SITE, allowLocalhost: false }),
    // Plausible's queue stub: calls made before the deferred script runs are kept and replayed.
    '/events': () =>
      sitePage({
        domain: EVENTS_SITE,
        head: `<script>window.plausible = window.plausible || function () { (window.plausible.q = window.plausible.q || []).push(arguments) };
plausible('queued-before-load', { props: { where: 'stub' } });</script>`,
      }),
  };
  const server = createServer((req, res) => {
    const route = routes[new URL(req.url ?? '/', 'http://x').pathname];
    // Unknown paths (the SPA's pushState URLs, if reloaded) get the home page, like a SPA host.
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end((route ?? routes['/']!)());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/**
 * Records every beacon a page sends, with its parsed body, and when the collector answered it.
 * Through page.route: a plain request event does not carry a sendBeacon Blob's body, an
 * intercepted request does. The request then goes on to the collector unchanged.
 */
class BeaconLog {
  /** Pageviews and custom events, in order. */
  readonly sent: Array<Record<string, unknown>> = [];
  /** Engagement reports (sent when a page is left or hidden), apart: they are not events. */
  readonly engagement: Array<Record<string, unknown>> = [];
  answered = 0;

  static async attach(page: Page, endpoint: string): Promise<BeaconLog> {
    const log = new BeaconLog();
    await page.route(endpoint, async (route) => {
      const request = route.request();
      if (request.method() === 'POST') {
        const body = JSON.parse(request.postData() ?? 'null') as Record<string, unknown>;
        (body.n === 'engagement' ? log.engagement : log.sent).push(body);
      }
      await route.continue();
    });
    page.on('requestfinished', (r: Request) => {
      if (r.url() === endpoint && r.method() === 'POST') log.answered++;
    });
    return log;
  }

  /** Waits until `count` beacons went out and were answered. */
  async settle(count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (this.sent.length < count || this.answered < this.sent.length + this.engagement.length) {
      if (Date.now() > deadline) throw new Error(`expected ${count} beacons, saw ${this.sent.length} sent / ${this.answered} answered`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** Gives the page time to send something it should not, then checks it did not. */
  async expectNoMoreThan(count: number, waitMs = 750): Promise<void> {
    await new Promise((r) => setTimeout(r, waitMs));
    expect(this.sent.length).toBe(count);
  }
}

/** Records any use of cookies or web storage by page scripts; installed before any page script runs. */
const STORAGE_SPY = `
window.__storageTouches = [];
(() => {
  const note = (what) => window.__storageTouches.push(what);
  for (const name of ['getItem', 'setItem', 'removeItem', 'clear', 'key']) {
    const original = Storage.prototype[name];
    Storage.prototype[name] = function (...args) { note('Storage.' + name); return original.apply(this, args); };
  }
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true,
    get() { note('cookie read'); return cookie.get.call(this); },
    set(v) { note('cookie write'); cookie.set.call(this, v); },
  });
  for (const name of ['localStorage', 'sessionStorage', 'indexedDB', 'caches']) {
    const d = Object.getOwnPropertyDescriptor(window, name) ?? Object.getOwnPropertyDescriptor(Window.prototype, name);
    if (d && d.get) Object.defineProperty(window, name, { configurable: true, get() { note(name); return d.get.call(window); } });
  }
})();`;

beforeAll(async () => {
  telmark = await startTelmark({ SITES: `${SITE},${EVENTS_SITE},${ENGAGE_SITE}` });
  pages = await servePages();
  pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => pages?.close(r));
  await telmark?.destroy();
}, 60_000);

describe('the tracker script as served', () => {
  it('is the minified tracker, served as JavaScript, about 1 KB gzipped (under 2 KB minified)', E2E, async () => {
    const res = await fetch(`${telmark.collectorUrl}/js/script.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/javascript/);
    const body = await res.text();
    expect(body).toBe(TRACKER_SCRIPT);
    expect(Buffer.byteLength(body)).toBeLessThan(2000);
    expect(body).not.toMatch(/\/\/ |\n\s+/); // comments and indentation are gone
  });
});

describe('page views in a real browser', () => {
  let context: BrowserContext;
  let page: Page;
  let beacons: BeaconLog;

  beforeAll(async () => {
    context = await personContext(browser);
    await context.addInitScript(STORAGE_SPY);
    page = await context.newPage();
    beacons = await BeaconLog.attach(page, `${telmark.collectorUrl}/api/event`);
  });
  afterAll(() => context?.close());

  it('sends one Plausible-style page view on load', E2E, async () => {
    await page.goto(`${pageOrigin}/`);
    await beacons.settle(1);
    expect(beacons.sent[0]).toEqual({ n: 'pageview', u: `${pageOrigin}/`, d: SITE, r: null });
  });

  it('counts SPA navigations (pushState, back) once each, never the same URL twice in a row', E2E, async () => {
    await page.evaluate(`history.pushState({}, '', '/spa/step-2')`);
    await beacons.settle(2);
    expect(beacons.sent[1]).toMatchObject({ n: 'pageview', u: `${pageOrigin}/spa/step-2` });

    // The same URL again, and an in-page anchor: not new pages.
    await page.evaluate(`history.pushState({}, '', '/spa/step-2')`);
    await page.evaluate(`history.pushState({}, '', '/spa/step-2#details')`);
    await beacons.expectNoMoreThan(2);

    // Back twice: first to the same page (no view), then to "/" (a view, via popstate).
    await page.goBack();
    await page.goBack();
    await page.waitForURL(`${pageOrigin}/spa/step-2`);
    await beacons.expectNoMoreThan(2, 300);
    await page.goBack();
    await page.waitForURL(`${pageOrigin}/`);
    await beacons.settle(3);
    expect(beacons.sent[2]).toMatchObject({ n: 'pageview', u: `${pageOrigin}/` });
  });

  it('counts a link to another page, with the page it came from as referrer', E2E, async () => {
    await page.click('#about');
    await page.waitForURL(`${pageOrigin}/about`);
    await beacons.settle(4);
    expect(beacons.sent[3]).toEqual({ n: 'pageview', u: `${pageOrigin}/about`, d: SITE, r: `${pageOrigin}/` });
    await beacons.expectNoMoreThan(4);
  });

  it('adds up in the Stats API: one visitor, one visit, four page views on three pages', E2E, async () => {
    await telmark.flush();
    // events = pageviews + custom events (Plausible's definition); there are no custom events here.
    expect(await totals(telmark, SITE, ['visitors', 'visits', 'pageviews', 'events'])).toEqual([1, 1, 4, 4]);
    expect(await breakdown(telmark, SITE, 'event:page', 'pageviews')).toEqual({ '/': 2, '/spa/step-2': 1, '/about': 1 });
  });

  it('reports engagement before each SPA navigation: sd the deepest point seen (%), e the ms in view', E2E, async () => {
    // step-2 -> "/" (back), "/" -> about (a new document: reported on pagehide, not seen by the route).
    expect(beacons.engagement.map((b) => b.u)).toEqual([`${pageOrigin}/`, `${pageOrigin}/spa/step-2`]);
    for (const b of beacons.engagement) expect(b).toMatchObject({ n: 'engagement', d: SITE, sd: expect.any(Number), e: expect.any(Number) });
  });

  it('left no cookie and touched no web storage', E2E, async () => {
    expect(await page.evaluate('window.__storageTouches')).toEqual([]);
    expect(await context.cookies()).toEqual([]);
    expect(await page.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
  });
});

describe('engagement', () => {
  it('scrolling to the end of a long page, then leaving it, gives the page a scroll depth of 100 and a time on page', E2E, async () => {
    const context = await personContext(browser, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36');
    try {
      const page = await context.newPage();
      await page.setViewportSize({ width: 1000, height: 720 });
      const beacons = await BeaconLog.attach(page, `${telmark.collectorUrl}/api/event`);
      await page.goto(`${pageOrigin}/long`);
      await beacons.settle(1);
      await page.mouse.wheel(0, 5000);
      await page.waitForFunction('window.scrollY > 3000');
      await page.waitForTimeout(1200);
      // A single-page app moves on: the tracker reports the long page first.
      await page.evaluate(`history.pushState({}, '', '/long/next')`);
      await beacons.settle(2);
      expect(beacons.engagement).toEqual([{ n: 'engagement', u: `${pageOrigin}/long`, d: ENGAGE_SITE, sd: 100, e: expect.any(Number) }]);
      const engagedMs = beacons.engagement[0]!.e as number;
      expect(engagedMs).toBeGreaterThanOrEqual(1000);
      await telmark.flush();
      const res = await telmark.query({ site_id: ENGAGE_SITE, metrics: ['scroll_depth', 'time_on_page'], date_range: 'day', dimensions: ['event:page'], filters: [['is', 'event:page', ['/long']]] });
      expect(res.json.results).toEqual([{ dimensions: ['/long'], metrics: [100, Math.round(engagedMs / 1000)] }]);
    } finally {
      await context.close();
    }
  });
});

describe('custom events', () => {
  it('replays the queue stub, sends props and revenue, calls back, and window.plausible is an alias', E2E, async () => {
    // Another person (another user agent): a visitor of their own on the events site.
    const context = await personContext(browser, 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36');
    try {
      const page = await context.newPage();
      const beacons = await BeaconLog.attach(page, `${telmark.collectorUrl}/api/event`);
      await page.goto(`${pageOrigin}/events`);
      await beacons.settle(2);
      // The page view first, so the visit starts on its landing page; then the queued call.
      expect(beacons.sent[0]).toEqual({ n: 'pageview', u: `${pageOrigin}/events`, d: EVENTS_SITE, r: null });
      expect(beacons.sent[1]).toEqual({ n: 'queued-before-load', u: `${pageOrigin}/events`, d: EVENTS_SITE, r: null, p: { where: 'stub' } });

      expect(await page.evaluate('window.plausible === window.telmark')).toBe(true);
      await page.evaluate(`telmark('signup', { props: { plan: 'pro' }, revenue: { amount: 9.5, currency: 'EUR' } })`);
      await beacons.settle(3);
      expect(beacons.sent[2]).toEqual({
        n: 'signup',
        u: `${pageOrigin}/events`,
        d: EVENTS_SITE,
        r: null,
        p: { plan: 'pro' },
        $: { amount: 9.5, currency: 'EUR' },
      });
      await page.evaluate(`new Promise((resolve) => plausible('with-callback', { callback: resolve }))`);
      await beacons.settle(4);

      await telmark.flush();
      // events = 1 pageview + 3 custom events.
      expect(await totals(telmark, EVENTS_SITE, ['visitors', 'pageviews', 'events'])).toEqual([1, 1, 4]);
    } finally {
      await context.close();
    }
  });
});

describe('visitors who ask not to be tracked', () => {
  const signals = [
    ['Global Privacy Control', `Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { configurable: true, get: () => true });`],
    ['Do Not Track', `Object.defineProperty(Navigator.prototype, 'doNotTrack', { configurable: true, get: () => '1' });`],
  ] as const;

  it.each(signals)('%s: nothing is sent, not even custom events, and the stats do not move', E2E, async (_name, signal) => {
    await telmark.flush();
    const before = await totals(telmark, SITE, ['visitors', 'pageviews', 'events']);
    const context = await personContext(browser, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36');
    try {
      await context.addInitScript(signal);
      const page = await context.newPage();
      const beacons = await BeaconLog.attach(page, `${telmark.collectorUrl}/api/event`);
      await page.goto(`${pageOrigin}/`);
      // The script did run (site code calling it must not break), it just sends nothing.
      await page.waitForFunction('typeof window.telmark === "function"');
      await page.evaluate(`history.pushState({}, '', '/spa/private')`);
      await page.evaluate(`telmark('signup')`);
      await beacons.expectNoMoreThan(0, 1000);
      await telmark.flush();
      expect(await totals(telmark, SITE, ['visitors', 'pageviews', 'events'])).toEqual(before);
    } finally {
      await context.close();
    }
  });

  it('a page on localhost without data-allow-localhost sends nothing (a developer\'s copy of the site)', E2E, async () => {
    const context = await personContext(browser);
    try {
      const page = await context.newPage();
      const beacons = await BeaconLog.attach(page, `${telmark.collectorUrl}/api/event`);
      await page.goto(`${pageOrigin}/no-opt-in`);
      await page.waitForFunction('typeof window.telmark === "function"');
      await beacons.expectNoMoreThan(0);
    } finally {
      await context.close();
    }
  });
});
