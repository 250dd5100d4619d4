import { join } from 'node:path';
import type { Hono } from 'hono';
import type { Context } from 'hono';
import { AuditLog, type AuditEntry } from '../schema/audit-log.ts';
import type { Store } from '../schema/client.ts';
import { errorLine } from '../schema/errors.ts';
import { AbuseBuffer } from './abuse/buffer.ts';
import { abuseGate } from './abuse/gate.ts';
import { HoldQueue } from './abuse/hold.ts';
import { localAbuseOperations } from './abuse/operations.ts';
import { createAdminApp, disabledAbuseOperations } from './admin/app.ts';
import { Aggregator } from './aggregator.ts';
import { createCollectorApp } from './app.ts';
import { createUserAgentParser } from './classify/user-agent.ts';
import type { CollectorConfig } from './config.ts';
import { DayCloser } from './day-closer.ts';
import { Flusher } from './flusher.ts';
import { TrustedProxies } from './ip/client-ip.ts';
import { openCountryDb } from './geo/database.ts';
import { countryLookup } from './geo/lookup.ts';
import { Metrics } from './metrics.ts';
import type { PipelineEvent } from './pipeline/event.ts';
import { Pipeline } from './pipeline/index.ts';
import type { Step } from './pipeline/steps.ts';
import { privacyRoutes } from './privacy/routes.ts';
import { privacyStatement } from './privacy/statement.ts';
import { DailySalt } from './salt.ts';
import { EventNameCap } from './goals/event-names.ts';
import { LastNonDirect } from './goals/attribution.ts';
import { FunnelProgress } from './goals/funnels.ts';
import { SessionStore } from './sessions.ts';
import { SiteRegistry } from './site-registry.ts';
import { SiteGoals } from './goals/site-goals.ts';
import { PropValueCap } from './goals/prop-values.ts';
import { logOnChange } from './log-on-change.ts';
import { CardinalityCaps, foldCounter } from './cardinality/caps.ts';
import { Spool } from './spool.ts';

