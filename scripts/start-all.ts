import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { AuditLog, loadAuditHashKey } from '../schema/audit-log.ts';
import { localAbuseOperations } from '../collector/abuse/operations.ts';
import { collectorAdminTls, collectorAdminUrls } from '../dashboard/server/security/config.ts';
import { RemoteAbuseOperations } from '../dashboard/server/security/remote.ts';
import { checkStore, openStore, type Store } from '../schema/client.ts';
import { storageConfig } from '../schema/config.ts';
import { errorLine } from '../schema/errors.ts';
import type { Env } from '../schema/env.ts';
import { migrate } from '../schema/migrate.ts';
import { collectorConfig } from '../collector/config.ts';
import { createCollectorService, type CollectorService } from '../collector/service.ts';
import { dashboardConfig } from '../dashboard/config.ts';
import { createDashboardApp } from '../dashboard/server/app.ts';
import { StatsContextCache } from '../dashboard/server/stats/context-cache.ts';
import { freshnessDelayS } from '../dashboard/server/stats/realtime.ts';
import { Accounts } from '../dashboard/server/auth/accounts.ts';
import { SecretBox } from '../dashboard/server/auth/secret-box.ts';
import { AccountStore } from '../dashboard/server/auth/store.ts';
import { resolveClientIp } from '../collector/ip/client-ip.ts';
import type { Context } from 'hono';
import { listen, type Listening } from './node-server.ts';
import { httpLimitsConfig } from './http-limits.ts';

const DASHBOARD_DIST = fileURLToPath(new URL('../dashboard/dist/', import.meta.url));

export interface Running {
  collectorUrl: string;
  dashboardUrl: string;
  /** The collector's admin listener (security API over the abuse buffer); '' without a collector. */
  adminUrl: string;
  statsApiKey: string;
  generatedKey: boolean;
  /** The first SECURITY_API_KEYS key (or the generated one). */
  securityApiKey: string;
  /** True when SECURITY_API_KEYS was unset and the key lives in DATA_DIR/security-api-key. */
  generatedSecurityKey: boolean;
  /** Where the generated security key lives (DATA_DIR/security-api-key); unset when configured. */
  securityKeyFile?: string;
  /** Where the generated stats key lives (DATA_DIR/stats-api-key); unset when configured. */
  statsKeyFile?: string;
  /** Accounts, sessions and keys of the dashboard; undefined without a dashboard. */
  accounts?: Accounts;
  /** The one-time link that creates the first admin (valid one hour), while no user exists. */
  setupUrl?: string;
  /** DASHBOARD_INSECURE_HTTP is on: session cookies without Secure off loopback. */
  insecureHttp: boolean;
  store: Store;
  collector: CollectorService;
  /** Counts every event still in the abuse hold, then pushes all pending aggregates to ClickHouse now. */
  flush(): Promise<void>;
  /** Folds finished local days into the day cubes now (the collector also does it every 5 minutes). */
  closeDays(): Promise<void>;
  /** Graceful stop: no new beacons, final flush, servers closed, storage closed. */
  stop(): Promise<{ flushed: boolean; spooled: number }>;
}

export interface StartOptions {
  log?: (line: string) => void;
  /** Skip the collector or the dashboard (server mode runs them as separate processes). */
  collector?: boolean;
  dashboard?: boolean;
  now?: () => number;
  /**
   * The store each service uses (default: the one opened here). In server mode each service runs
   * as its own ClickHouse user; test/privacy/grants-cover-statements.test.ts hands each a store
   * that records its statements, or one signed in as that service's user.
   */
  storeFor?: (service: 'collector' | 'dashboard', store: Store) => Store;
  /**
   * Fault-injection tests only: the collector talks to ClickHouse through what this returns
   * (a wrapper that can make the store unreachable or its disk full); everything else, and
   * Running.store, use the real one.
   */
  wrapStore?: (store: Store) => Store;
}

/** How this machine reaches a listener: a wildcard bind address as loopback, IPv6 in brackets. */
function url(host: string, port: number, scheme: 'http' | 'https' = 'http'): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `${scheme}://${h.includes(':') ? `[${h}]` : h}:${port}`;
}

/**
 * Starts telmark in this process: storage (embedded chDB unless CLICKHOUSE_URL), migrations,
 * the collector and the dashboard server. Every setting comes from `env`; a bad one throws
 * ConfigError before anything starts.
 */
