// Issue 3, section 4, in a real browser: the collector's /privacy page shows a visitor what is held
// about their own address and erases it; a page on another origin cannot read it (no CORS).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminFetch, CHROME_UA, postBeacon } from '../helpers/telmark.ts';
import { launchChromium, startTelmark, type E2eTelmark } from './browser.ts';

const E2E = { timeout: 60_000 };
// The visitor's address, as a trusted proxy in front of the collector reports it.
const VISITOR = '198.51.100.77';

let telmark: E2eTelmark;
let browser: Browser;

beforeAll(async () => {
  telmark = await startTelmark({ TRUSTED_PROXIES: '127.0.0.1/32,::1' });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

const visitorContext = () =>
  browser.newContext({ userAgent: CHROME_UA, extraHTTPHeaders: { 'x-forwarded-for': VISITOR } });

/** One page view from the visitor, as the tracker sends it (text/plain). */
const visitorBeacon = () =>
  postBeacon(telmark.collectorUrl, { n: 'pageview', u: 'https://example.test/', d: 'example.test' }, { 'content-type': 'text/plain', 'x-forwarded-for': VISITOR });

describe('the /privacy page', () => {
  it('shows the record of the visitor’s own address and erases it on request', E2E, async () => {
    const beacon = await visitorBeacon();
    expect(beacon.status).toBe(202);

    const context = await visitorContext();
    const page = await context.newPage();
    await page.goto(`${telmark.collectorUrl}/privacy`);
    await page.waitForFunction(() => document.getElementById('message')?.textContent !== 'Looking…');
    expect(await page.textContent('#message')).toMatch(/holds the record below about your IP address/);
    const raw = JSON.parse((await page.textContent('#raw'))!);
    expect(raw.record).toMatchObject({ ip: VISITOR, sites: ['example.test'], events: { total: 1 } });

    await page.click('#erase');
    await page.waitForFunction(() => document.getElementById('result')?.textContent !== '');
    expect(await page.textContent('#result')).toBe('Erased.');
    await page.waitForFunction(() => /holds nothing/.test(document.getElementById('message')?.textContent ?? ''));
    expect(await page.isHidden('#erase')).toBe(true);
    const admin = await adminFetch(telmark, `/admin/abuse/ips/${VISITOR}`);
    expect(admin.status).toBe(404);
    await context.close();
  });

  it('a page on another origin can neither read the record nor erase it', E2E, async () => {
    await visitorBeacon();
    const context = await visitorContext();
    const page = await context.newPage();
    // The dashboard is another origin (another port) than the collector.
    await page.goto(`${telmark.dashboardUrl}/healthz`);
    const outcome = await page.evaluate(async (url) => {
      const results: string[] = [];
      for (const method of ['GET', 'DELETE']) {
        try {
          const res = await fetch(url, { method });
          results.push(`${method} read ${res.status}`);
        } catch {
          results.push(`${method} blocked`);
        }
      }
      return results;
    }, `${telmark.collectorUrl}/api/privacy/me`);
    expect(outcome).toEqual(['GET blocked', 'DELETE blocked']);
    const admin = await adminFetch(telmark, `/admin/abuse/ips/${VISITOR}`);
    expect(admin.status).toBe(200);
    await context.close();
  });
});
