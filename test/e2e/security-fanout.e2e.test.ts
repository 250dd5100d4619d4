// The security view over COLLECTOR_ADMIN_URLS in a real Chromium: telmark's dashboard fans out to a
// real collector admin app (the collector's own routes over a real AbuseBuffer, on 127.0.0.1) and to
// a URL where nothing listens. The security user sees the address the remote collector flagged,
// which collectors answered and that one did not (a partial answer), looks the address up and
// erases it there.
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { AbuseBuffer } from '../../collector/abuse/buffer.ts';
import { localAbuseOperations } from '../../collector/abuse/operations.ts';
import { createAdminApp } from '../../collector/admin/app.ts';
import { listen, type Listening } from '../../scripts/node-server.ts';
import { createUser } from '../helpers/accounts.ts';
import { launchChromium, navItems, personContext, signInUi, startTelmark, STATS_KEY, type E2eTelmark } from './browser.ts';

const SECURITY_KEY = 'e2e-security-key-0123456789abcdef';
const SECURITY_USER = 'sam.security@example.test';
const ABUSER = '198.51.100.77';
const QUIET = '192.0.2.60';
const E2E = { timeout: 45_000 };
const POLL = { timeout: 10_000 };

let telmark: E2eTelmark;
let browser: Browser;
let context: BrowserContext | undefined;
let admin: Listening | undefined;
let buffer: AbuseBuffer;
let liveUrl = '';
let deadUrl = '';

const $ = (testid: string) => `[data-testid="${testid}"]`;
const text = (page: Page, selector: string) => () => page.locator(selector).innerText();
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

beforeAll(async () => {

  // A remote collector's admin listener: its real routes and keys over a real buffer that flags an
  // address after more than 5 events in 10 s. A burst of 8 from ABUSER gets it flagged; QUIET is
  // held but not flagged.
  buffer = new AbuseBuffer({
    maxIps: 1000,
    ttlS: 3600,
    maxAgeS: 86400,
    thresholds: { events_10s: 5, events_1m: 0, events_10m: 0, invalid_1m: 0, sites_1m: 0, bot_1m: 0 },
  });
  for (let i = 0; i < 8; i++) buffer.recordEvent(ABUSER, 'example.test', null);
  buffer.recordEvent(QUIET, 'example.test', null);
  expect(buffer.get(ABUSER)!.flag).not.toBeNull();
  admin = await listen(
    createAdminApp({ operations: localAbuseOperations(buffer), securityApiKeys: [SECURITY_KEY], statsApiKeys: [STATS_KEY], audit: () => {} }),
    0,
    '127.0.0.1',
  );
  liveUrl = `http://127.0.0.1:${admin.port}`;
  // A URL where nothing listens: a port that was just closed.
  const closed = await listen(new Hono(), 0, '127.0.0.1');
  await closed.close();
  deadUrl = `http://127.0.0.1:${closed.port}`;

  telmark = await startTelmark({ COLLECTOR_ADMIN_URLS: `${liveUrl},${deadUrl}`, SECURITY_API_KEYS: SECURITY_KEY });
  await createUser(telmark, SECURITY_USER, ['security']);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await context?.close().catch(() => {});
  await browser?.close();
  await telmark?.destroy();
  await admin?.close();
}, 60_000);

describe('the security view over two collectors, one of them down', () => {
  it('lists the remote flag, says plainly which collector did not answer, looks the address up and erases it', E2E, async () => {
    context = await personContext(browser);
    const page = await context.newPage();
    const enrolled = await signInUi(page, telmark.dashboardUrl, SECURITY_USER);
    expect(enrolled.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(await navItems(page)).toEqual(['nav-security', 'nav-account']);
    await page.waitForSelector($('security-view'));

    // Which collectors answered: the live one did, the dead one did not (with why).
    const pills = page.locator(`${$('collectors')} ${$('collector')}`);
    await expect.poll(() => pills.count(), POLL).toBe(2);
    const live = page.locator(`${$('collectors')} ${$('collector')}[data-ok="true"]`);
    const dead = page.locator(`${$('collectors')} ${$('collector')}[data-ok="false"]`);
    expect(await live.innerText()).toBe(liveUrl);
    expect(await dead.innerText()).toMatch(new RegExp(`^${escape(deadUrl)}: unreachable`));
    const partial = await text(page, $('collectors-partial'))();
    expect(partial).toMatch(/^Partial answer: 1 collector did not answer, so this shows only the others\./);
    expect(partial).toContain(deadUrl);
    expect(partial).not.toContain(liveUrl);
    // The numbers are the remote collector's.
    expect(await text(page, $('summary-held'))()).toBe('2');
    expect(await text(page, $('summary-flagged'))()).toBe('1');
    expect(await page.locator(`${$('rule')}[data-rule="events_10s"] ${$('rule-limit')}`).innerText()).toBe('more than 5');

    // The flagged list: the address from the remote collector, named by its collector, and the
    // list says it is partial too.
    const row = page.locator(`${$('flagged-row')}[data-ip="${ABUSER}"]`);
    await expect.poll(() => row.count(), POLL).toBe(1);
    expect(await page.locator($('flagged-row')).count()).toBe(1);
    expect(await row.innerText()).toContain(liveUrl);
    expect(await text(page, $('flagged-collectors-partial'))()).toContain(deadUrl);

    // Look-up: held by the live collector; the answer is marked partial.
    await row.locator($('flagged-lookup')).click();
    await expect.poll(text(page, $('record-ip')), POLL).toBe(ABUSER);
    expect(await text(page, $('record-held-by'))()).toBe(`Held by ${liveUrl}; most recent: ${liveUrl}`);
    expect(await text(page, $('record-flag'))()).toMatch(/Flagged/);
    // The windows are sliding estimates (they decay with time); the total is exact.
    expect(await text(page, $('record-events'))()).toMatch(/ 8 in all$/);
    expect(await text(page, $('record-collectors-partial'))()).toContain(deadUrl);

    // Erase: gone from the remote collector's buffer; the message names where it was erased and
    // which collector could not be asked.
    await page.click($('erase'));
    await page.click($('erase-dialog-confirm'));
    await expect.poll(text(page, $('lookup-message')), POLL).toBe(
      `Erased everything held about ${ABUSER} on ${liveUrl}. Some collectors did not answer: ${deadUrl}.`,
    );
    expect(buffer.get(ABUSER)).toBeUndefined();
    expect(buffer.get(QUIET)).toBeDefined();
    await expect.poll(() => row.count(), POLL).toBe(0);
    await expect.poll(() => page.locator($('flagged-empty')).count(), POLL).toBe(1);
    await expect.poll(text(page, $('summary-flagged')), POLL).toBe('0');

    // Looked up again: not held by the live collector, and the dead one could not be asked, so the
    // server will not say "not held": the refusal names the collector that did not answer.
    await page.fill($('lookup-ip'), ABUSER);
    await page.click($('lookup-submit'));
    await expect.poll(text(page, $('lookup-message')), POLL).toMatch(
      new RegExp(`^1 of 2 collectors did not answer, so it is unknown whether the address is held \\(${escape(deadUrl)}: unreachable`),
    );
    await page.screenshot({ path: '/tmp/telmark-security-fanout.png', fullPage: true });
  });
});
