import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getConnInfo } from '@hono/node-server/conninfo';
import { serveStatic } from '@hono/node-server/serve-static';
import { checkStore, openStore, type Store } from '../schema/client.ts';
import { storageConfig } from '../schema/config.ts';
import type { Env } from '../schema/env.ts';
import { migrate } from '../schema/migrate.ts';
import { collectorConfig } from '../collector/config.ts';
import { createCollectorService, type CollectorService } from '../collector/service.ts';
import { dashboardConfig } from '../dashboard/config.ts';
import { createDashboardApp } from '../dashboard/server/app.ts';
import { listen, type Listening } from './node-server.ts';

export const DASHBOARD_DIST = fileURLToPath(new URL('../dashboard/dist/', import.meta.url));

export interface Running {
  collectorUrl: string;
  dashboardUrl: string;
  statsApiKey: string;
  generatedKey: boolean;
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
}

/**
 * Starts telmark in this process: storage (embedded chDB unless CLICKHOUSE_URL), migrations,
 * the collector and the dashboard server. Every setting comes from `env`; a bad one throws
 * ConfigError before anything starts.
 */
export async function startAll(env: Env, opts: StartOptions = {}): Promise<Running> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const storage = storageConfig(env);
  const cConfig = collectorConfig(env);
  const dConfig = dashboardConfig(env, storage.dataDir);
  const withCollector = opts.collector ?? true;
  const withDashboard = opts.dashboard ?? true;

  const store = openStore(storage);
  await checkStore(store, storage);
  log(`storage: ${storage.mode === 'embedded' ? `embedded ClickHouse (chDB) in ${storage.dataDir}` : `ClickHouse server ${storage.url}, database ${storage.database}`}`);
  await migrate(store, { retentionMonths: cConfig.retentionMonths, hourlyRetentionDays: cConfig.hourlyRetentionDays, log });

  let collector: CollectorService | undefined;
  let collectorServer: Listening | undefined;
  if (withCollector) {
    collector = createCollectorService({
      config: cConfig,
      store,
      dataDir: storage.dataDir,
      peerAddress: (c) => getConnInfo(c).remote.address,
      log,
      now: opts.now,
    });
    await collector.start();
    collectorServer = await listen(collector.app, cConfig.port, cConfig.host);
  }

  const host = (h: string) => (h === '0.0.0.0' || h === '::' ? '127.0.0.1' : h);
  let dashboardServer: Listening | undefined;
  let dashboardReady = false;
  if (withDashboard) {
    if (!existsSync(DASHBOARD_DIST)) log('dashboard: no built app in dashboard/dist (run `npm run build:dashboard`); serving the API only');
    const app = createDashboardApp({
      store,
      statsApiKeys: dConfig.statsApiKeys,
      privacyMinVisitors: dConfig.privacyMinVisitors,
      hourlyRetentionDays: dConfig.hourlyRetentionDays,
      staticFiles: serveStatic({ root: relative(process.cwd(), DASHBOARD_DIST) || '.' }),
      isReady: () => dashboardReady,
      collectorUrl: dConfig.collectorPublicUrl ?? (collectorServer ? `http://${host(cConfig.host)}:${collectorServer.port}` : undefined),
      log,
      now: opts.now,
    });
    dashboardServer = await listen(app, dConfig.port, dConfig.host);
    dashboardReady = true;
  }

  let stopped: Promise<{ flushed: boolean; spooled: number }> | undefined;
  return {
    collectorUrl: collectorServer ? `http://${host(cConfig.host)}:${collectorServer.port}` : '',
    dashboardUrl: dashboardServer ? `http://${host(dConfig.host)}:${dashboardServer.port}` : '',
    statsApiKey: dConfig.statsApiKeys[0]!,
    generatedKey: dConfig.generatedKey,
    store,
    collector: collector!,
    flush: async () => {
      collector?.releaseHeld();
      await collector?.flusher.flush({ ignoreBackoff: true });
    },
    closeDays: async () => {
      await collector?.dayCloser.run();
    },
    stop: () =>
      (stopped ??= (async () => {
        dashboardReady = false;
        // Stop taking connections first, then flush what was accepted.
        const closing = Promise.all([collectorServer?.close(), dashboardServer?.close()]);
        const result = collector ? await collector.stop() : { flushed: true, spooled: 0 };
        await closing;
        await store.close();
        return result;
      })()),
  };
}
