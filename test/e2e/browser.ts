// Shared pieces of the end-to-end tests: a real Chromium, a real telmark (embedded chDB in a
// fresh DATA_DIR), and the user agent the browser pretends to have. Everything binds 127.0.0.1.
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { PASSWORD, totpCode } from '../helpers/accounts.ts';
import { CHROME_UA, loopbackEnv, startTelmarkWith, type StartedTelmark } from '../helpers/telmark.ts';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** At least 16 characters: the dashboard refuses shorter keys at start. */
export const STATS_KEY = 'e2e-stats-key-0123456789';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A browser context that looks like a person's desktop Chrome. Headless Chromium announces itself
 * in its User-Agent and the collector drops it as a robot, so contexts that fire the tracker use
 * CHROME_UA (an ordinary desktop Chrome) or another person's user agent instead.
 */
export function personContext(browser: Browser, userAgent = CHROME_UA): Promise<BrowserContext> {
  return browser.newContext({ userAgent, locale: 'en-US', viewport: { width: 1280, height: 900 } });
}

/** A telmark as startTelmark leaves it: query() with the e2e key, destroy() removes its data directory. */
export type E2eTelmark = StartedTelmark;

/**
 * A whole telmark in this process on real time (the browser's clock and the server's agree), with
 * the default abuse limits and hold. Flushing is left to the test (flush()), so numbers are read
 * only when the test says so.
 */
export function startTelmark(env: Record<string, string> = {}): Promise<E2eTelmark> {
  return startTelmarkWith(
    (dataDir) => ({
      ...loopbackEnv(dataDir),
      SITES: 'example.test',
      STATS_API_KEYS: STATS_KEY,
      PRIVACY_MIN_VISITORS: '1',
      FLUSH_INTERVAL_MS: '3600000',
      ...env,
    }),
    { tmpPrefix: 'telmark-e2e-' },
  );
}

/** One row of totals (last 7 days: a fresh data directory holds nothing older, and a run across midnight still adds up). */
export async function totals(telmark: E2eTelmark, siteId: string, metrics: string[]): Promise<number[]> {
  const { status, json } = await telmark.query({ site_id: siteId, metrics, date_range: '7d' });
  if (status !== 200) throw new Error(`query failed (${status}): ${JSON.stringify(json)}`);
  return json.results[0]?.metrics ?? metrics.map(() => 0);
}

/** A breakdown as { value: firstMetric }. */
export async function breakdown(telmark: E2eTelmark, siteId: string, dimension: string, metric = 'visitors'): Promise<Record<string, number>> {
  const { status, json } = await telmark.query({ site_id: siteId, metrics: [metric], date_range: '7d', dimensions: [dimension] });
  if (status !== 200) throw new Error(`query failed (${status}): ${JSON.stringify(json)}`);
  return Object.fromEntries((json.results as Array<{ metrics: number[]; dimensions: string[] }>).map((r) => [r.dimensions[0], r.metrics[0]]));
}

export interface UiSignIn {
  /** Set when this sign-in enrolled a second factor (read from the enrolment screen). */
  otpauthUri?: string;
  /** The recovery codes the enrolment screen showed. */
  recoveryCodes?: string[];
}

/**
 * Signs in through the dashboard's sign-in page as a person would: email and password, then the
 * code step when the server asks for one (`totpUri`: the code is computed for the next 30 s step,
 * since a code works once and enrolment may have used the current one, or `recoveryCode`), or the
 * enrolment screen when the role needs a second factor not set up yet (the code is computed from
 * the otpauth URI the page shows). Resolves once the signed-in header is there.
 */
