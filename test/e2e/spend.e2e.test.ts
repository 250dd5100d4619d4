// Ad spend on the Campaigns view, in a real Chromium against a real telmark. Four people arrive
// (beacons through the collector, one user agent each, so four visitor keys): two from the
// campaign spring, one from summer, one with no campaign; some sign up (Signup, €10 each, a goal
// with the currency EUR). A marketer signs in, chooses examples/ad-spend.csv in the Campaigns
// view's file input (its two days moved to yesterday and today in the site's time zone, so the
// last 7 days hold them; everything else as in the file, "Spring " included), sees the dry run's
// preview, imports, and the table shows each campaign's exact spend, CPA, cost per visitor and
// ROAS (worked out here from the file), a totals row, a campaign that spent without a visit
// (winter), the rows past a ROAS floor or CPA ceiling highlighted (kept across a reload), and a
// chart of spend against revenue, and ROAS over time per day (the canvas's points checked against
// the Stats API's roas for the same query, all campaigns and one). A file with a bad date is refused with the server's words.
// Last, the funnel Signup → Purchase (made before the visits) step by step, for all visitors and
// per campaign.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createUser, signIn, type CookieClient } from '../helpers/accounts.ts';
import { CHROME_UA, postBeacon } from '../helpers/telmark.ts';
import { launchChromium, personContext, signInUi, startTelmark, type E2eTelmark } from './browser.ts';

const SITE = 'example.test';
const MARKETER = 'spend.marketer@example.test';
const VIEWER = 'spend.viewer@example.test';
const E2E = { timeout: 90_000 };
const POLL = { timeout: 20_000 };
const EXAMPLE = readFileSync(new URL('../../examples/ad-spend.csv', import.meta.url), 'utf8');

const UA = {
  windowsChrome: CHROME_UA,
  macSafari: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  linuxFirefox: 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  macChrome: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36',
};
const SPRING = '?utm_source=google&utm_medium=cpc&utm_campaign=spring';
const SUMMER = '?utm_source=newsletter&utm_medium=email&utm_campaign=summer';
const SIGNUP_EUR = 10;
/**
 * [user agent, landing query, Signups, Purchases after them]: spring 2 visitors, 1 Signup, then a
 * Purchase; summer 1 visitor, 2 Signups, no Purchase; no campaign 1 visitor, 1 Signup, a Purchase.
 */
const PEOPLE: Array<[string, string, number, number]> = [
  [UA.windowsChrome, SPRING, 1, 1],
  [UA.macSafari, SPRING, 0, 0],
  [UA.linuxFirefox, SUMMER, 2, 0],
  [UA.macChrome, '', 1, 1],
];

let telmark: E2eTelmark;
let browser: Browser;
let marketerApi: CookieClient;
/** The example file with its days moved into the last 7 days. */
let csv: string;
const contexts: BrowserContext[] = [];

const $ = (testid: string) => `[data-testid="${testid}"]`;
const text = (page: Page, selector: string) => () => page.locator(selector).innerText();
const campaignRows = (page: Page) => () =>
  page.locator($('campaign-row')).evaluateAll((rows) =>
    rows.map((r) => [r.getAttribute('data-value'), ...[...r.querySelectorAll('td[data-metric]')].map((td) => (td as HTMLElement).innerText)]),
  );
const totalsRow = (page: Page) => () =>
  page.locator(`${$('campaigns-totals')} td[data-metric]`).evaluateAll((tds) => tds.map((td) => (td as HTMLElement).innerText));
const pastRows = (page: Page) => () => page.locator(`${$('campaign-row')}[data-past="true"]`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-value')).sort());

/** A day (YYYY-MM-DD) in a time zone, `daysBack` before now. */
const dayIn = (timeZone: string, daysBack: number) =>
  new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(Date.now() - daysBack * 86_400_000));

/** Money as the dashboard writes it. */
const eur = (n: number) => `€${n.toFixed(2)}`;

/** The example's rows, to work the expected figures out from the file itself. */
function spendByCampaign(file: string): Map<string, number> {
  const [header, ...lines] = file.trim().split('\n');
  const cols = header!.split(',');
  const out = new Map<string, number>();
  for (const line of lines) {
    const cells = line.split(',');
    const campaign = cells[cols.indexOf('utm_campaign')]!.trim().toLowerCase(); // matched case-insensitively, trimmed
    out.set(campaign, (out.get(campaign) ?? 0) + Number(cells[cols.indexOf('spend')]));
  }
  return out;
}

