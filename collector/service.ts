import { join } from 'node:path';
import type { Hono } from 'hono';
import type { Context } from 'hono';
import type { Store } from '../schema/client.ts';
import { errorLine } from '../schema/errors.ts';
import { Aggregator } from './aggregator.ts';
import { createCollectorApp } from './app.ts';
import { createUserAgentParser } from './classify/user-agent.ts';
import type { CollectorConfig } from './config.ts';
import { DayCloser } from './day-closer.ts';
import { Flusher } from './flusher.ts';
import { TrustedProxies } from './ip/client-ip.ts';
import { Metrics } from './metrics.ts';
import { Pipeline } from './pipeline/index.ts';
import { DailySalt } from './salt.ts';
import { SessionStore } from './sessions.ts';
import { SiteRegistry } from './site-registry.ts';
import { Spool } from './spool.ts';

export interface CollectorService {
  app: Hono;
  metrics: Metrics;
  sites: SiteRegistry;
  aggregator: Aggregator;
  sessions: SessionStore;
  flusher: Flusher;
  dayCloser: DayCloser;
  /** Loads sites, replays the spool, starts the flush timer; /healthz answers 200 after it. */
  start(): Promise<void>;
  /** Stops accepting beacons (503), flushes everything (or spools it). */
  stop(): Promise<{ flushed: boolean; spooled: number }>;
}

export interface CollectorServiceOptions {
  config: CollectorConfig;
  store: Store;
  dataDir: string;
  peerAddress: (c: Context) => string | undefined;
  log: (line: string) => void;
  now?: () => number;
}

/** Wires the collector's parts together; the runtime entry only has to listen. */
export function createCollectorService(opts: CollectorServiceOptions): CollectorService {
  const { config, store, log } = opts;
  const now = opts.now ?? Date.now;
  const metrics = new Metrics();
  const sites = new SiteRegistry(store);
  const aggregator = new Aggregator();
  const sessions = new SessionStore(config.maxSessions, config.sessionIdleMs);
  // Days close an hour after local midnight: visits still open at midnight have ended and
  // been flushed by then. A batch older than that (an outage's backlog) reopens its days.
  const closeDelayMs = 60 * 60_000;
  const dayCloser = new DayCloser(store, () => sites.all(), { now, log, closeDelayMs, hourlyRetentionDays: config.hourlyRetentionDays });
  const flusher = new Flusher(store, aggregator, new Spool(join(opts.dataDir, 'spool')), metrics, {
    intervalMs: config.flushIntervalMs,
    maxQueuedRows: config.maxQueuedRows,
    log,
    onInserted: (oldest) => {
      const at = Date.parse(`${oldest.replace(' ', 'T')}Z`);
      if (at < now() - closeDelayMs) dayCloser.markDirty(at);
      // Days older than the hour cubes' window are closed for good: their hour rows are gone, so
      // closing them again would replace the day with only the late rows. Say so, with a count.
      if (at < now() - (config.hourlyRetentionDays - 1) * 86_400_000) {
        metrics.inc('telmark_late_batches_beyond_window_total');
        log(`flusher: a batch with data from ${oldest.slice(0, 10)} arrived after the ${config.hourlyRetentionDays}-day hourly window; days closed before it keep their earlier counts (HOURLY_RETENTION_DAYS)`);
      }
    },
  });
  const uaParser = createUserAgentParser({ maxEntries: 10_000 });
  metrics.describe('telmark_late_batches_beyond_window_total', 'Batches that reached ClickHouse after their days left the hourly window (not added to day cubes).');
  metrics.gauge('telmark_sessions', () => sessions.size);
  metrics.gauge('telmark_ua_cache_entries', () => uaParser.size());
  const pipeline = new Pipeline(
    {
      sites,
      trustedProxies: new TrustedProxies(config.trustedProxies),
      prefixes: config.prefixes,
      parseUserAgent: (ua) => uaParser.parse(ua),
      salt: new DailySalt(now),
      sessions,
      aggregator,
    },
    metrics,
  );
  let ready = false;
  let accepting = true;
  const app = createCollectorApp({
    pipeline,
    metrics,
    maxBodyBytes: config.maxBodyBytes,
    peerAddress: opts.peerAddress,
    isReady: () => ready && accepting,
    isAccepting: () => accepting,
    // Flush early when the pending rows pass their bound (MAX_PENDING_ROWS).
    afterEvent: () => {
      if (aggregator.size >= config.maxPendingRows) void flusher.flush().catch(() => {});
    },
    now,
  });

  return {
    app,
    metrics,
    sites,
    aggregator,
    sessions,
    flusher,
    dayCloser,
    async start() {
      await sites.seed(config.seedSites, config.defaultTimezone);
      await sites.refresh();
      sites.startRefreshing(60_000, () => log('collector: could not refresh sites; keeping the last known list'));
      flusher.replaySpool();
      flusher.start();
      void flusher.flush().catch(() => {});
      dayCloser.start();
      void dayCloser.run().catch((err) => log(`day closer: ${errorLine(err)}`));
      ready = true;
      log(`collector: ready, ${sites.all().length} site(s) registered`);
    },
    async stop() {
      accepting = false;
      sites.stop();
      await dayCloser.stop();
      const result = await flusher.close();
      log(
        result.flushed
          ? 'collector: flushed all aggregates'
          : `collector: ClickHouse unreachable at shutdown; ${result.spooled} batch(es) kept in the spool for the next start`,
      );
      return result;
    },
  };
}
