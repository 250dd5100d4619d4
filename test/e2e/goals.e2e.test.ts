// Goals in a real Chromium against a real telmark: a marketer of one site (of two) opens Goals,
// sees only their site, adds an event goal (prop condition, currency), a page goal and a scroll
// goal with the default display names the form shows, gets the server's 409 (name taken) and 400
// (path without "/") next to the form, deletes a goal through the confirmation dialog, and saves
// the allowed prop keys; after reloads the page and the server's own answers hold exactly that.
// A viewer reads the same goals under Goals, without the means to change them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CookieClient, createUser } from '../helpers/accounts.ts';
import { launchChromium, navItems, personContext, signInUi, startTelmark, type E2eTelmark, reloadUntil } from './browser.ts';

const SITE = 'example.test';
const OTHER_SITE = 'other.test';
const MARKETER = 'maya.marketer@example.test';
const VIEWER = 'vic.viewer@example.test';
const E2E = { timeout: 90_000 };
const POLL = { timeout: 20_000 };

let telmark: E2eTelmark;
let browser: Browser;
const contexts: BrowserContext[] = [];

const $ = (testid: string) => `[data-testid="${testid}"]`;
const row = (name: string) => `${$('goal-row')}[data-name="${name}"]`;
const text = (page: Page, selector: string) => () => page.locator(selector).innerText();
const rowNames = (page: Page) => page.locator($('goal-row')).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-name')));
const chips = (page: Page) => page.locator($('allowed-prop')).evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
/** As the app writes dates (lib/format.ts); browser and test share the machine's time zone. */
const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });

async function newPage(): Promise<{ page: Page; context: BrowserContext }> {
  const context = await personContext(browser);
  // A step that cannot happen fails with its selector, not at the test's timeout. 45 s, as in
  // accounts.e2e: under the full suite on two cores, a reload once took longer than 20 s.
  context.setDefaultTimeout(45_000);
  contexts.push(context);
  return { page: await context.newPage(), context };
}

/** A client over HTTP holding the same session cookie as the browser context. */
async function apiAs(context: BrowserContext): Promise<CookieClient> {
  const cookie = (await context.cookies()).find((c) => c.name.includes('telmark_session'));
  if (!cookie) throw new Error('no session cookie in the browser context');
  const client = new CookieClient(telmark.dashboardUrl);
  client.cookie = `${cookie.name}=${cookie.value}`;
  return client;
}

async function addGoal(page: Page): Promise<void> {
  await page.click($('goal-submit'));
  await page.locator(`${$('goal-added')}, ${$('goal-error')}`).first().waitFor();
}

