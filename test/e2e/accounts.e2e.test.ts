// People signing in to the dashboard in a real Chromium against a real telmark: each role sees
// only its part of the app and a plain refusal elsewhere; a second factor is enrolled from the QR
// screen's otpauth URI and asked for at the next sign-in (a recovery code works too); sign-out and
// a session ended elsewhere both land on the sign-in page; repeated wrong passwords are throttled
// with the wait shown; and security staff find, look up and erase an address that a real burst of
// beacons got flagged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser, signIn as signInApi } from '../helpers/accounts.ts';
import { pageview, postBeacon } from '../helpers/telmark.ts';
import { launchChromium, navItems, personContext, signInUi, startTelmark, type E2eTelmark, type UiSignIn, reloadUntil } from './browser.ts';

const SITE = 'example.test';
// Generous: the whole suite shares two cores, and Chromium can stall for seconds under that load.
const E2E = { timeout: 90_000 };
const POLL = { timeout: 20_000 };
const ABUSER = '198.51.100.66';

const EMAIL = {
  admin: 'ada.admin@example.test',
  marketer: 'max.marketer@example.test',
  viewer: 'vic.viewer@example.test',
  security: 'sam.security@example.test',
  throttled: 'tess.typo@example.test',
} as const;

let telmark: E2eTelmark;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** One signed-in page per role, opened by the first test and reused (a TOTP code works once per step). */
const pages: Partial<Record<keyof typeof EMAIL, Page>> = {};
const enrolled: Partial<Record<keyof typeof EMAIL, UiSignIn>> = {};

async function newPage(extraHeaders?: Record<string, string>): Promise<Page> {
  const context = await personContext(browser);
  context.setDefaultTimeout(45_000);
  if (extraHeaders) await context.setExtraHTTPHeaders(extraHeaders);
  contexts.push(context);
  return context.newPage();
}

const text = (page: Page, testid: string) => () => page.locator(`[data-testid="${testid}"]`).innerText();

