import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAll, type Running } from '../../scripts/start-all.ts';

export const STATS_KEY = 'test-stats-key-0123456789';
export const SECURITY_KEY = 'test-security-key-0123456789';
export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export const NO_ABUSE_LIMITS: Record<string, string> = {
  ABUSE_LIMIT_EVENTS_10S: '0',
  ABUSE_LIMIT_EVENTS_1M: '0',
  ABUSE_LIMIT_EVENTS_10M: '0',
  ABUSE_LIMIT_INVALID_1M: '0',
  ABUSE_LIMIT_SITES_1M: '0',
  ABUSE_LIMIT_BOT_1M: '0',
};

/**
 * Settings for a test instance: fresh DATA_DIR, random ports on loopback, one site, the test key,
 * loopback trusted as a proxy (so tests can send many client IPs via X-Forwarded-For), and no
 * timed flush (tests flush when they want to look).
 */
export function testEnv(dataDir: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    COLLECTOR_PORT: '0',
    DASHBOARD_PORT: '0',
    COLLECTOR_ADMIN_PORT: '0',
    COLLECTOR_HOST: '127.0.0.1',
    DASHBOARD_HOST: '127.0.0.1',
    SITES: 'example.com',
    STATS_API_KEYS: STATS_KEY,
    SECURITY_API_KEYS: SECURITY_KEY,
    PRIVACY_MIN_VISITORS: '1',
    TRUSTED_PROXIES: '127.0.0.1/32,::1',
    FLUSH_INTERVAL_MS: '3600000',
    // The abuse buffer records, but flags nobody and holds nothing: most tests send everything
    // from one address. The abuse tests set the limits and the hold they test.
    ABUSE_HOLD_MS: '0',
    ...NO_ABUSE_LIMITS,
    ...overrides,
  };
}

/** A controllable clock, so visits, buckets and date ranges are deterministic. */
export class TestClock {
  constructor(public ms: number) {}
  now = () => this.ms;
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface TestTelmark extends Running {
  dataDir: string;
  logs: string[];
  clock: TestClock;
  /** POSTs a beacon to the collector. */
  beacon(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /**
   * A request to the collector's admin listener (path from the root, e.g. /admin/abuse/summary),
   * with the test security key unless `key` says otherwise (null: no Authorization header).
   */
  admin(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  /** POSTs a Stats API query with the test key; returns status and JSON. */
  query(body: Record<string, unknown>): Promise<{ status: number; json: any }>;
  /** stop() and remove the data directory. */
  destroy(): Promise<void>;
}

/**
 * A real telmark (embedded chDB in a fresh temporary DATA_DIR, real HTTP on 127.0.0.1, random
 * ports), with every log line captured. The socket peer is 127.0.0.1, so tests that need many
 * client IPs trust loopback as a proxy and send X-Forwarded-For.
 */
export async function startTestTelmark(env: Record<string, string> = {}, clockStart = Date.UTC(2026, 10, 20, 10, 0, 0)): Promise<TestTelmark> {
  const dataDir = mkdtempSync(join(tmpdir(), 'telmark-test-'));
  const logs: string[] = [];
  const clock = new TestClock(clockStart);
  const running = await startAll(
    testEnv(dataDir, env),
    { log: (l) => logs.push(l), now: clock.now },
  );
  return Object.assign(running, {
    dataDir,
    logs,
    clock,
    beacon: (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${running.collectorUrl}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': CHROME_UA, ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    admin: (path: string, init: RequestInit & { key?: string | null } = {}) => {
      const { key = SECURITY_KEY, headers, ...rest } = init;
      return fetch(`${running.adminUrl}${path}`, {
        ...rest,
        headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(headers as Record<string, string> | undefined) },
      });
    },
    query: async (body: Record<string, unknown>) => {
      const res = await fetch(`${running.dashboardUrl}/api/v2/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${STATS_KEY}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
    destroy: async () => {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** Pageview body in Plausible's short form. */
export function pageview(url: string, referrer?: string, domain = 'example.com') {
  return { n: 'pageview', u: url, d: domain, r: referrer ?? null };
}
