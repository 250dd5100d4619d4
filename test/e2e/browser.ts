// Shared pieces of the end-to-end tests: a real Chromium, a real telmark (embedded chDB in a
// fresh DATA_DIR), and the user agent the browser pretends to have. Everything binds 127.0.0.1.
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
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