beforeAll(async () => {
  telmark = await startTelmark({
    SITES: SITE,
    // A burst from one address (sent through loopback as a trusted proxy) gets flagged quickly.
    TRUSTED_PROXIES: '127.0.0.1/32',
    ABUSE_LIMIT_EVENTS_10S: '20',
    ABUSE_LIMIT_EVENTS_1M: '0',
    ABUSE_LIMIT_EVENTS_10M: '0',
  });
  await createUser(telmark, EMAIL.admin, ['admin']);
  await createUser(telmark, EMAIL.marketer, ['marketer'], { sites: [SITE] });
  await createUser(telmark, EMAIL.viewer, ['viewer']);
  await createUser(telmark, EMAIL.security, ['security']);
  await createUser(telmark, EMAIL.throttled, ['viewer']);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

describe('each role', () => {
  const EXPECTED: Record<'admin' | 'marketer' | 'viewer' | 'security', { nav: string[]; start: string; forbidden: string }> = {
    admin: { nav: ['nav-overview', 'nav-campaigns', 'nav-goals', 'nav-users', 'nav-account'], start: 'overview', forbidden: 'security' },
    marketer: { nav: ['nav-overview', 'nav-campaigns', 'nav-goals', 'nav-account'], start: 'overview', forbidden: 'users' },
    viewer: { nav: ['nav-overview', 'nav-campaigns', 'nav-goals', 'nav-account'], start: 'overview', forbidden: 'security' },
    security: { nav: ['nav-security', 'nav-account'], start: 'security', forbidden: 'overview' },
  };

  for (const role of ['admin', 'marketer', 'viewer', 'security'] as const) {
    it(`${role}: signs in, sees only its navigation, and a plain refusal on a page its roles do not open`, E2E, async () => {
      const page = await newPage();
      const result = await signInUi(page, telmark.dashboardUrl, EMAIL[role]);
      pages[role] = page;
      enrolled[role] = result;
      // Admin and security need a second factor: their first sign-in enrolled one.
      expect(Boolean(result.otpauthUri)).toBe(role === 'admin' || role === 'security');
      expect(await navItems(page)).toEqual(EXPECTED[role].nav);
      // The statistics views keep their view (site, range) in the address after the view's name.
      await expect.poll(() => page.evaluate(() => location.hash.split('?')[0]), POLL).toBe(`#/${EXPECTED[role].start}`);
      expect(await page.locator('[data-testid="header-user"]').innerText()).toBe(EMAIL[role]);

      await page.goto(`${telmark.dashboardUrl}/#/${EXPECTED[role].forbidden}`);
      await expect.poll(text(page, 'forbidden'), POLL).toMatch(/Your roles do not allow this page/);
      // The server agrees: the API behind that page answers 403 for this session.
      const api = { overview: 'api/sites', users: 'api/users', security: 'api/security/abuse/summary' }[EXPECTED[role].forbidden]!;
      expect(await page.evaluate((path) => fetch(path).then((r) => r.status), api)).toBe(403);
      await page.goto(`${telmark.dashboardUrl}/#/account`);
      await expect.poll(text(page, 'account-email'), POLL).toBe(EMAIL[role]);
    });
  }
});

describe('two-factor sign-in', () => {
  it('enrolment showed a QR code and ten recovery codes; the next sign-in asks for a code', E2E, async () => {
    const admin = enrolled.admin!;
    expect(admin.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(admin.recoveryCodes).toHaveLength(10);
    const page = await newPage();
    await signInUi(page, telmark.dashboardUrl, EMAIL.admin, { totpUri: admin.otpauthUri });
    expect(await navItems(page)).toEqual(['nav-overview', 'nav-campaigns', 'nav-goals', 'nav-users', 'nav-account']);
    await page.goto(`${telmark.dashboardUrl}/#/account`);
    await expect.poll(text(page, 'totp-status'), POLL).toBe('On');
  });

  it('a wrong code is refused with the server\'s words; a recovery code signs in', E2E, async () => {
    const page = await newPage();
    await page.goto(`${telmark.dashboardUrl}/`);
    await page.fill('[data-testid="signin-email"]', EMAIL.security);
    await page.fill('[data-testid="signin-password"]', (await import('../helpers/accounts.ts')).PASSWORD);
    await page.click('[data-testid="signin-submit"]');
    await page.fill('[data-testid="signin-totp"]', '000000');
    await page.click('[data-testid="signin-submit"]');
    await expect.poll(text(page, 'signin-error'), POLL).toMatch(/wrong email or password/);
    await page.click('[data-testid="signin-use-recovery"]');
    await page.fill('[data-testid="signin-totp"]', enrolled.security!.recoveryCodes![0]!);
    await page.click('[data-testid="signin-submit"]');
    await page.waitForSelector('[data-testid="security-view"]');
    expect(await navItems(page)).toEqual(['nav-security', 'nav-account']);
  });
});

describe('leaving', () => {
  it('sign-out ends the session: the sign-in page, also after a reload', E2E, async () => {
    const page = pages.marketer!;
    await page.click('[data-testid="sign-out"]');
    await page.waitForSelector('[data-testid="signin-form"]');
    expect(await page.evaluate(() => fetch('api/auth/me').then((r) => r.status))).toBe(401);
    await reloadUntil(page, '[data-testid="signin-email"]');
    expect(await page.locator('[data-testid="nav"]').count()).toBe(0);
  });

  it('a session ended elsewhere sends the user back to sign-in with a message', E2E, async () => {
    const page = pages.viewer!;
    await page.goto(`${telmark.dashboardUrl}/#/overview`);
    await page.waitForSelector('[data-testid="nav"]');
    // The same person, signed in from another device, signs out everywhere else.
    const other = await signInApi(telmark, EMAIL.viewer);
    expect((await other.client.del('/api/auth/sessions')).json.ended).toBeGreaterThanOrEqual(1);
    await page.click('[data-testid="nav-account"]');
    await expect.poll(text(page, 'signin-notice'), POLL).toBe('Your session has ended. Please sign in again.');
    // The email is kept for signing in again.
    expect(await page.inputValue('[data-testid="signin-email"]')).toBe(EMAIL.viewer);
  });
});

describe('the security view', () => {
  it('shows the address a real burst got flagged, looks it up, and erases it', { timeout: 120_000 }, async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await postBeacon(telmark.collectorUrl, pageview(`https://${SITE}/p/${i}`, undefined, SITE), { 'x-forwarded-for': ABUSER });
      statuses.push(res.status);
      await res.body?.cancel();
    }
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);

    const page = pages.security!;
    await page.goto(`${telmark.dashboardUrl}/#/security`);
    await page.click('[data-testid="security-refresh"]');
    const row = page.locator(`[data-testid="flagged-row"][data-ip="${ABUSER}"]`);
    await expect.poll(() => row.count(), POLL).toBe(1);
    expect(Number(await text(page, 'summary-flagged')())).toBeGreaterThanOrEqual(1);
    expect(await text(page, 'security-updated')()).toMatch(/^Updated \d\d:\d\d:\d\d$/);
    expect(await page.locator('[data-testid="rule"][data-rule="events_10s"] [data-testid="rule-limit"]').innerText()).toBe('more than 20');

    await row.locator('[data-testid="flagged-lookup"]').click();
    await expect.poll(text(page, 'record-ip'), POLL).toBe(ABUSER);
    expect(await text(page, 'record-flag')()).toMatch(/Flagged/);
    expect(await text(page, 'record-sites')()).toContain(SITE);
    await page.screenshot({ path: '/tmp/telmark-security.png', fullPage: true });

    await page.click('[data-testid="erase"]');
    await page.click('[data-testid="erase-dialog-confirm"]');
    await expect.poll(text(page, 'lookup-message'), POLL).toMatch(new RegExp(`^Erased everything held about ${ABUSER.replaceAll('.', '\\.')}`));
    await expect.poll(() => row.count(), POLL).toBe(0);

    // Looked up again: no longer held. A malformed address gets the server's reason.
    await page.fill('[data-testid="lookup-ip"]', ABUSER);
    await page.click('[data-testid="lookup-submit"]');
    await expect.poll(text(page, 'lookup-message'), POLL).toMatch(/is not held/);
    await page.fill('[data-testid="lookup-ip"]', 'no-such-address');
    await page.click('[data-testid="lookup-submit"]');
    await expect.poll(text(page, 'lookup-message'), POLL).toMatch(/"no-such-address" is not an IP address/);
  });
});

