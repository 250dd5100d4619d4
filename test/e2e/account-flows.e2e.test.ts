// Account flows in a real Chromium against a real telmark: an admin invites someone from the Users
// page and the one-time link works exactly once; the admin changes that person's roles and sites,
// disables, enables, signs them out everywhere and deletes them, and their open page notices at its
// next call; and a marketer runs every card of "Your account": password (a weak one refused with
// the server's reason, other sessions ended), an API key used over Bearer and revoked, a session
// ended from the list, the data download, a second factor set up and moved to a new phone, and the
// account deleted.
//
// Throttling counts failed sign-ins per /24 network: loopback is a trusted proxy here, and every
// context that fails a sign-in on purpose comes from its own network (X-Forwarded-For), so the
// admin's and the marketer's contexts (plain loopback) are never blocked.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser, PASSWORD, totpCode } from '../helpers/accounts.ts';
import { launchChromium, navItems, personContext, signInUi, startTelmark, type E2eTelmark } from './browser.ts';

const SITE = 'example.test';
const OTHER_SITE = 'other.test';
// Generous: the whole suite shares two cores, and Chromium can stall for seconds under that load.
const E2E = { timeout: 90_000 };
const POLL = { timeout: 20_000 };
const SESSION_ENDED = 'Your session has ended. Please sign in again.';

const ADMIN = 'ada.admin@example.test';
const INVITED = 'new.person@example.test';
const MARKETER = 'mo.marketer@example.test';
/** The invited person's password, and the marketer's new one: strong enough for the policy. */
const INVITED_PASSWORD = 'harbor-lilac-tundra-mosaic-19';
const NEW_PASSWORD = 'lantern-quartz-meadow-falcon-77';

/** One /24 network per context that fails a sign-in on purpose. */
const NET = {
  invited: '192.0.2.21',
  inviteAgain: '192.0.2.22',
  totpCheck: '192.0.2.31',
  deletedCheck: '192.0.2.32',
} as const;

let telmark: E2eTelmark;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function newPage(xForwardedFor?: string): Promise<Page> {
  const context = await personContext(browser);
  context.setDefaultTimeout(45_000);
  if (xForwardedFor) await context.setExtraHTTPHeaders({ 'x-forwarded-for': xForwardedFor });
  contexts.push(context);
  return context.newPage();
}

const $ = (testid: string) => `[data-testid="${testid}"]`;
const text = (page: Page, selector: string) => () => page.locator(selector).innerText();
const count = (page: Page, selector: string) => () => page.locator(selector).count();

/** The next API call of a page whose session was ended elsewhere lands on sign-in with the notice. */
async function expectSentToSignIn(page: Page, viaNav = 'nav-account'): Promise<void> {
  await page.click($(viaNav));
  await expect.poll(text(page, $('signin-notice')), POLL).toBe(SESSION_ENDED);
  expect(await page.locator($('nav')).count()).toBe(0);
}

/** Sign-in through the form that must be refused: the server's generic sentence. */
async function expectSignInRefused(page: Page, email: string, password: string): Promise<void> {
  await page.fill($('signin-email'), email);
  await page.fill($('signin-password'), password);
  await page.click($('signin-submit'));
  await expect.poll(text(page, $('signin-error')), POLL).toBe('wrong email or password');
  expect(await page.locator($('nav')).count()).toBe(0);
}

function userRow(page: Page, email: string) {
  return page.locator(`${$('user-row')}[data-email="${email}"]`);
}

