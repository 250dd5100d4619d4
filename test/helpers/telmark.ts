import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../schema/client.ts';
import type { Env } from '../../schema/env.ts';
import { startAll, type Running, type StartOptions } from '../../scripts/start-all.ts';

export const STATS_KEY = 'test-stats-key-0123456789';
export const SECURITY_KEY = 'test-security-key-0123456789';

/**
 * An ordinary desktop Chrome. Headless Chromium announces itself ("HeadlessChrome/…" in the
 * User-Agent), and the collector drops headless browsers as robots, exactly as it should in
 * production; tests that play a person on desktop Chrome send this user agent instead.
 */
export const CHROME_UA =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** The instant test clocks start at: 2026-11-20 10:00:00 UTC. */
export const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);

const NO_ABUSE_LIMITS: Record<string, string> = {
  ABUSE_LIMIT_EVENTS_10S: '0',
  ABUSE_LIMIT_EVENTS_1M: '0',
  ABUSE_LIMIT_EVENTS_10M: '0',
  ABUSE_LIMIT_INVALID_1M: '0',
  ABUSE_LIMIT_SITES_1M: '0',
  ABUSE_LIMIT_BOT_1M: '0',
};

export interface TempDir {
  path: string;
  /** Removes the directory and everything in it (no error when it is already gone). */
  remove(): void;
}

/** A fresh directory under the system's temporary directory, named `${prefix}XXXXXX`. */
export function tempDir(prefix: string): TempDir {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** DATA_DIR, and every listener on a random port on 127.0.0.1. */
export function loopbackEnv(dataDir: string): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    COLLECTOR_PORT: '0',
    DASHBOARD_PORT: '0',
    COLLECTOR_ADMIN_PORT: '0',
    COLLECTOR_HOST: '127.0.0.1',
    DASHBOARD_HOST: '127.0.0.1',
  };
}

/**
 * Settings for a test instance: fresh DATA_DIR, random ports on loopback, one site, the test key,
 * loopback trusted as a proxy (so tests can send many client IPs via X-Forwarded-For), and no
 * timed flush (tests flush when they want to look).
 */
export function testEnv(dataDir: string, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    ...loopbackEnv(dataDir),
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

/** POSTs a beacon to a collector's /api/event: JSON from desktop Chrome unless `headers` (lower-case names) say otherwise. */
export function postBeacon(collectorUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${collectorUrl}/api/event`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': CHROME_UA, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

type KeyedInit = RequestInit & { key?: string | null };

/** fetch() with `Authorization: Bearer <key>`: `defaultKey` unless init.key says otherwise (null: no Authorization header). */
function fetchWithKey(url: string, defaultKey: string, init: KeyedInit): Promise<Response> {
  const { key = defaultKey, headers, ...rest } = init;
  return fetch(url, {
    ...rest,
    headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(headers as Record<string, string> | undefined) },
  });
}

/**
 * A request to a collector's admin listener (path from the root, e.g. /admin/abuse/summary), with
 * the instance's security key unless `key` says otherwise (null: no Authorization header).
 */
export function adminFetch(running: Pick<Running, 'adminUrl' | 'securityApiKey'>, path: string, init: KeyedInit = {}): Promise<Response> {
  return fetchWithKey(`${running.adminUrl}${path}`, running.securityApiKey, init);
}

/** The same for the dashboard's security API (path under /api/security, e.g. /abuse/summary). */
export function securityFetch(running: Pick<Running, 'dashboardUrl' | 'securityApiKey'>, path: string, init: KeyedInit = {}): Promise<Response> {
  return fetchWithKey(`${running.dashboardUrl}/api/security${path}`, running.securityApiKey, init);
}

/** A data-subject request to a collector's /api/privacy/me from `ip` (sent as X-Forwarded-For: loopback is a trusted proxy). */
export function privacyMe(collectorUrl: string, ip: string, method = 'GET', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${collectorUrl}/api/privacy/me`, { method, headers: { 'x-forwarded-for': ip, ...headers } });
}

/** The value of one line of a collector's /metrics (name with labels, e.g. `x_total{reason="bot"}`); 0 when absent. */
export async function readMetric(collectorUrl: string, line: string): Promise<number> {
  const text = await (await fetch(`${collectorUrl}/metrics`)).text();
  const found = text.split('\n').find((l) => l.startsWith(line + ' '));
  return found ? Number(found.split(' ').pop()) : 0;
}

export interface StartedTelmark extends Running {
  dataDir: string;
  logs: string[];
  /** POSTs a Stats API v2 query with the instance's stats key; returns status and JSON. */
  query(body: Record<string, unknown>): Promise<{ status: number; json: any }>;
  /** stop(), then remove the data directory. */
  destroy(): Promise<void>;
}

/**
 * A whole telmark in this process (storage, collector, dashboard) in a fresh temporary DATA_DIR,
 * with every log line captured. `env` builds the settings from that directory.
 */