async function person(userAgent: string, query: string, signups: number, purchases: number): Promise<void> {
  const url = `https://${SITE}/${query}`;
  const headers = { 'content-type': 'text/plain', 'user-agent': userAgent, 'accept-language': 'en-US' };
  const res = await postBeacon(telmark.collectorUrl, { n: 'pageview', u: url, d: SITE, r: null }, headers);
  expect(res.status).toBe(202);
  for (let i = 0; i < signups; i++) {
    const signup = await postBeacon(telmark.collectorUrl, { n: 'Signup', u: url, d: SITE, r: null, $: { amount: SIGNUP_EUR, currency: 'EUR' } }, headers);
    expect(signup.status).toBe(202);
  }
  for (let i = 0; i < purchases; i++) {
    const purchase = await postBeacon(telmark.collectorUrl, { n: 'Purchase', u: url, d: SITE, r: null }, headers);
    expect(purchase.status).toBe(202);
  }
}

beforeAll(async () => {
  telmark = await startTelmark({ SITES: SITE, PRIVACY_MIN_VISITORS: '1' });
  await createUser(telmark, MARKETER, ['marketer']);
  await createUser(telmark, VIEWER, ['viewer']);
  marketerApi = (await signIn(telmark, MARKETER)).client;
  const signup = await marketerApi.post(`/api/v1/sites/${SITE}/goals`, { type: 'event', event_name: 'Signup', currency: 'EUR' });
  expect(signup.status, JSON.stringify(signup.json)).toBe(201);
  const purchase = await marketerApi.post(`/api/v1/sites/${SITE}/goals`, { type: 'event', event_name: 'Purchase' });
  expect(purchase.status).toBe(201);
  const funnel = await marketerApi.post(`/api/v1/sites/${SITE}/funnels`, { name: 'Signup to purchase', steps: [signup.json.goal.id, purchase.json.goal.id] });
  expect(funnel.status).toBe(201);
  const timeZone: string = (await marketerApi.get('/api/sites')).json.sites.find((s: { domain: string }) => s.domain === SITE).timezone;
  csv = EXAMPLE.replaceAll('2026-11-19', dayIn(timeZone, 1)).replaceAll('2026-11-20', dayIn(timeZone, 0));
  for (const [ua, query, signups, purchases] of PEOPLE) await person(ua, query, signups, purchases);
  await telmark.flush();
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await telmark?.destroy();
}, 60_000);

async function signedIn(email: string): Promise<Page> {
  const context = await personContext(browser);
  context.setDefaultTimeout(45_000);
  contexts.push(context);
  const page = await context.newPage();
  await signInUi(page, telmark.dashboardUrl, email, { hash: '#/campaigns' });
  return page;
}