beforeAll(async () => {
  telmark = await startTelmark({ SITES: `${SITE},${OTHER_SITE}`, TRUSTED_PROXIES: '127.0.0.1/32' });
  await createUser(telmark, ADMIN, ['admin']);
  await createUser(telmark, MARKETER, ['marketer']);
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

describe('invitations and the Users page', () => {
  let admin: Page;
  /** The invited person's page, kept open through the admin's changes. */
  let person: Page;
  let inviteUrl = '';

  it('an admin invites a viewer of one site; the link sets a password once, and the person sees only their part', E2E, async () => {
    admin = await newPage();
    const enrolled = await signInUi(admin, telmark.dashboardUrl, ADMIN);
    expect(enrolled.otpauthUri).toMatch(/^otpauth:\/\/totp\//);

    await admin.click($('nav-users'));
    await admin.click($('invite-open'));
    await admin.fill($('invite-email'), INVITED);
    // Viewer is ticked by default; only that one.
    expect(await admin.isChecked(`${$('invite-role')}[data-role="viewer"]`)).toBe(true);
    for (const role of ['admin', 'marketer', 'security']) expect(await admin.isChecked(`${$('invite-role')}[data-role="${role}"]`)).toBe(false);
    await admin.check($('invite-sites-list'));
    await admin.check(`${$('invite-site')}[data-site="${SITE}"]`);
    await admin.click($('invite-submit'));
    inviteUrl = await admin.locator($('invite-url')).innerText();
    expect(inviteUrl).toMatch(new RegExp(`^${telmark.dashboardUrl.replaceAll('.', '\\.')}/#/invite/[^/\\s]{32,}$`));
    expect(await text(admin, $('invite-result'))()).toContain(INVITED);
    await expect.poll(text(admin, `${$('user-row')}[data-email="${INVITED}"] ${$('user-status')}`), POLL).toBe('Invite pending');
    expect(await userRow(admin, INVITED).locator('td.sites').innerText()).toBe(SITE);

    // The person opens the link in their own browser and chooses a password.
    person = await newPage(NET.invited);
    await person.goto(inviteUrl);
    await person.fill($('invite-password'), INVITED_PASSWORD);
    await person.fill($('invite-confirm'), INVITED_PASSWORD);
    await person.click($('invite-submit'));
    await expect.poll(text(person, $('signin-notice')), POLL).toBe('Your password is set. Sign in to continue.');
    expect(await person.inputValue($('signin-email'))).toBe(INVITED);
    await person.fill($('signin-password'), INVITED_PASSWORD);
    await person.click($('signin-submit'));
    await person.waitForSelector($('nav'));
    // A viewer reads goals too (the Goals view without its form).
    expect(await navItems(person)).toEqual(['nav-overview', 'nav-campaigns', 'nav-goals', 'nav-account']);
    expect(await text(person, $('header-user'))()).toBe(INVITED);
    // One site, as invited: the server lists only that one.
    const sites = await person.evaluate(() => fetch('api/sites').then((r) => r.json()));
    expect(sites.sites.map((s: { domain: string }) => s.domain)).toEqual([SITE]);
    await admin.reload();
    await expect.poll(text(admin, `${$('user-row')}[data-email="${INVITED}"] ${$('user-status')}`), POLL).toBe('Active');

    // The same link again, in another fresh browser: refused with the server's plain sentence.
    const again = await newPage(NET.inviteAgain);
    await again.goto(inviteUrl);
    await again.fill($('invite-password'), 'another-strong-passphrase-for-reuse-88');
    await again.fill($('invite-confirm'), 'another-strong-passphrase-for-reuse-88');
    await again.click($('invite-submit'));
    await expect.poll(text(again, $('invite-error')), POLL).toBe(
      'this invitation is not valid (it works once and ends after 7 days); ask an admin for a new one',
    );
    expect(await again.locator($('nav')).count()).toBe(0);
    // The person's password was not changed by that attempt.
    expect(await person.evaluate(() => fetch('api/auth/me').then((r) => r.status))).toBe(200);
  });

  it('the admin changes roles and sites, disables, enables, ends sessions and deletes; the person notices at the next call', { timeout: 120_000 }, async () => {
    const row = userRow(admin, INVITED);

    // viewer → marketer, and a second site.
    await row.locator($('user-edit')).click();
    const edit = admin.locator($('edit-dialog'));
    await edit.locator(`${$('edit-role')}[data-role="viewer"]`).uncheck();
    await edit.locator(`${$('edit-role')}[data-role="marketer"]`).check();
    await edit.locator(`${$('edit-site')}[data-site="${OTHER_SITE}"]`).check();
    await edit.locator($('edit-dialog-confirm')).click();
    await expect.poll(text(admin, $('users-message')), POLL).toBe(`Saved ${INVITED}.`);
    await expect.poll(() => row.locator('.badge.role').allInnerTexts(), POLL).toEqual(['marketer']);
    expect(await row.locator('td.sites').innerText()).toBe(`${SITE}, ${OTHER_SITE}`);
    // Their open page sees the change at its next look.
    await person.goto(`${telmark.dashboardUrl}/#/account`);
    await person.reload();
    await expect.poll(text(person, $('account-roles')), POLL).toBe('marketer');
    const sites = await person.evaluate(() => fetch('api/sites').then((r) => r.json()));
    expect(sites.sites.map((s: { domain: string }) => s.domain).sort()).toEqual([SITE, OTHER_SITE].sort());

    // Disabled: signed out everywhere; their page lands on sign-in at its next API call, and the
    // password no longer signs in.
    await row.locator($('user-disable')).click();
    await admin.click($('disable-dialog-confirm'));
    await expect.poll(text(admin, $('users-message')), POLL).toBe(`${INVITED} is disabled and signed out everywhere.`);
    await expect.poll(text(admin, `${$('user-row')}[data-email="${INVITED}"] ${$('user-status')}`), POLL).toBe('Disabled');
    await expectSentToSignIn(person, 'nav-overview');
    expect(await person.inputValue($('signin-email'))).toBe(INVITED);
    await expectSignInRefused(person, INVITED, INVITED_PASSWORD);

    // Enabled again: they can sign in.
    await row.locator($('user-enable')).click();
    await expect.poll(text(admin, $('users-message')), POLL).toBe(`${INVITED} can sign in again.`);
    await expect.poll(text(admin, `${$('user-row')}[data-email="${INVITED}"] ${$('user-status')}`), POLL).toBe('Active');
    await signInUi(person, telmark.dashboardUrl, INVITED, { password: INVITED_PASSWORD });
    // Now a marketer: the same views (under Goals, the form too).
    expect(await navItems(person)).toEqual(['nav-overview', 'nav-campaigns', 'nav-goals', 'nav-account']);

    // Their sessions ended by the admin.
    await row.locator($('user-end-sessions')).click();
    await admin.click($('sessions-dialog-confirm'));
    await expect.poll(text(admin, $('users-message')), POLL).toBe(`Ended 1 session of ${INVITED}.`);
    await expectSentToSignIn(person);

    // Deleted, after a confirmation: gone from the list, and the password no longer signs in.
    await row.locator($('user-delete')).click();
    expect(await text(admin, '#delete-dialog-title')()).toBe(`Delete ${INVITED}?`);
    await admin.click($('delete-dialog-confirm'));
    await expect.poll(text(admin, $('users-message')), POLL).toBe(`Deleted ${INVITED}.`);
    await expect.poll(() => row.count(), POLL).toBe(0);
    expect((await admin.locator($('user-row')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-email')))).sort()).toEqual([ADMIN, MARKETER].sort());
    await expectSignInRefused(person, INVITED, INVITED_PASSWORD);
  });
});

describe('your account (a marketer)', () => {
  /** The marketer's main page, and a second browser of theirs. */
  let main: Page;
  let other: Page;
  let oldUri = '';
  let newUri = '';

  it('a weak new password is refused with the server\'s reason; a strong one works and signs the other browser out', E2E, async () => {
    main = await newPage();
    other = await newPage();
    await signInUi(main, telmark.dashboardUrl, MARKETER);
    await signInUi(other, telmark.dashboardUrl, MARKETER);
    await main.click($('nav-account'));
    await expect.poll(text(main, $('account-email')), POLL).toBe(MARKETER);

    await main.fill($('password-current'), PASSWORD);
    await main.fill($('password-new-password'), 'aaaaaaaaaaaaaaaa');
    await main.fill($('password-new-confirm'), 'aaaaaaaaaaaaaaaa');
    await main.click($('password-submit'));
    await expect.poll(text(main, $('password-error')), POLL).toMatch(/^this password is too weak: /);
    expect(await main.locator($('password-done')).count()).toBe(0);

    await main.fill($('password-new-password'), NEW_PASSWORD);
    await main.fill($('password-new-confirm'), NEW_PASSWORD);
    await main.click($('password-submit'));
    await expect.poll(text(main, $('password-done')), POLL).toBe('Password changed. 1 other session was signed out.');
    expect(await main.locator($('password-error')).count()).toBe(0);
    // The form is cleared.
    expect(await main.inputValue($('password-current'))).toBe('');
    expect(await main.inputValue($('password-new-password'))).toBe('');

    await expectSentToSignIn(other);
    // This browser is still signed in.
    expect(await main.evaluate(() => fetch('api/auth/me').then((r) => r.status))).toBe(200);
  });

  it('an API key is shown once, reads statistics over Bearer, and is refused once revoked', E2E, async () => {
    await main.click($('key-new'));
    await main.fill($('key-name'), 'weekly report');
    // A marketer may read statistics and manage goals (never the security API); reading is ticked.
    expect(await main.locator($('key-scope')).evaluateAll((els) => els.map((e) => [e.getAttribute('data-scope'), (e as HTMLInputElement).checked]))).toEqual([
      ['stats:read', true],
      ['site-settings', false],
    ]);
    await main.click($('key-create'));
    const secret = await main.locator($('key-secret')).innerText();
    expect(secret).toMatch(/^tmk_/);

    const query = () =>
      fetch(`${telmark.dashboardUrl}/api/v2/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: JSON.stringify({ site_id: SITE, metrics: ['visitors'], date_range: '7d' }),
      });
    const ok = await query();
    expect(ok.status).toBe(200);
    expect(Array.isArray((await ok.json()).results)).toBe(true);

    // Dismissed, the secret is not on the page any more; the list shows the key by name only.
    await main.click($('key-dismiss'));
    expect(await main.locator($('key-secret')).count()).toBe(0);
    expect(await main.content()).not.toContain(secret);
    const key = main.locator(`${$('key')}[data-name="weekly report"]`);
    await expect.poll(() => key.count(), POLL).toBe(1);
    await key.locator($('key-revoke')).click();
    await main.click($('revoke-dialog-confirm'));
    await expect.poll(count(main, $('keys-empty')), POLL).toBe(1);
    const refused = await query();
    expect(refused.status).toBe(401);
  });

  it('another session is ended from the list of sessions', E2E, async () => {
    await signInUi(other, telmark.dashboardUrl, MARKETER, { password: NEW_PASSWORD });
    await main.reload();
    const sessions = main.locator($('session'));
    await expect.poll(() => sessions.count(), POLL).toBe(2);
    expect(await main.locator(`${$('session')}[data-current="true"] ${$('session-current')}`).innerText()).toBe('This browser');
    await main.locator(`${$('session')}[data-current="false"] ${$('session-end')}`).click();
    await expect.poll(text(main, $('sessions-message')), POLL).toBe('Session ended.');
    await expect.poll(() => sessions.count(), POLL).toBe(1);
    expect(await main.locator($('sessions-end-others')).isDisabled()).toBe(true);
    await expectSentToSignIn(other);
  });

  it('downloads their data: their account as JSON, without any password hash', E2E, async () => {
    const [download] = await Promise.all([main.waitForEvent('download'), main.click($('export'))]);
    expect(download.suggestedFilename()).toMatch(/^telmark-account-\d{4}-\d\d-\d\d\.json$/);
    const raw = readFileSync((await download.path())!, 'utf8');
    const data = JSON.parse(raw);
    expect(data.account).toMatchObject({ email: MARKETER, roles: ['marketer'], sites: 'all', enabled: true });
    expect(data.sessions.length).toBeGreaterThanOrEqual(1);
    // The revoked key is not listed any more.
    expect(data.api_keys).toEqual([]);
    // No password hash (argon2 or other), and no field that holds a hash of anything. (The export's
    // own "note" says secrets are stored "only as hashes"; that sentence is the one mention allowed.)
    expect(raw).not.toMatch(/argon2/i);
    expect(raw).not.toMatch(/\$[a-z0-9-]+\$/i);
    const keys: string[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (keys.push(k), walk(x));
    };
    walk(data);
    expect(keys.filter((k) => /hash|password|secret|token/i.test(k))).toEqual([]);
    expect(raw.replace(String(data.note ?? ''), '')).not.toMatch(/hash/i);
  });

  it('sets up a second factor from the QR screen, moves it to a new phone, and only the new phone signs in', { timeout: 120_000 }, async () => {
    expect(await text(main, $('totp-status'))()).toBe('Off');
    expect(await text(main, $('totp-setup'))()).toBe('Set up two-factor');
    await main.click($('totp-setup'));
    await main.fill($('totp-dialog-password'), NEW_PASSWORD);
    await main.click($('totp-dialog-confirm'));
    const enrol = main.locator(`${$('totp-card')} ${$('totp-enrol')}`);
    await enrol.waitFor();
    oldUri = (await enrol.getAttribute('data-otpauth-uri'))!;
    expect(oldUri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    await expect.poll(() => main.locator(`${$('totp-qr')} svg`).count(), POLL).toBe(1);
    const secretShown = (await text(main, $('totp-secret'))()).replace(/\s+/g, '');
    expect(new URL(oldUri).searchParams.get('secret')).toBe(secretShown);
    await main.fill($('totp-confirm-code'), totpCode(oldUri, Date.now()));
    await main.click($('totp-confirm-submit'));
    await expect.poll(() => main.locator($('recovery-code')).count(), POLL).toBe(10);
    await main.click($('recovery-saved'));
    await expect.poll(text(main, $('totp-status')), POLL).toBe('On');

    // Move to a new phone: a new QR code, confirmed with a code from the new secret.
    expect(await text(main, $('totp-setup'))()).toBe('Move to a new phone');
    await main.click($('totp-setup'));
    await main.fill($('totp-dialog-password'), NEW_PASSWORD);
    await main.click($('totp-dialog-confirm'));
    await enrol.waitFor();
    newUri = (await enrol.getAttribute('data-otpauth-uri'))!;
    expect(newUri).toMatch(/^otpauth:\/\/totp\//);
    expect(new URL(newUri).searchParams.get('secret')).not.toBe(new URL(oldUri).searchParams.get('secret'));
    // The confirm code belongs to step s; every sign-in code below is computed for now + 30 s, so
    // its step is always later than s (each code works once).
    await main.fill($('totp-confirm-code'), totpCode(newUri, Date.now()));
    await main.click($('totp-confirm-submit'));
    await expect.poll(() => main.locator($('recovery-code')).count(), POLL).toBe(10);
    await main.click($('recovery-saved'));
    await expect.poll(text(main, $('totp-status')), POLL).toBe('On');
    // This browser's session survived the move (it was replaced by a fresh one).
    expect(await main.evaluate(() => fetch('api/auth/me').then((r) => r.status))).toBe(200);

    // Another browser, from its own network (one failure on purpose): the old phone's code fails,
    // the new one's works.
    const check = await newPage(NET.totpCheck);
    await check.goto(`${telmark.dashboardUrl}/`);
    await check.fill($('signin-email'), MARKETER);
    await check.fill($('signin-password'), NEW_PASSWORD);
    await check.click($('signin-submit'));
    await check.locator($('signin-totp')).waitFor();
    await check.fill($('signin-totp'), totpCode(oldUri, Date.now() + 30_000));
    await check.click($('signin-submit'));
    await expect.poll(text(check, $('signin-error')), POLL).toBe('wrong email or password');
    expect(await check.locator($('nav')).count()).toBe(0);
    await check.fill($('signin-totp'), totpCode(newUri, Date.now() + 30_000));
    await check.click($('signin-submit'));
    await check.waitForSelector($('nav'));
    expect(await text(check, $('header-user'))()).toBe(MARKETER);
    other = check;
  });

  it('deletes the account after the password: back on sign-in, everywhere, and the account no longer signs in', E2E, async () => {
    await main.click($('account-delete'));
    await main.fill($('delete-account-dialog-password'), NEW_PASSWORD);
    await main.click($('delete-account-dialog-confirm'));
    await expect.poll(text(main, $('signin-notice')), POLL).toBe('Your account was deleted.');
    expect(await main.locator($('nav')).count()).toBe(0);
    expect(await main.evaluate(() => fetch('api/auth/me').then((r) => r.status))).toBe(401);
    // The browser signed in a moment ago is signed out too.
    await expectSentToSignIn(other);

    const again = await newPage(NET.deletedCheck);
    await again.goto(`${telmark.dashboardUrl}/`);
    await expectSignInRefused(again, MARKETER, NEW_PASSWORD);
  });
});