export async function signInUi(
  page: Page,
  dashboardUrl: string,
  email: string,
  opts: { password?: string; totpUri?: string; recoveryCode?: string; hash?: string } = {},
): Promise<UiSignIn> {
  await page.goto(`${dashboardUrl}/${opts.hash ?? '#/'}`);
  await page.fill('[data-testid="signin-email"]', email);
  await page.fill('[data-testid="signin-password"]', opts.password ?? PASSWORD);
  await page.click('[data-testid="signin-submit"]');
  // Whichever comes first: the app, the code step, the enrolment screen or a refusal.
  const outcomes = { in: 'nav', totp: 'signin-totp', enrol: 'totp-enrol', error: 'signin-error' } as const;
  await page.locator(Object.values(outcomes).map((id) => `[data-testid="${id}"]`).join(', ')).first().waitFor();
  let next: keyof typeof outcomes = 'in';
  for (const [name, id] of Object.entries(outcomes) as Array<[keyof typeof outcomes, string]>)
    if ((await page.locator(`[data-testid="${id}"]`).count()) > 0) next = name;
  if (next === 'in') return {};
  if (next === 'error') throw new Error(`sign-in of ${email} refused: ${await page.locator('[data-testid="signin-error"]').innerText()}`);
  if (next === 'totp') {
    if (opts.recoveryCode) {
      await page.click('[data-testid="signin-use-recovery"]');
      await page.fill('[data-testid="signin-totp"]', opts.recoveryCode);
    } else {
      if (!opts.totpUri) throw new Error(`${email} needs a TOTP code and no otpauth URI was given`);
      await page.fill('[data-testid="signin-totp"]', totpCode(opts.totpUri, Date.now() + 30_000));
    }
    await page.click('[data-testid="signin-submit"]');
    await page.waitForSelector('[data-testid="nav"]');
    return {};
  }
  const otpauthUri = (await page.getAttribute('[data-testid="totp-enrol"]', 'data-otpauth-uri'))!;
  await page.fill('[data-testid="totp-confirm-code"]', totpCode(otpauthUri, Date.now()));
  await page.click('[data-testid="totp-confirm-submit"]');
  await page.waitForSelector('[data-testid="recovery-codes"]');
  const recoveryCodes = await page.locator('[data-testid="recovery-code"]').allInnerTexts();
  await page.click('[data-testid="recovery-saved"]');
  await page.waitForSelector('[data-testid="nav"]');
  return { otpauthUri, recoveryCodes };
}

/** The data-testids of the header's navigation links, in order (e.g. ['nav-overview', 'nav-account']). */
export function navItems(page: Page): Promise<string[]> {
  return page.locator('[data-testid="nav"] a').evaluateAll((links) => links.map((a) => a.getAttribute('data-testid') ?? ''));
}

/**
 * Reloads the page and waits for `selector`. If it never shows, the error carries what the page
 * did meanwhile (its URL, the start of its body, console lines, every response and failed
 * request), so a stall in CI says where it stalled. A reload has stalled past 20 s a few times
 * under the full suite on two cores and never alone; this is how we will learn why.
 */
export async function reloadUntil(page: Page, selector: string): Promise<void> {
  const seen: string[] = [];
  const t0 = Date.now();
  const note = (line: string) => seen.push(`+${Date.now() - t0} ms ${line}`);
  const onConsole = (m: { type(): string; text(): string }) => note(`console.${m.type()}: ${m.text()}`);
  const onResponse = (r: { status(): number; url(): string }) => note(`${r.status()} ${r.url()}`);
  const onFailed = (r: { url(): string; failure(): { errorText: string } | null }) => note(`FAILED ${r.url()} ${r.failure()?.errorText ?? ''}`);
  page.on('console', onConsole);
  page.on('response', onResponse);
  page.on('requestfailed', onFailed);
  try {
    await page.reload();
    await page.waitForSelector(selector);
  } catch (err) {
    const body = await page.content().catch(() => '(no content)');
    throw new Error(`${(err as Error).message}\nafter reload: ${page.url()}\n${seen.join('\n')}\nbody: ${body.slice(0, 2000)}`);
  } finally {
    page.off('console', onConsole);
    page.off('response', onResponse);
    page.off('requestfailed', onFailed);
  }
}