describe('ad spend on the Campaigns view', () => {
  let page: Page;
  const spend = spendByCampaign(EXAMPLE);
  const total = [...spend.values()].reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    page = await signedIn(MARKETER);
    await page.waitForSelector($('campaigns-table'));
  }, 60_000);

  it('the file is what the figures below are worked out from', () => {
    expect(Object.fromEntries([...spend].map(([k, v]) => [k, v.toFixed(2)]))).toEqual({ winter: '13.34', spring: '20.00', summer: '5.50' });
    expect(total.toFixed(2)).toBe('38.84');
  });

  it('without spend the table has no spend columns; a viewer gets no import', E2E, async () => {
    await expect.poll(campaignRows(page), POLL).toHaveLength(3);
    expect((await page.locator(`${$('campaigns-table')} thead th`).allInnerTexts()).map((h) => h.replace(/[↑↓]/g, ''))).toEqual([
      'CAMPAIGN', 'VISITORS', 'CONVERTING', 'CONVERSIONS', 'CR', 'REVENUE', 'AVERAGE',
    ]);
    expect(await page.locator($('spend-import')).count()).toBe(1);
    const viewer = await signedIn(VIEWER);
    await viewer.waitForSelector($('campaigns-table'));
    expect(await viewer.locator($('spend-import')).count()).toBe(0);
    expect(await viewer.locator($('spend-file')).count()).toBe(0);
  });

  it('a file with a bad date is refused with the line and field the server names, and nothing is stored', E2E, async () => {
    const bad = csv.replace(/\n([^\n]*\n)([^,\n]+)/, (_m, first: string) => `\n${first}2026-11-31`);
    await page.setInputFiles($('spend-file'), { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    await expect.poll(text(page, $('spend-error')), POLL).toBe('line 3, date: "2026-11-31" is not a date in the form YYYY-MM-DD');
    expect(await page.locator($('spend-preview')).count()).toBe(0);
    const stored = await marketerApi.get(`/api/v1/sites/${SITE}/ad-spend?from=2000-01-01&to=2100-01-01`);
    expect(stored.status).toBe(200);
    expect(JSON.stringify(stored.json)).not.toMatch(/winter/);
  });

  it('choosing the example file previews it (a dry run); Import stores it and the table shows spend, CPA, cost per visitor and ROAS', E2E, async () => {
    await page.setInputFiles($('spend-file'), { name: 'ad-spend.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect.poll(text(page, $('spend-preview-summary')), POLL).toBe('4 rows, 2 days, 3 campaigns, €38.84; 4 new, 0 replacing');
    expect(await page.locator($('spend-error')).count()).toBe(0);
    // A dry run stored nothing: the table still has no spend.
    expect(await page.locator(`${$('campaigns-table')} [data-metric="spend"]`).count()).toBe(0);
    await page.click($('spend-import-confirm'));
    await expect.poll(text(page, $('spend-imported')), POLL).toBe('Imported: 4 rows, 2 days, 3 campaigns, €38.84; 4 new, 0 replaced.');
    expect(await page.locator($('spend-preview')).count()).toBe(0);

    // [campaign, visitors, converting, conversions, CR, revenue, average, spend, CPA, cost per visitor, ROAS],
    // by conversions (ties by name). CPA = spend / conversions; cost per visitor = spend / visitors; ROAS = revenue / spend.
    const s = (c: string) => spend.get(c)!;
    const SUMMER_ROW = ['summer', '1', '1', '2', '100%', eur(20), eur(10), eur(s('summer')), eur(s('summer') / 2), eur(s('summer') / 1), `${(20 / s('summer')).toFixed(2)}×`];
    const NONE_ROW = ['', '1', '1', '1', '100%', eur(10), eur(10), '–', '–', '–', '–'];
    const SPRING_ROW = ['spring', '2', '1', '1', '50%', eur(10), eur(10), eur(s('spring')), eur(s('spring') / 1), eur(s('spring') / 2), `${(10 / s('spring')).toFixed(2)}×`];
    // winter spent without a single visit: no visitors, nothing to divide by.
    const WINTER_ROW = ['winter', '0', '0', '0', '–', eur(0), '–', eur(s('winter')), '–', '–', '–'];
    expect(SUMMER_ROW.slice(7)).toEqual(['€5.50', '€2.75', '€5.50', '3.64×']);
    expect(SPRING_ROW.slice(7)).toEqual(['€20.00', '€20.00', '€10.00', '0.50×']);
    await expect.poll(campaignRows(page), POLL).toEqual([SUMMER_ROW, NONE_ROW, SPRING_ROW, WINTER_ROW]);
    expect((await page.locator(`${$('campaigns-table')} thead th`).allInnerTexts()).map((h) => h.replace(/[↑↓]/g, ''))).toEqual([
      'CAMPAIGN', 'VISITORS', 'CONVERTING', 'CONVERSIONS', 'CR', 'REVENUE', 'AVERAGE', 'SPEND', 'CPA', 'COST/VISITOR', 'ROAS',
    ]);
    // Totals: 4 visitors, 3 converting, 4 conversions, €40.00 revenue against €38.84 spend.
    expect(await totalsRow(page)()).toEqual(['4', '3', '4', '75%', eur(40), '', eur(total), eur(total / 4), eur(total / 4), `${(40 / total).toFixed(2)}×`]);
    expect(await totalsRow(page)()).toEqual(['4', '3', '4', '75%', '€40.00', '', '€38.84', '€9.71', '€9.71', '1.03×']);

    // Sorting by spend: largest first.
    await page.click($('sort-spend'));
    await expect.poll(async () => (await campaignRows(page)()).map((r) => r[0]), POLL).toEqual(['spring', 'winter', 'summer', '']);

    // The second chart: spend and revenue side by side, for the campaigns with either.
    const groups = () =>
      page.locator(`${$('campaigns-spend-chart')} ~ table tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    await expect.poll(groups, POLL).toEqual([
      ['spring', '€20.00', '€10.00'],
      ['winter', '€13.34', '€0.00'],
      ['summer', '€5.50', '€20.00'],
      ['(none)', '€0.00', '€10.00'],
    ]);
    expect(await page.locator(`${$('campaigns-spend-chart')} canvas`).count()).toBe(1);
    await page.screenshot({ path: '/tmp/telmark-spend-campaigns.png', fullPage: true });
  });

  it('the Stats API agrees with the screen', E2E, async () => {
    const { status, json } = await telmark.query({
      site_id: SITE,
      metrics: ['visitors', 'spend', 'cpa', 'roas'],
      date_range: '7d',
      dimensions: ['visit:utm_campaign'],
      filters: [['is', 'event:goal', ['Signup']]],
    });
    expect(status).toBe(200);
    const byCampaign = Object.fromEntries(
      (json.results as Array<{ dimensions: string[]; metrics: Array<{ long: string } | number | null> }>).map((r) => [
        r.dimensions[0]!.toLowerCase(),
        r.metrics.slice(1).map((m) => (m !== null && typeof m === 'object' ? m.long : m)),
      ]),
    );
    expect(byCampaign['spring']).toEqual(['€20.00', '€20.00', 0.5]);
    expect(byCampaign['summer']).toEqual(['€5.50', '€2.75', 3.64]);
    expect(byCampaign['winter']?.[0]).toBe('€13.34');
  });

  it('ROAS over time: a line per day whose points are the Stats API roas of the same query, with gaps where nothing was spent', E2E, async () => {
    type Point = [day: string, roas: number | null];
    const canvas = `${$('roas-chart')} canvas`;
    const points = async (): Promise<Point[] | null> => JSON.parse((await page.getAttribute(canvas, 'data-points')) ?? 'null');
    /** The chart's own query, straight to the Stats API: day -> roas. */
    const apiRoas = async (campaign?: string): Promise<Record<string, number | null>> => {
      const { status, json } = await telmark.query({
        site_id: SITE,
        date_range: '7d',
        metrics: ['spend', 'total_revenue', 'roas'],
        dimensions: ['time:day'],
        filters: [['is', 'event:goal', ['Signup']], ...(campaign ? [['is', 'visit:utm_campaign', [campaign]]] : [])],
      });
      expect(status, JSON.stringify(json)).toBe(200);
      return Object.fromEntries((json.results as Array<{ dimensions: string[]; metrics: Array<unknown> }>).map((r) => [r.dimensions[0]!.slice(0, 10), r.metrics[2] as number | null]));
    };
    /** Every bucket of the chart carries the API's roas for that day (null, a gap, where the API has none). */
    const agree = (chart: Point[], api: Record<string, number | null>) => {
      expect(chart).toEqual(chart.map(([day]) => [day, api[day] ?? null]));
      expect(Object.keys(api).filter((day) => !chart.some(([d]) => d === day))).toEqual([]);
    };
    const timeZone: string = (await marketerApi.get('/api/sites')).json.sites.find((s: { domain: string }) => s.domain === SITE).timezone;
    const today = dayIn(timeZone, 0);

    await page.locator($('roas-panel')).scrollIntoViewIfNeeded();
    expect(await page.locator(canvas).count()).toBe(1);
    expect(await text(page, $('roas-caption'))()).toMatch(/^ROAS = revenue ÷ spend/);
    await expect.poll(points, POLL).not.toBeNull();
    expect(await page.getAttribute(canvas, 'data-bucket')).toBe('time:day');
    const all = (await points())!;
    // The 7 days of the range, in order, ending today; the spend-less days are gaps.
    expect(all.length).toBeGreaterThanOrEqual(7);
    expect(all.at(-1)![0]).toBe(today);
    expect(all.map(([d]) => d)).toEqual(all.map(([d]) => d).sort());
    expect(all.filter(([, r]) => r === null).length).toBeGreaterThanOrEqual(5);
    const api = await apiRoas();
    agree(all, api);
    // Today: €40.00 of Signups against €20.00 + €5.50 + €12.34 of spend.
    expect(api[today]).toBe(Number((40 / (total - 1)).toFixed(2)));
    expect(all.at(-1)).toEqual([today, 1.06]);

    // One campaign: summer's €20.00 against its €5.50, the same query with the campaign filter.
    expect(await page.locator(`${$('roas-campaign')} option`).allInnerTexts()).toEqual(['All campaigns', 'spring', 'summer', 'winter']);
    await page.selectOption($('roas-campaign'), 'summer');
    await expect.poll(async () => (await points())?.at(-1), POLL).toEqual([today, 3.64]);
    agree((await points())!, await apiRoas('summer'));
    await page.selectOption($('roas-campaign'), { label: 'All campaigns' });
    await expect.poll(points, POLL).toEqual(all);
    await page.screenshot({ path: '/tmp/telmark-spend-roas.png', fullPage: true });
  });

  it('rows past the ROAS floor or the CPA ceiling are highlighted, and the limits stay after a reload', E2E, async () => {
    await page.fill($('limit-roas'), '1');
    // spring returned 0.50, winter nothing on €13.34.
    await expect.poll(pastRows(page), POLL).toEqual(['spring', 'winter']);
    await page.fill($('limit-roas'), '0.4');
    await expect.poll(pastRows(page), POLL).toEqual(['winter']);
    await page.fill($('limit-roas'), '');
    await page.fill($('limit-cpa'), '3');
    // spring cost €20.00 a conversion, winter spent without one; summer's €2.75 is under.
    await expect.poll(pastRows(page), POLL).toEqual(['spring', 'winter']);
    await page.fill($('limit-roas'), '3.7');
    await expect.poll(pastRows(page), POLL).toEqual(['spring', 'summer', 'winter']);
    expect(await page.getAttribute(`${$('campaign-row')}[data-value="summer"]`, 'title')).toBe('ROAS under 3.7');

    await page.reload();
    await page.waitForSelector($('campaigns-table'));
    await expect.poll(() => page.inputValue($('limit-roas')), POLL).toBe('3.7');
    expect(await page.inputValue($('limit-cpa'))).toBe('3');
    await expect.poll(pastRows(page), POLL).toEqual(['spring', 'summer', 'winter']);
    await page.screenshot({ path: '/tmp/telmark-spend-limits.png', fullPage: true });
  });

  it('the funnel, step by step: all visitors, then those of one campaign', E2E, async () => {
    const steps = () =>
      page.locator($('funnel-step')).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => (td as HTMLElement).innerText)));
    await page.locator($('funnel-panel')).scrollIntoViewIfNeeded();
    expect(await page.locator(`${$('funnel-picker')} option`).allInnerTexts()).toEqual(['Signup to purchase']);
    expect(await page.locator(`${$('funnel-campaign')} option`).allInnerTexts()).toEqual(['All campaigns', 'spring', 'summer', 'winter']);
    // Signup: 3 visitors; Purchase after it: 2 (spring's and the one without a campaign).
    await expect.poll(steps, POLL).toEqual([
      ['1. Signup', '3', '0', '100%', '100%'],
      ['2. Purchase', '2', '1', '66.7%', '66.7%'],
    ]);
    const bars = () => page.locator(`${$('funnel-chart')} + table tbody tr`).evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(await bars()).toEqual([['1. Signup', '3'], ['2. Purchase', '2']]);
    expect(await page.locator(`${$('funnel-chart')} canvas`).count()).toBe(1);
    await page.selectOption($('funnel-campaign'), 'summer');
    await expect.poll(steps, POLL).toEqual([
      ['1. Signup', '1', '0', '100%', '100%'],
      ['2. Purchase', '0', '1', '0%', '0%'],
    ]);
    await page.selectOption($('funnel-campaign'), 'spring');
    await expect.poll(steps, POLL).toEqual([
      ['1. Signup', '1', '0', '100%', '100%'],
      ['2. Purchase', '1', '0', '100%', '100%'],
    ]);
    await page.screenshot({ path: '/tmp/telmark-spend-funnel.png', fullPage: true });
  });

  it('choosing the same file again previews replacing; Cancel stores nothing more', E2E, async () => {
    await page.setInputFiles($('spend-file'), { name: 'ad-spend.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await expect.poll(text(page, $('spend-preview-summary')), POLL).toBe('4 rows, 2 days, 3 campaigns, €38.84; 0 new, 4 replacing');
    await page.click($('spend-import-cancel'));
    await expect.poll(() => page.locator($('spend-preview')).count(), POLL).toBe(0);
    expect(await page.inputValue($('spend-file'))).toBe('');
    const stored = await marketerApi.get(`/api/v1/sites/${SITE}/ad-spend?from=2000-01-01&to=2100-01-01`);
    expect(stored.status).toBe(200);
  });

  it('per source and campaign: the same campaign on two sources is two rows, each with its own spend', E2E, async () => {
    // spring also ran on Facebook today (€7.00), without a visit from there.
    const timeZone: string = (await marketerApi.get('/api/sites')).json.sites.find((s: { domain: string }) => s.domain === SITE).timezone;
    const more = await marketerApi.post(`/api/v1/sites/${SITE}/ad-spend`, { rows: [{ date: dayIn(timeZone, 0), utm_source: 'facebook', utm_campaign: 'spring', spend: '7.00', currency: 'EUR' }] });
    expect(more.status, JSON.stringify(more.json)).toBe(200);
    const rows = () =>
      page.locator($('campaign-row')).evaluateAll((trs) =>
        trs.map((r) => [r.getAttribute('data-value'), r.getAttribute('data-source'), ...[...r.querySelectorAll('td[data-metric]')].map((td) => (td as HTMLElement).innerText)]),
      );
    await page.click($('campaigns-per-source'));
    // [campaign, source, visitors, converting, conversions, CR, revenue, average, spend, CPA, cost per visitor, ROAS], by conversions.
    await expect.poll(rows, POLL).toEqual([
      ['summer', 'newsletter', '1', '1', '2', '100%', eur(20), eur(10), '€5.50', '€2.75', '€5.50', '3.64×'],
      ['', '', '1', '1', '1', '100%', eur(10), eur(10), '–', '–', '–', '–'],
      ['spring', 'google', '2', '1', '1', '50%', eur(10), eur(10), '€20.00', '€20.00', '€10.00', '0.50×'],
      ['spring', 'facebook', '0', '0', '0', '–', eur(0), '–', '€7.00', '–', '–', '–'],
      ['winter', 'facebook', '0', '0', '0', '–', eur(0), '–', '€13.34', '–', '–', '–'],
    ]);
    expect((await page.locator(`${$('campaigns-table')} thead th`).allInnerTexts()).map((h) => h.replace(/[↑↓]/g, ''))).toEqual([
      'CAMPAIGN', 'SOURCE', 'VISITORS', 'CONVERTING', 'CONVERSIONS', 'CR', 'REVENUE', 'AVERAGE', 'SPEND', 'CPA', 'COST/VISITOR', 'ROAS',
    ]);
    expect(await page.locator($('campaign-source')).allInnerTexts()).toEqual(['newsletter', '(not set)', 'google', 'facebook', 'facebook']);
    // Totals: the same people, €45.84 of spend now.
    expect(await totalsRow(page)()).toEqual(['4', '3', '4', '75%', '€40.00', '', '€45.84', '€11.46', '€11.46', '0.87×']);
    // The chart names each bar "source · campaign".
    const groups = () =>
      page.locator(`${$('campaigns-spend-chart')} ~ table tbody tr`).evaluateAll((trs) => trs.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    await expect.poll(groups, POLL).toEqual([
      ['google · spring', '€20.00', '€10.00'],
      ['facebook · winter', '€13.34', '€0.00'],
      ['facebook · spring', '€7.00', '€0.00'],
      ['newsletter · summer', '€5.50', '€20.00'],
      ['(not set) · (none)', '€0.00', '€10.00'],
    ]);
    await page.screenshot({ path: '/tmp/telmark-spend-by-source.png', fullPage: true });
    // Back per campaign: spring's two sources add up (€27.00 over one conversion).
    await page.click($('campaigns-per-campaign'));
    await expect.poll(async () => (await campaignRows(page)()).find((r) => r[0] === 'spring')?.slice(7), POLL).toEqual(['€27.00', '€27.00', '€13.50', '0.37×']);
  });
});