beforeAll(async () => {
  telmark = await startTelmark({ SITES: `${SITE},${OTHER_SITE}` });
  await createUser(telmark, MARKETER, ['marketer'], { sites: [SITE] });
  await createUser(telmark, VIEWER, ['viewer'], { sites: [SITE] });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

describe('Goals view', () => {
  it('a marketer adds, refuses, deletes goals and sets the allowed props of their one site', E2E, async () => {
    const { page, context } = await newPage();
    await signInUi(page, telmark.dashboardUrl, MARKETER);
    expect(await navItems(page)).toEqual(['nav-overview', 'nav-campaigns', 'nav-goals', 'nav-account']);

    await page.click($('nav-goals'));
    await page.waitForSelector($('goal-form'));
    // The first (only) site is chosen and kept in the hash.
    expect(new URL(page.url()).hash).toBe(`#/goals/${SITE}`);
    const options = await page.locator(`${$('goals-site-picker')} option`).evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual([SITE]);
    expect(await text(page, $('goals-later-note'))()).toContain('counted in the Stats API now');
    expect(await page.locator($('goal-list-empty')).count()).toBe(1);
    expect(await page.locator($('allowed-props-none')).count()).toBe(1);

    // An event goal with a prop condition and a currency; the display name defaults to the event name.
    await page.fill($('goal-event-name'), 'Signup');
    expect(await page.getAttribute($('goal-display-name'), 'placeholder')).toBe('Signup');
    await page.click($('goal-condition-add'));
    await page.fill($('goal-condition-key'), 'plan');
    await page.fill($('goal-condition-value'), 'pro');
    await page.fill($('goal-currency'), 'eur');
    await addGoal(page);
    expect(await text(page, $('goal-added'))()).toBe('Added “Signup”.');
    await page.waitForSelector(row('Signup'));
    expect(await text(page, `${row('Signup')} ${$('goal-kind')}`)()).toBe('Custom event');
    const eventDetails = await text(page, `${row('Signup')} ${$('goal-details')}`)();
    expect(eventDetails).toContain('Event Signup');
    expect(eventDetails).toContain('plan = pro');
    expect(eventDetails).toContain('revenue in EUR');
    // A prop condition is checked as events arrive: the goal counts from now.
    const eventSince = await page.getAttribute(`${row('Signup')} ${$('goal-since')} time`, 'datetime');
    expect(Date.now() - Date.parse(eventSince!)).toBeLessThan(60_000);
    expect(await text(page, `${row('Signup')} ${$('goal-since')}`)()).toBe(`Counting since ${dateTime.format(new Date(eventSince!))}`);

    // A page goal: default "Visit /path", counting from now.
    await page.check($('goal-kind-page'));
    expect(await page.getAttribute($('goal-display-name'), 'placeholder')).toBe('Visit /path');
    expect(await text(page, `${$('goal-form')} .hint`)()).toContain('matches within one path segment');
    await page.fill($('goal-path'), '/thank-you');
    expect(await page.getAttribute($('goal-display-name'), 'placeholder')).toBe('Visit /thank-you');
    await addGoal(page);
    await page.waitForSelector(row('Visit /thank-you'));
    expect(await text(page, `${row('Visit /thank-you')} ${$('goal-kind')}`)()).toBe('Pageview');
    expect(await text(page, `${row('Visit /thank-you')} ${$('goal-details')}`)()).toBe('Pageview of /thank-you');
    const pageSince = await page.getAttribute(`${row('Visit /thank-you')} ${$('goal-since')} time`, 'datetime');
    expect(Date.now() - Date.parse(pageSince!)).toBeLessThan(60_000);
    expect(await text(page, `${row('Visit /thank-you')} ${$('goal-since')}`)()).toBe(`Counting since ${dateTime.format(new Date(pageSince!))}`);

    // A scroll goal: default "Scroll 75% on /path".
    await page.check($('goal-kind-scroll'));
    await page.fill($('goal-path'), '/blog/**');
    await page.fill($('goal-threshold'), '75');
    expect(await page.getAttribute($('goal-display-name'), 'placeholder')).toBe('Scroll 75% on /blog/**');
    await addGoal(page);
    await page.waitForSelector(row('Scroll 75% on /blog/**'));
    expect(await text(page, `${row('Scroll 75% on /blog/**')} ${$('goal-kind')}`)()).toBe('Scroll depth');
    expect(await text(page, `${row('Scroll 75% on /blog/**')} ${$('goal-since')}`)()).toMatch(/^Counting since \d{1,2} \w{3} \d{4}, \d{2}:\d{2}$/);

    // The server's refusals, next to the form: a name taken (409), a path without "/" (400).
    await page.check($('goal-kind-page'));
    await page.fill($('goal-path'), '/thank-you');
    await addGoal(page);
    expect(await text(page, $('goal-error'))()).toBe(`Display name: a goal named "Visit /thank-you" exists already on ${SITE}. Choose another display name.`);
    expect(await page.getAttribute($('goal-display-name'), 'aria-invalid')).toBe('true');
    await page.fill($('goal-path'), 'thank-you');
    await addGoal(page);
    await expect.poll(text(page, $('goal-error')), POLL).toBe('Path pattern: must start with "/"');
    expect(await page.getAttribute($('goal-path'), 'aria-invalid')).toBe('true');
    expect(await rowNames(page)).toEqual(['Signup', 'Visit /thank-you', 'Scroll 75% on /blog/**']);

    // Delete the page goal through the dialog; a reload shows it gone.
    await page.click(`${row('Visit /thank-you')} ${$('goal-delete')}`);
    expect(await text(page, '#goal-delete-dialog-title')()).toBe('Delete the goal “Visit /thank-you”?');
    await page.click($('goal-delete-dialog-confirm'));
    await page.locator(row('Visit /thank-you')).waitFor({ state: 'detached' });
    expect(await page.locator($('goal-delete-dialog')).count()).toBe(0);
    await reloadUntil(page, row('Signup'));
    expect(await rowNames(page)).toEqual(['Signup', 'Scroll 75% on /blog/**']);

    // Allowed props: none, then plan and author, still there after a reload.
    expect(await text(page, $('allowed-props'))()).toContain('other custom property sent with an event is dropped');
    await page.fill($('allowed-prop-input'), 'plan, author');
    await page.click($('allowed-prop-add'));
    expect(await chips(page)).toEqual(['plan', 'author']);
    expect(await page.locator($('allowed-props-unsaved')).count()).toBe(1);
    await page.click($('allowed-props-save'));
    await expect.poll(text(page, $('allowed-props-message')), POLL).toBe('Saved.');
    await reloadUntil(page, $('allowed-prop'));
    expect(await chips(page)).toEqual(['plan', 'author']);

    // The server holds exactly this (asked with the browser's own session).
    const api = await apiAs(context);
    const goals = await api.get(`/api/v1/sites/${SITE}/goals`);
    expect(goals.status).toBe(200);
    expect(goals.json.goals.map(({ id: _id, created_at: _c, counting_since: since, ...g }: Record<string, unknown>) => ({ ...g, since: since === null ? null : 'set' }))).toEqual([
      { type: 'event', display_name: 'Signup', event_name: 'Signup', props: { plan: 'pro' }, currency: 'EUR', since: 'set' },
      { type: 'scroll', display_name: 'Scroll 75% on /blog/**', path: '/blog/**', threshold: 75, since: 'set' },
    ]);
    expect((await api.get(`/api/v1/sites/${SITE}/props`)).json).toEqual({ allowed: ['plan', 'author'] });
    // The other site is not theirs: it answers as one that does not exist.
    expect((await api.get(`/api/v1/sites/${OTHER_SITE}/goals`)).status).toBe(404);
  });

  it('a viewer reads the goals under Goals, without the form, the delete buttons or the allowed props', E2E, async () => {
    const { page, context } = await newPage();
    await signInUi(page, telmark.dashboardUrl, VIEWER);
    expect(await navItems(page)).toEqual(['nav-overview', 'nav-campaigns', 'nav-goals', 'nav-account']);
    await page.click($('nav-goals'));
    await page.waitForSelector(row('Signup'));
    expect(new URL(page.url()).hash).toBe(`#/goals/${SITE}`);
    // The goals the marketer left (test above), as the marketer sees them.
    expect(await rowNames(page)).toEqual(['Signup', 'Scroll 75% on /blog/**']);
    expect(await text(page, `${row('Signup')} ${$('goal-details')}`)()).toContain('revenue in EUR');
    expect(await text(page, `${row('Scroll 75% on /blog/**')} ${$('goal-since')}`)()).toMatch(/^Counting since \d{1,2} \w{3} \d{4}, \d{2}:\d{2}$/);
    expect(await text(page, $('goals-later-note'))()).toContain('added and deleted by an admin or a marketer');
    for (const control of ['goal-form', 'goal-delete', 'allowed-props', 'forbidden']) expect(await page.locator($(control)).count(), control).toBe(0);
    await page.screenshot({ path: '/tmp/telmark-goals-viewer.png', fullPage: true });

    // The server agrees: reading is statistics, changing is a site setting.
    const api = await apiAs(context);
    expect((await api.get(`/api/v1/sites/${SITE}/goals`)).status).toBe(200);
    expect((await api.post(`/api/v1/sites/${SITE}/goals`, { type: 'page', path: '/viewer' })).status).toBe(403);
    expect((await api.get(`/api/v1/sites/${SITE}/props`)).status).toBe(403);
  });
});