describe('throttling', () => {
  // Last: failures also count against the client's network. This context comes from its own
  // network (X-Forwarded-For through loopback, a trusted proxy) so the rest of the file is untouched.
  it('wrong passwords, repeated, end in "try again in N seconds" and a disabled button', E2E, async () => {
    const page = await newPage({ 'x-forwarded-for': '203.0.113.50' });
    await page.goto(`${telmark.dashboardUrl}/`);
    let message = '';
    for (let attempt = 1; attempt <= 8 && !/try again in/i.test(message); attempt++) {
      await page.fill('[data-testid="signin-email"]', EMAIL.throttled);
      await page.fill('[data-testid="signin-password"]', `not-the-password-${attempt}`);
      await page.click('[data-testid="signin-submit"]');
      await expect.poll(async () => (await page.locator('[data-testid="signin-error"]').count()) > 0 && !(await page.locator('[data-testid="signin-submit"]').innerText()).includes('Checking'), POLL).toBe(true);
      message = await text(page, 'signin-error')();
      if (!/try again in/i.test(message)) expect(message).toBe('wrong email or password');
    }
    expect(message).toMatch(/Try again in \d+ seconds?\./);
    expect(await page.locator('[data-testid="signin-submit"]').isDisabled()).toBe(true);
  });
});
