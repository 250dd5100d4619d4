// Shared pieces of the end-to-end tests: a real Chromium, a real telmark (embedded chDB in a
// fresh DATA_DIR), and the user agent the browser pretends to have. Everything binds 127.0.0.1.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { startAll, type Running } from '../../scripts/start-all.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** At least 16 characters: the dashboard refuses shorter keys at start. */
export const STATS_KEY = 'e2e-stats-key-0123456789';

/**
 * Headless Chromium announces itself ("HeadlessChrome/…" in the User-Agent), and the collector
 * drops headless browsers as robots, exactly as it should in production. The tests play a person
 * on desktop Chrome, so contexts that fire the tracker use this ordinary user agent instead.
 */
export const DESKTOP_CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

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

/** A browser context that looks like a person's desktop Chrome (see DESKTOP_CHROME_UA). */
export function personContext(browser: Browser, userAgent = DESKTOP_CHROME_UA): Promise<BrowserContext> {
  return browser.newContext({ userAgent, locale: 'en-US', viewport: { width: 1280, height: 900 } });
}

export interface E2eTelmark extends Running {
  logs: string[];
  /** POSTs a Stats API v2 query with the test key. */
  query(body: Record<string, unknown>): Promise<{ status: number; json: any }>;
  /** stop(), then remove the data directory. */
  destroy(): Promise<void>;
}

/**
 * A whole telmark in this process on real time (the browser's clock and the server's agree).
 * Flushing is left to the test (flush()), so numbers are read only when the test says so.
 */
export async function startTelmark(env: Record<string, string> = {}): Promise<E2eTelmark> {
  const dataDir = mkdtempSync(join(tmpdir(), 'telmark-e2e-'));
  const logs: string[] = [];
  const running = await startAll(
    {
      DATA_DIR: dataDir,
      COLLECTOR_PORT: '0',
      DASHBOARD_PORT: '0',
      COLLECTOR_ADMIN_PORT: '0',
      COLLECTOR_HOST: '127.0.0.1',
      DASHBOARD_HOST: '127.0.0.1',
      SITES: 'example.test',
      STATS_API_KEYS: STATS_KEY,
      PRIVACY_MIN_VISITORS: '1',
      FLUSH_INTERVAL_MS: '3600000',
      ...env,
    },
    { log: (line) => logs.push(line) },
  );
  return Object.assign(running, {
    logs,
    async query(body: Record<string, unknown>) {
      const res = await fetch(`${running.dashboardUrl}/api/v2/query`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${STATS_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
    async destroy() {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
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