export interface CollectorService {
  app: Hono;
  /** The admin listener's app: the security API over the abuse buffer (full IPs; security keys only). */
  adminApp: Hono;
  metrics: Metrics;
  sites: SiteRegistry;
  /** Bumped by every insert into the cubes (caches of query answers in this process key on it). */
  dataVersion(): number;
  /** Goals, funnels and allowed prop keys; refresh() after a change to count it at once. */
  goals: SiteGoals;
  aggregator: Aggregator;
  sessions: SessionStore;
  flusher: Flusher;
  dayCloser: DayCloser;
  /** The pipeline beacons go through (the app's, for callers that feed it directly). */
  pipeline: Pipeline;
  /** The abuse buffer (full IPs, memory only); undefined when ABUSE_MAX_IPS=0. */
  abuse?: AbuseBuffer;
  /** Counts (or drops, if their address got flagged) every event still in the abuse hold. */
  releaseHeld(): void;
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
  /** STATS_API_KEYS and SECURITY_API_KEYS (schema/api-keys.ts): the admin listener needs both. */
  apiKeys: { statsApiKeys: string[]; securityApiKeys: string[] };
  /** AUDIT_HASH_KEY (schema/audit-log.ts): keys the address hashes in audit_log. */
  auditHashKey: string;
  log: (line: string) => void;
  now?: () => number;
  /** The pipeline's steps; undefined keeps the collector's own (STEPS). */
  steps?: Array<[string, Step]>;
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
  let dataVersion = 0;
  const flusher = new Flusher(store, aggregator, new Spool(join(opts.dataDir, 'spool'), config.maxSpoolBytes), metrics, {
    intervalMs: config.flushIntervalMs,
    maxQueuedRows: config.maxQueuedRows,
    spoolIntervalMs: config.spoolIntervalMs,
    maxPendingRows: config.maxPendingRows,
    now,
    log,
    afterInsert: () => dataVersion++,
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
  const trustedProxies = new TrustedProxies(config.trustedProxies);
  const abuse = config.abuse.maxIps > 0 ? new AbuseBuffer(config.abuse, now) : undefined;
  const hold = abuse && config.abuse.holdMs > 0 ? new HoldQueue<PipelineEvent>(config.abuse.holdMs, config.abuse.holdMaxEvents, now) : undefined;
  if (abuse) {
    // Numbers only: no address ever becomes a label.
    metrics.gauge('telmark_abuse_entries', () => abuse.size);
    metrics.gauge('telmark_abuse_flagged_entries', () => abuse.flaggedCount);
    metrics.gauge('telmark_abuse_memory_bytes', () => abuse.memoryBytes());
    metrics.gauge('telmark_abuse_evicted_total', () => abuse.totals.evicted);
    metrics.gauge('telmark_abuse_flags_total', () => abuse.totals.flagged);
  }
  const caps = new CardinalityCaps(metrics);
  const eventNames = new EventNameCap(undefined, foldCounter(metrics, 'event_name'));
  const attribution = new LastNonDirect();
  const funnels = new FunnelProgress();
  const goals = new SiteGoals(store);
  const propValues = new PropValueCap(undefined, foldCounter(metrics, 'prop_value'));
  metrics.describe('telmark_engagement_untracked_total', 'Scroll readings not tracked: the visit already had engagement on MAX_PAGES_PER_VISIT pages.');
  metrics.gauge('telmark_prop_values_folded_total', () => propValues.folded);
  metrics.gauge('telmark_attribution_entries', () => attribution.size);
  metrics.gauge('telmark_funnel_progress_entries', () => funnels.size);
  metrics.gauge('telmark_event_names_folded_total', () => eventNames.folded);
  metrics.gauge('telmark_cardinality_values_held', () => caps.heldValues() + eventNames.size + propValues.size);
  const pipeline = new Pipeline(
    {
      sites,
      trustedProxies,
      prefixes: config.prefixes,
      countryOf: countryLookup(openCountryDb(config.geoipDb)),
      parseUserAgent: (ua) => uaParser.parse(ua),
      salt: new DailySalt(now),
      sessions,
      aggregator,
      abuse,
      eventNames,
      attribution,
      goals,
      propValues,
      funnels,
      caps,
      metrics,
    },
    metrics,
    opts.steps,
    hold,
  );
  // Held events are released as requests arrive; this timer covers quiet periods. The sweep ends
  // entries past their TTL or age cap even when nobody looks them up.
  let timers: NodeJS.Timeout[] = [];
  let ready = false;
  let accepting = true;
  const audit = (via: 'collector-admin' | 'privacy-api') => {
    const auditLog = new AuditLog(store, { hashKey: opts.auditHashKey, via, prefixes: config.prefixes, now });
    return (entry: AuditEntry) => auditLog.write(entry);
  };
  const privacy = privacyRoutes({
    abuse,
    trustedProxies,
    peerAddress: opts.peerAddress,
    audit: audit('privacy-api'),
    requestsPerMin: config.privacyRequestsPerMin,
    statement: privacyStatement({
      abuse: config.abuse,
      retentionMonths: config.retentionMonths,
      hourlyRetentionDays: config.hourlyRetentionDays,
      auditRetentionDays: config.auditRetentionDays,
      prefixes: config.prefixes,
    }),
    log,
    now,
  });
  const adminApp = createAdminApp({
    operations: abuse ? localAbuseOperations(abuse) : disabledAbuseOperations(config.abuse),
    securityApiKeys: opts.apiKeys.securityApiKeys,
    statsApiKeys: opts.apiKeys.statsApiKeys,
    audit: audit('collector-admin'),
    log,
  });
  const app = createCollectorApp({
    pipeline,
    metrics,
    maxBodyBytes: config.maxBodyBytes,
    peerAddress: opts.peerAddress,
    isReady: () => ready && accepting,
    isAccepting: () => accepting,
    storeHealth: () => flusher.health(),
    abuse: abuse ? abuseGate(abuse, trustedProxies) : undefined,
    privacy,
    // Flush early when the pending rows pass their bound (MAX_PENDING_ROWS).
    afterEvent: () => {
      if (aggregator.size >= config.maxPendingRows) void flusher.flush().catch(() => {});
    },
    now,
  });

  return {
    app,
    adminApp,
    metrics,
    sites,
    dataVersion: () => dataVersion,
    goals,
    aggregator,
    sessions,
    flusher,
    dayCloser,
    pipeline,
    abuse,
    releaseHeld: () => void pipeline.releaseHeld(true),
    async start() {
      await sites.seed(config.seedSites, config.defaultTimezone);
      await sites.refresh();
      // During an outage these fail every round: one line when it starts, one when it ends.
      const sitesLog = logOnChange(log, 'collector: could not refresh sites; keeping the last known list until ClickHouse answers', 'collector: sites refreshed again');
      sites.startRefreshing(60_000, sitesLog.failed, sitesLog.ok);
      await goals.refresh();
      const goalsLog = logOnChange(log, 'collector: could not refresh goals; keeping the last known ones until ClickHouse answers', 'collector: goals refreshed again');
      goals.startRefreshing(undefined, goalsLog.failed, goalsLog.ok);
      flusher.replaySpool();
      flusher.start();
      void flusher.flush().catch(() => {});
      dayCloser.start();
      if (hold) timers.push(setInterval(() => pipeline.releaseHeld(), 1_000).unref());
      if (abuse) timers.push(setInterval(() => abuse.sweep(), 10_000).unref());
      void dayCloser.run().catch((err) => log(`day closer: ${errorLine(err)}`));
      ready = true;
      log(`collector: ready, ${sites.all().length} site(s) registered`);
    },
    async stop() {
      accepting = false;
      sites.stop();
      goals.stop();
      for (const t of timers) clearInterval(t);
      timers = [];
      // Everything accepted is counted (or, if its address was flagged meanwhile, dropped).
      pipeline.releaseHeld(true);
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
