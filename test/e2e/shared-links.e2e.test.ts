// Shared links in a real Chromium against a real telmark (issue 10 §7): a marketer creates a link
// on the Goals page and copies its address; a fresh browser context with no account opens it, is
// sent off the token (the address bar shows /share/), and sees the Overview of that one site
// under the shared-view banner, with the exact visitors, and no navigation. A password link shows
// the password form first. Once revoked, the link answers 404 and the open page says it is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser } from '../helpers/accounts.ts';
import { postBeacon } from '../helpers/telmark.ts';
import { launchChromium, personContext, signInUi, startTelmark, totals, type E2eTelmark } from './browser.ts';

const SITE = 'example.test';
const OTHER_SITE = 'other.test';
const MARKETER = 'maya.marketer@example.test';
const LINK_PASSWORD = 'lantern-quarry-mosaic-17';
const E2E = { timeout: 120_000 };
const POLL = { timeout: 30_000 };

/** Three people (three browsers), four page views. */
const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
];

let telmark: E2eTelmark;
let browser: Browser;
const contexts: BrowserContext[] = [];
const $ = (testid: string) => `[data-testid="${testid}"]`;

async function newPage(): Promise<Page> {
  const context = await personContext(browser);
  context.setDefaultTimeout(45_000);
  contexts.push(context);
  return context.newPage();
}

/** Creates a link through the UI (Goals page, the site already chosen); returns the URL the page shows once. */
async function createInUi(page: Page, label: string, password?: string): Promise<string> {
  await page.click($('share-new'));
  await page.fill($('share-label'), label);
  if (password) await page.fill($('share-password'), password);
  await page.click($('share-create'));
  await page.waitForSelector($('share-created'));
  return page.locator($('share-url')).innerText();
}

beforeAll(async () => {
  telmark = await startTelmark({ SITES: `${SITE},${OTHER_SITE}` });
  await createUser(telmark, MARKETER, ['marketer'], { sites: [SITE] });
  browser = await launchChromium();
  for (const [i, ua] of UAS.entries()) {
    for (const path of i === 0 ? ['/', '/pricing'] : ['/']) {
      const res = await postBeacon(telmark.collectorUrl, { n: 'pageview', u: `https://${SITE}${path}`, d: SITE, r: null }, { 'content-type': 'text/plain', 'user-agent': ua, 'accept-language': 'en-US' });
      expect(res.status).toBe(202);
    }
  }
  const other = await postBeacon(telmark.collectorUrl, { n: 'pageview', u: `https://${OTHER_SITE}/`, d: OTHER_SITE, r: null }, { 'content-type': 'text/plain', 'user-agent': UAS[0]!, 'accept-language': 'en-US' });
  expect(other.status).toBe(202);
  await telmark.flush();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

describe('shared links', () => {
  let marketer: Page;
  let openUrl = '';

  it('the Stats API agrees with the traffic sent (the baseline)', E2E, async () => {
    expect(await totals(telmark, SITE, ['visitors', 'pageviews'])).toEqual([3, 4]);
  });

  it('a marketer creates a link on the Goals page; someone without an account opens it and sees the site\'s exact numbers, read-only', E2E, async () => {
    marketer = await newPage();
    await signInUi(marketer, telmark.dashboardUrl, MARKETER);
    await marketer.click($('nav-goals'));
    await marketer.waitForSelector($('shared-links'));
    expect(await marketer.locator($('share-empty')).count()).toBe(1);
    openUrl = await createInUi(marketer, 'Board report');
    expect(openUrl).toMatch(new RegExp(`^${telmark.dashboardUrl}/share/[A-Za-z0-9_-]{43}$`));
    await expect.poll(() => marketer.locator($('share-link')).count(), POLL).toBe(1);

    const visitor = await newPage();
    const answer = await visitor.goto(openUrl);
    // The token is swapped for the cookie and leaves the address bar.
    expect(new URL(visitor.url()).pathname).toBe('/share/');
    expect(visitor.url()).not.toContain(openUrl.split('/').pop()!);
    expect(answer?.headers()['referrer-policy']).toBe('no-referrer');
    await visitor.waitForSelector($('share-banner'));
    expect(await visitor.locator($('share-banner')).innerText()).toContain(SITE);
    await expect.poll(() => visitor.locator($('stat-visitors')).innerText(), POLL).toBe('3');
    expect(await visitor.locator($('stat-pageviews')).innerText()).toBe('4');
    // One site only, no navigation to other views, no sign-out: nobody is signed in.
    const sites = await visitor.locator(`${$('site-picker')} option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(sites).toEqual([SITE]);
    expect(await visitor.locator($('nav')).count()).toBe(0);
    expect(await visitor.locator($('sign-out')).count()).toBe(0);
    const cookies = await visitor.context().cookies();
    expect(cookies.map((c) => [c.name, c.path, c.httpOnly, c.sameSite])).toEqual([['telmark_share', '/share/', true, 'Strict']]);

    // The marketer sees that it was used.
    await marketer.reload();
    await marketer.waitForSelector($('share-link'));
    await expect.poll(() => marketer.locator($('share-last-used')).innerText(), POLL).not.toBe('never');
  });

  it('a link with a password shows the password form first; a wrong password is refused; the right one opens the numbers', E2E, async () => {
    const url = await createInUi(marketer, 'Agency', LINK_PASSWORD);
    const visitor = await newPage();
    await visitor.goto(url);
    await visitor.waitForSelector($('share-password-form'));
    expect(await visitor.locator($('stat-cards')).count()).toBe(0);
    await visitor.fill($('share-password-input'), 'not-the-password-at-all');
    await visitor.click($('share-password-submit'));
    await expect.poll(() => visitor.locator($('share-password-error')).innerText(), POLL).toBe('wrong password');
    await visitor.fill($('share-password-input'), LINK_PASSWORD);
    await visitor.click($('share-password-submit'));
    await visitor.waitForSelector($('share-banner'));
    await expect.poll(() => visitor.locator($('stat-visitors')).innerText(), POLL).toBe('3');
  });

  it('after the marketer revokes it, the link answers 404 and the open page says the link is gone', E2E, async () => {
    const visitor = await newPage();
    await visitor.goto(openUrl);
    await visitor.waitForSelector($('share-banner'));

    await marketer.reload();
    const row = `${$('share-link')}[data-label="Board report"]`;
    await marketer.waitForSelector(row);
    await marketer.click(`${row} ${$('share-revoke')}`);
    await marketer.click($("share-revoke-dialog-confirm"));
    await expect.poll(() => marketer.locator(row).getAttribute('data-status'), POLL).toBe('revoked');

    const again = await (await newPage()).goto(openUrl);
    expect(again?.status()).toBe(404);
    await visitor.reload();
    await visitor.waitForSelector($('share-gone'));
  });
});