export async function startAll(env: Env, opts: StartOptions = {}): Promise<Running> {
  const log = opts.log ?? ((line: string) => console.log(line));
  // Timeouts and the connection cap of every listener (HTTP_*; see http-limits.ts).
  const httpLimits = httpLimitsConfig(env);
  const storage = storageConfig(env);
  const cConfig = collectorConfig(env);
  const dConfig = dashboardConfig(env, storage.dataDir);
  const auditHashKey = loadAuditHashKey(env, storage.dataDir).key;
  const adminUrls = collectorAdminUrls(env);
  const adminClientTls = collectorAdminTls(env, adminUrls);
  const withCollector = opts.collector ?? true;
  const withDashboard = opts.dashboard ?? true;

  const store = openStore(storage);
  await checkStore(store, storage);
  log(`storage: ${storage.mode === 'embedded' ? `embedded ClickHouse (chDB) in ${storage.dataDir}` : `ClickHouse server ${storage.url}, database ${storage.database}`}`);
  await migrate(store, {
    retentionMonths: cConfig.retentionMonths,
    hourlyRetentionDays: cConfig.hourlyRetentionDays,
    auditRetentionDays: cConfig.auditRetentionDays,
    log,
  });

  const collectorStore = opts.storeFor?.('collector', store) ?? store;
  const dashboardStore = opts.storeFor?.('dashboard', store) ?? store;
  let collector: CollectorService | undefined;
  let collectorServer: Listening | undefined;
  let adminServer: Listening | undefined;
  if (withCollector) {
    collector = createCollectorService({
      config: cConfig,
      store: opts.wrapStore ? opts.wrapStore(collectorStore) : collectorStore,
      dataDir: storage.dataDir,
      peerAddress: (c) => getConnInfo(c).remote.address,
      apiKeys: { statsApiKeys: dConfig.statsApiKeys, securityApiKeys: dConfig.securityApiKeys },
      auditHashKey,
      log,
      now: opts.now,
    });
    await collector.start();
    collectorServer = await listen(collector.app, cConfig.port, cConfig.host, cConfig.tls, httpLimits);
    try {
      adminServer = await listen(collector.adminApp, cConfig.adminPort, cConfig.adminHost, cConfig.adminTls, httpLimits);
    } catch (err) {
      await collectorServer.close();
      await collector.stop();
      await store.close();
      throw new Error(`the collector's admin listener could not listen on ${cConfig.adminHost}:${cConfig.adminPort} (COLLECTOR_ADMIN_HOST / COLLECTOR_ADMIN_PORT): ${errorLine(err)}`);
    }
  }

  const collectorUrl = collectorServer ? url(cConfig.host, collectorServer.port, cConfig.tls ? 'https' : 'http') : '';
  let dashboardServer: Listening | undefined;
  let dashboardReady = false;
  let accounts: Accounts | undefined;
  let setupUrl: string | undefined;
  // What Stats queries read first (closed days, goals, props), kept briefly; dropped at once when
  // this process closes days or changes goals.
  const statsContext = new StatsContextCache(dashboardStore, collector ? () => collector!.dataVersion() : undefined);
  if (withDashboard) {
    if (!existsSync(DASHBOARD_DIST)) log('dashboard: no built app in dashboard/dist (run `npm run build:dashboard`); serving the API only');
    // The security API: over the collectors' admin listeners when COLLECTOR_ADMIN_URLS names them
    // (with the first security key), else over this process's own abuse buffer.
    const operations =
      adminUrls.length > 0
        ? new RemoteAbuseOperations({ urls: adminUrls, key: dConfig.securityApiKeys[0]!, tls: adminClientTls })
        : collector?.abuse
          ? localAbuseOperations(collector.abuse)
          : undefined;
    const auditLog = new AuditLog(dashboardStore, { hashKey: auditHashKey, via: 'dashboard', prefixes: cConfig.prefixes, now: opts.now });
    if (!operations) log('dashboard: no abuse buffer here and no COLLECTOR_ADMIN_URLS; the security API (/api/security) is off');
    const now = opts.now ?? Date.now;
    accounts = new Accounts({
      accounts: new AccountStore(dashboardStore, now),
      box: new SecretBox(dConfig.authSecretKey),
      lifetimes: dConfig.lifetimes,
      audit: (e) => auditLog.write(e),
      now,
      log,
    });
    const peer = (c: Context) => getConnInfo(c).remote.address;
    const trusted = dConfig.trustedProxies;
    /** The socket peer is one of TRUSTED_PROXIES (so its X-Forwarded-Proto is believed). */
    const fromTrustedProxy = (c: Context) => {
      const p = resolveClientIp(peer(c), { get: () => undefined }, trusted);
      return p !== null && trusted.contains(p);
    };
    if (dConfig.insecureHttp) log('dashboard: WARNING DASHBOARD_INSECURE_HTTP=true: session cookies travel without Secure over plain HTTP; anyone on the network path can take over a session. Use HTTPS.');
    const app = createDashboardApp({
      store: dashboardStore,
      accounts,
      securityApiKeys: dConfig.securityApiKeys,
      cookies: {
        insecureHttp: dConfig.insecureHttp,
        isHttps: (c) => new URL(c.req.url).protocol === 'https:' || (fromTrustedProxy(c) && /^https$/i.test(c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() ?? '')),
      },
      clientIp: (c) => resolveClientIp(peer(c), { get: (name) => c.req.header(name) }, trusted)?.toString(),
      publicUrl: dConfig.publicUrl,
      audit: (e) => auditLog.write(e),
      statsApiKeys: dConfig.statsApiKeys,
      privacyMinVisitors: dConfig.privacyMinVisitors,
      hourlyRetentionDays: dConfig.hourlyRetentionDays,
      // The collector's settings as this process reads them (a dashboard alone reads the same env).
      freshness: {
        delayS: freshnessDelayS({ flushIntervalMs: cConfig.flushIntervalMs, holdMs: cConfig.abuse.holdMs, abuseOn: cConfig.abuse.maxIps > 0 }),
        refreshS: dConfig.realtimeRefreshS,
      },
      staticFiles: serveStatic({ root: relative(process.cwd(), DASHBOARD_DIST) || '.' }),
      isReady: () => dashboardReady,
      collectorUrl: dConfig.collectorPublicUrl ?? (collectorUrl || undefined),
      goalsChanged: collector ? () => collector!.goals.refresh() : undefined,
      statsContext,
      log,
      now: opts.now,
      security: operations ? { operations, audit: (e) => auditLog.write(e) } : undefined,
      authSecretKey: dConfig.authSecretKey,
    });
    dashboardServer = await listen(app, dConfig.port, dConfig.host, dConfig.tls, httpLimits);
    dashboardReady = true;
    const token = await accounts.newSetupToken();
    if (token) setupUrl = `${dConfig.publicUrl ?? url(dConfig.host, dashboardServer.port, dConfig.tls ? 'https' : 'http')}/#/setup/${token}`;
  }

  let stopped: Promise<{ flushed: boolean; spooled: number }> | undefined;
  return {
    collectorUrl,
    dashboardUrl: dashboardServer ? url(dConfig.host, dashboardServer.port, dConfig.tls ? 'https' : 'http') : '',
    adminUrl: adminServer ? url(cConfig.adminHost, adminServer.port, cConfig.adminTls ? 'https' : 'http') : '',
    statsApiKey: dConfig.statsApiKeys[0]!,
    generatedKey: dConfig.generatedKey,
    securityApiKey: dConfig.securityApiKeys[0]!,
    generatedSecurityKey: dConfig.generatedSecurityKey,
    securityKeyFile: dConfig.securityKeyFile,
    statsKeyFile: dConfig.generatedKey ? `${storage.dataDir}/stats-api-key` : undefined,
    accounts,
    setupUrl,
    insecureHttp: dConfig.insecureHttp,
    store,
    collector: collector!,
    flush: async () => {
      collector?.releaseHeld();
      await collector?.flusher.flush({ ignoreBackoff: true });
    },
    closeDays: async () => {
      await collector?.dayCloser.run();
      statsContext.invalidateClosedDays();
    },
    stop: () =>
      (stopped ??= (async () => {
        dashboardReady = false;
        // Stop taking connections first, then flush what was accepted.
        const closing = Promise.all([collectorServer?.close(), adminServer?.close(), dashboardServer?.close()]);
        const result = collector ? await collector.stop() : { flushed: true, spooled: 0 };
        await closing;
        await store.close();
        return result;
      })()),
  };
}