export async function startTelmarkWith(
  env: (dataDir: string) => Env,
  opts: { tmpPrefix: string; now?: () => number; storeFor?: StartOptions['storeFor']; wrapStore?: StartOptions['wrapStore'] },
): Promise<StartedTelmark> {
  const dir = tempDir(opts.tmpPrefix);
  const logs: string[] = [];
  let running: Running;
  try {
    running = await startAll(env(dir.path), { log: (line) => logs.push(line), now: opts.now, storeFor: opts.storeFor, wrapStore: opts.wrapStore });
  } catch (err) {
    dir.remove();
    throw err;
  }
  return Object.assign(running, {
    dataDir: dir.path,
    logs,
    query: async (body: Record<string, unknown>) => {
      const res = await fetch(`${running.dashboardUrl}/api/v2/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${running.statsApiKey}` },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: await res.json() };
    },
    destroy: async () => {
      await running.stop();
      dir.remove();
    },
  });
}

export interface TestTelmark extends StartedTelmark {
  clock: TestClock;
  /** POSTs a beacon to the collector (see postBeacon). */
  beacon(body: unknown, headers?: Record<string, string>): Promise<Response>;
  /**
   * A request to the collector's admin listener (path from the root, e.g. /admin/abuse/summary),
   * with the test security key unless `key` says otherwise (null: no Authorization header).
   */
  admin(path: string, init?: KeyedInit): Promise<Response>;
  /** One line of the collector's /metrics (see readMetric). */
  metric(line: string): Promise<number>;
}

/**
 * A real telmark (embedded chDB in a fresh temporary DATA_DIR, real HTTP on 127.0.0.1, random
 * ports) on a test clock, with every log line captured. The socket peer is 127.0.0.1, so tests
 * that need many client IPs trust loopback as a proxy and send X-Forwarded-For.
 */
export async function startTestTelmark(env: Record<string, string> = {}, clockStart = T0, start: Pick<StartOptions, 'storeFor' | 'wrapStore'> = {}): Promise<TestTelmark> {
  const clock = new TestClock(clockStart);
  const t = await startTelmarkWith((dataDir) => testEnv(dataDir, env), { tmpPrefix: 'telmark-test-', now: clock.now, storeFor: start.storeFor, wrapStore: start.wrapStore });
  return Object.assign(t, {
    clock,
    beacon: (body: unknown, headers: Record<string, string> = {}) => postBeacon(t.collectorUrl, body, headers),
    admin: (path: string, init: KeyedInit = {}) => adminFetch(t, path, init),
    metric: (line: string) => readMetric(t.collectorUrl, line),
  });
}

/** Pageview body in Plausible's short form. */
export function pageview(url: string, referrer?: string, domain = 'example.com') {
  return { n: 'pageview', u: url, d: domain, r: referrer ?? null };
}

/** `n` pageviews from `ip` (one after another, bodies discarded); their statuses. */
export async function beaconsFrom(t: Pick<TestTelmark, 'beacon'>, ip: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await t.beacon(pageview(`https://example.com/p${i}`), { 'x-forwarded-for': ip });
    statuses.push(res.status);
    await res.body?.cancel();
  }
  return statuses;
}

export type AuditRow = { via: string; key_id: string; user_id: string; subject_id: string; action: string; ip_truncated: string; ip_hash: string; outcome: string; status: number; detail: string };

/** Every row of the audit log, oldest first. */
export async function auditRows(t: { store: Store }): Promise<AuditRow[]> {
  const res = await t.store.client.query({
    query: `SELECT via, key_id, user_id, subject_id, action, ip_truncated, ip_hash, outcome, status, detail FROM ${t.store.table('audit_log')} ORDER BY ts`,
    format: 'JSONEachRow',
  });
  return (await res.json<AuditRow>()).map((r) => ({ ...r, status: Number(r.status) }));
}

/** sum(pageviews) of a site in the hourly acquisition cube. */
export async function sumPageviews(store: Store, site: string): Promise<number> {
  const rs = await store.client.query({
    query: `SELECT sum(pageviews) AS n FROM ${store.table('acquisition_hour')} WHERE site = {s:String}`,
    query_params: { s: site },
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string }>())[0]!.n);
}

/** The column names of a table, and every row with each cell as text (toString), in column order. */
export async function cellsAsText(store: Store, db: string, table: string): Promise<{ columns: string[]; rows: string[][] }> {
  const columns = (
    await (
      await store.client.query({
        query: 'SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position',
        query_params: { db, t: table },
        format: 'JSONEachRow',
      })
    ).json<{ name: string }>()
  ).map((c) => c.name);
  const exprs = columns.map((c) => `toString(\`${c}\`)`).join(', ');
  const rows = await (
    await store.client.query({ query: `SELECT [${exprs}] AS cells FROM \`${db}\`.\`${table}\``, format: 'JSONEachRow' })
  ).json<{ cells: string[] }>();
  return { columns, rows: rows.map((r) => r.cells) };
}
