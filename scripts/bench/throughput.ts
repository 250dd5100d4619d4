// Part 1: collector throughput against a bare Hono app on the same HTTP stack.
//
// Each server runs in a child process of its own (one core for it, one for autocannon in this
// process); runs alternate bare, http, collector, bare, ... and each figure is the median
// over its runs. The collector is the real one (startAll, embedded chDB, default flush interval),
// fed Plausible beacons from ~10k client IPs (X-Forwarded-For from a trusted 127.0.0.1) and real
// browser user agents, so every request does the full pipeline: IP resolution and truncation, bot
// check, UA parsing, acquisition, path clean-up, visitor key, session, aggregation.
//
// collector-mix is the same collector build and settings as `collector`, in the same alternation,
// but with the site's goals and allowed prop keys configured before it starts and a traffic mix
// that carries what a site using goals sends besides pageviews: custom events with props and with
// revenue, Plausible engagement events, and pageviews of goal pages. Its req/s against `collector`
// (pageviews only) is the cost of that mix; both are measured in the same run.
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { createCollectorApp } from '../../collector/app.ts';
import { Metrics } from '../../collector/metrics.ts';
import { DROP_REASONS } from '../../collector/pipeline/event.ts';
import type { Pipeline } from '../../collector/pipeline/index.ts';
import { collectorConfig } from '../../collector/config.ts';
import { openStore } from '../../schema/client.ts';
import { storageConfig } from '../../schema/config.ts';
import { cubeTable, type CubeName } from '../../schema/cubes.ts';
import type { Env } from '../../schema/env.ts';
import { allowedProps, listGoals, saveGoal, setAllowedProps, type Goal } from '../../schema/goals.ts';
import { migrate } from '../../schema/migrate.ts';
import { listen } from '../node-server.ts';
import { startAll } from '../start-all.ts';
import {
  BENCH_SITE,
  BENCH_STATS_KEY,
  fromParent,
  median,
  prng,
  randInt,
  sleep,
  tempDir,
  toParent,
  withChild,
  zipfPicker,
  type Progress,
} from './common.ts';
import { syntheticVisitors } from './population.ts';

export interface ThroughputOptions {
  /** Measured seconds per run. */
  seconds: number;
  /** Unmeasured seconds before each measured run (JIT, caches). */
  warmupSeconds: number;
  /** Runs per server kind (alternating). */
  runs: number;
  connections: number;
  clientIps: number;
  distinctBodies: number;
}

export const THROUGHPUT_DEFAULTS: ThroughputOptions = { seconds: 10, warmupSeconds: 2, runs: 3, connections: 50, clientIps: 10_000, distinctBodies: 300 };
export const THROUGHPUT_QUICK: ThroughputOptions = { seconds: 3, warmupSeconds: 1, runs: 2, connections: 50, clientIps: 10_000, distinctBodies: 300 };

/**
 * bare: the baseline. http: the collector's own HTTP layer (createCollectorApp: middlewares, body
 * checks, beacon validation) with the pipeline replaced by a no-op, a diagnostic that splits the
 * gap into HTTP layer and pipeline + storage. collector: the real thing, with its defaults (abuse
 * buffer and hold on). collector-no-abuse: the same with ABUSE_MAX_IPS=0, for the buffer's cost.
 * collector-mix: `collector` with goals and allowed props configured and the mixed traffic
 * (MIX_SHARES), for the cost of goals, props and engagement against pageviews only.
 */
export type ServerKind = 'bare' | 'http' | 'collector' | 'collector-no-abuse' | 'collector-mix';
const SERVER_KINDS: ServerKind[] = ['bare', 'http', 'collector', 'collector-no-abuse', 'collector-mix'];

interface RunFigures {
  kind: ServerKind;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Server process CPU time per request, µs (user + system, all threads incl. chDB). */
  serverCpuUsPerReq: number;
  /** The load generator's CPU use during the run, % of one core (near 100: client-bound). */
  clientCpuPct: number;
  non2xx: number;
  errors: number;
}

export interface CollectorCheck {
  /** Requests autocannon wrote (warm-up + measured). */
  sent: number;
  /** 2xx answers autocannon read; sent - ok2xx were in flight when it stopped. */
  ok2xx: number;
  /** telmark_events_counted_total after the run. */
  counted: number;
  dropped: Record<string, number>;
  /** sum(pageviews) per cube table after the final flush. */
  stored: Record<string, number>;
  ok: boolean;
}

/**
 * The cubes that book every counted pageview and custom event exactly once (the visit cubes and
 * the pages cube), so their sums can be checked against what was sent. The event cubes are left
 * out: they hold custom events only, and (as goals land) goal conversions and one row per allowed
 * prop, which are not one per beacon. Named here, not derived from CUBE_NAMES, so that a new
 * event cube cannot silently turn the check into a mismatch.
 */
const HIT_CUBES = ['acquisition', 'entry_pages', 'tech', 'pages'] as const satisfies readonly CubeName[];

/** One kind of beacon in the mixed traffic. */
export type MixKind = 'pageview' | 'custom' | 'engagement';
const MIX_KINDS: MixKind[] = ['pageview', 'custom', 'engagement'];

export interface MixCheck {
  /** Per kind: requests built and written (warm-up + measured), and answered 202. */
  sent: Record<MixKind, number>;
  ok202: Record<MixKind, number>;
  /** Answers other than 202, of any kind (each one is a failure: every beacon here is valid). */
  not202: number;
  /** Per kind, as the collector booked them: pageviews and custom events from the cubes, engagement as the rest of telmark_events_counted_total. */
  counted: Record<MixKind, number>;
  countedTotal: number;
  dropped: Record<string, number>;
  /** sum(pageviews) and sum(events) per table of HIT_CUBES after the final flush. */
  storedPageviews: Record<string, number>;
  storedEvents: Record<string, number>;
  /** Diagnostic: sum(events) by name in the event cube (custom events, and goal conversions once the collector books them). */
  eventNames: Record<string, number>;
  /** What the store held for the site once the collector had started (the setup took). */
  goals: number;
  allowedProps: string[];
  ok: boolean;
}

export interface ThroughputResult {
  options: ThroughputOptions;
  runs: RunFigures[];
  summary: Record<ServerKind, { reqPerSec: number; p50Ms: number; p99Ms: number; serverCpuUsPerReq: number; clientCpuPct: number }>;
  /** collector req/s / bare req/s (the target). */
  ratio: number;
  /** bare CPU per request / collector CPU per request: the same ratio when neither side is client-bound. */
  cpuRatio: number;
  /** collector (abuse buffer on) req/s / collector-no-abuse req/s (target: within 10 %). */
  abuseRatio: number;
  /** The same by server CPU per request (off / on). */
  abuseCpuRatio: number;
  /** collector-mix req/s / collector req/s: the goals/props/engagement mix against pageviews only. */
  mixRatio: number;
  /** The same by server CPU per request (plain / mix). */
  mixCpuRatio: number;
  /** The mix's shares of requests, as configured (MIX_SHARES). */
  mixShares: Record<MixKind | 'pageviewGoalPages', number>;
  checks: CollectorCheck[];
  mixChecks: MixCheck[];
}

// ---------------------------------------------------------------------------------------------
// Traffic
// ---------------------------------------------------------------------------------------------

const REFERRERS: Array<string | null> = [
  'https://www.google.com/',
  'https://www.google.com/',
  'https://www.google.com/',
  'https://www.google.de/',
  'https://www.bing.com/',
  'https://duckduckgo.com/',
  'https://www.facebook.com/',
  'https://l.instagram.com/',
  'https://t.co/abc',
  'https://www.linkedin.com/',
  'https://news.ycombinator.com/',
  'https://www.reddit.com/r/webdev/',
  null,
  null,
  null,
];
const UTM = ['', '', '', '', '?utm_source=x', '?utm_source=newsletter&utm_medium=email&utm_campaign=autumn', '?utm_source=google&utm_medium=cpc&utm_campaign=brand'];

/** Plausible short-form pageview bodies over Zipf-popular pages, referrers and UTM tags. */
function beaconBodies(n: number, seed = 1): string[] {
  const rng = prng(seed);
  const pages = zipfPicker(200, 0.9);
  return Array.from({ length: n }, (_, i) =>
    JSON.stringify({
      n: 'pageview',
      u: `https://${BENCH_SITE}/page-${i < 200 ? i : pages.index(rng)}${UTM[randInt(rng, UTM.length)]}`,
      d: BENCH_SITE,
      r: REFERRERS[randInt(rng, REFERRERS.length)],
    }),
  );
}

/** Request headers of `n` synthetic visitors (address via X-Forwarded-For, user agent, language). */
function visitorHeaders(rng: () => number, n: number): Array<Record<string, string>> {
  return syntheticVisitors(rng, n).map((v) => ({
    'content-type': 'text/plain',
    'user-agent': v.ua,
    'accept-language': v.acceptLanguage,
    'x-forwarded-for': v.ip,
  }));
}

/** One autocannon request whose setupRequest picks a random client (IP, UA, language) and body. */
function trafficRequests(opts: ThroughputOptions, seed: number): AutocannonRequest[] {
  const rng = prng(seed);
  const headers = visitorHeaders(rng, opts.clientIps);
  const bodies = beaconBodies(opts.distinctBodies, seed);
  return [
    {
      method: 'POST',
      path: '/api/event',
      setupRequest: (req) => ({ ...req, headers: headers[randInt(rng, headers.length)]!, body: bodies[randInt(rng, bodies.length)]! }),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Mixed traffic: goals, props, revenue and engagement (collector-mix)
// ---------------------------------------------------------------------------------------------

/**
 * Shares of the mixed traffic's requests; pageviews take the rest. Plausible's tracker sends an
 * engagement event whenever a viewed page is left or hidden, so on a real site they come close to
 * the pageviews; custom events are set well above a typical site's share so that their cost (props,
 * revenue, event goals) shows in the figure rather than in the noise.
 */
const MIX_SHARES = { engagement: 0.35, customProps: 0.1, customRevenue: 0.05 } as const;
/** Extra pageview bodies on the page goal's and the scroll goal's paths, next to the plain bodies. */
const BLOG_BODIES = 30;
const THANK_YOU_BODIES = 10;
/** Engagement bodies per viewed page (different scroll depths and engaged times). */
const ENGAGEMENT_VARIANTS = 4;

/** The settings the mixed traffic is meant for, written before the collector starts. */
export const BENCH_ALLOWED_PROPS = ['plan', 'author'];
export function benchGoals(createdAt: number): Goal[] {
  const base = { site: BENCH_SITE, props: {}, eventName: '', path: '', threshold: 0, currency: '', createdAt };
  return [
    { ...base, id: 'g_bench_signup', type: 'event', displayName: 'Signup', eventName: 'Signup', currency: 'EUR' },
    { ...base, id: 'g_bench_thanks', type: 'page', displayName: 'Visit /thank-you', path: '/thank-you' },
    { ...base, id: 'g_bench_scroll', type: 'scroll', displayName: 'Scroll 75% on /blog/**', path: '/blog/**', threshold: 75 },
  ];
}

interface MixBodies {
  /** Pageview bodies: the plain ones, then /blog/... and /thank-you. */
  pageviews: string[];
  /** engagement[i]: ENGAGEMENT_VARIANTS engagement bodies for the page of pageviews[i]. */
  engagement: string[][];
  /** Custom events with allowed props (and one prop that is not allowed). */
  props: string[];
  /** Signup events (the event goal, currency EUR) with revenue. */
  revenue: string[];
}

function mixBodies(opts: ThroughputOptions, seed: number): MixBodies {
  const rng = prng(seed + 7);
  const plain = beaconBodies(opts.distinctBodies, seed);
  const goalPages = [
    // Two depths: the scroll goal's /blog/** spans path segments.
    ...Array.from({ length: BLOG_BODIES }, (_, i) => `/blog/${i % 2 ? `2025/post-${i}` : `post-${i}`}`),
    ...Array.from({ length: THANK_YOU_BODIES }, () => '/thank-you'),
  ].map((path) => JSON.stringify({ n: 'pageview', u: `https://${BENCH_SITE}${path}${UTM[randInt(rng, UTM.length)]}`, d: BENCH_SITE, r: REFERRERS[randInt(rng, REFERRERS.length)] }));
  const pageviews = [...plain, ...goalPages];
  // Engagement names the page exactly as its pageview did (Plausible's tracker sends the same u).
  const engagement = pageviews.map((body) => {
    const u = (JSON.parse(body) as { u: string }).u;
    // Scroll depths on both sides of the scroll goal's 75 %.
    return Array.from({ length: ENGAGEMENT_VARIANTS }, () => JSON.stringify({ n: 'engagement', u, d: BENCH_SITE, sd: randInt(rng, 101), e: 500 + randInt(rng, 180_000) }));
  });
  const plans = ['free', 'pro', 'team'];
  const authors = ['ann', 'bob', 'cy', 'dee'];
  const props: string[] = [];
  for (const name of ['Download', 'Share', 'Outbound Link: Click'])
    for (const plan of plans)
      for (const author of authors)
        // `theme` is not an allowed key: what the collector must leave out of the aggregates.
        props.push(JSON.stringify({ n: name, u: `https://${BENCH_SITE}/page-${randInt(rng, 200)}`, d: BENCH_SITE, p: { plan, author, ...(author === 'dee' ? { theme: 'dark' } : {}) } }));
  const revenue = ['19.99', '49.00', '9.5', '120'].flatMap((amount) =>
    plans.map((plan) => JSON.stringify({ n: 'Signup', u: `https://${BENCH_SITE}/signup`, d: BENCH_SITE, p: { plan }, $: { amount, currency: 'EUR' } })),
  );
  return { pageviews, engagement, props, revenue };
}

/** What the load generator sent and read back in one mixed drive, per kind. */
interface MixTally {
  sent: Record<MixKind, number>;
  ok202: Record<MixKind, number>;
  not202: number;
}

const zeroByKind = (): Record<MixKind, number> => ({ pageview: 0, custom: 0, engagement: 0 });

/**
 * The mixed traffic. An engagement event only counts while its visitor (the collector's key:
 * truncated forwarded address, user agent, language, i.e. one of the synthetic header sets) has a
 * live visit, so it is sent only by a visitor whose pageview was already answered, and names that
 * page. Answered is what makes the order safe: the collector books (or, with the abuse hold,
 * queues in FIFO order) a beacon before it answers, so the pageview is ahead of the engagement
 * whichever connections carry them. Until some visitor has been answered, a pageview goes instead.
 * With pipelining 1 a connection has one request in flight, so the context that setupRequest
 * fills (autocannon's per-connection context) still describes that request in onResponse.
 */
function mixRequests(opts: ThroughputOptions, seed: number, tally: MixTally): AutocannonRequest[] {
  const rng = prng(seed);
  const headers = visitorHeaders(rng, opts.clientIps);
  const bodies = mixBodies(opts, seed);
  /** Per visitor: the pageview body of its last answered pageview, -1 for none yet. */
  const viewed = new Int32Array(headers.length).fill(-1);
  /** Visitors with an answered pageview, for a uniform pick. */
  const viewers: number[] = [];
  const engagementTo = MIX_SHARES.engagement;
  const propsTo = engagementTo + MIX_SHARES.customProps;
  const revenueTo = propsTo + MIX_SHARES.customRevenue;
  return [
    {
      method: 'POST',
      path: '/api/event',
      setupRequest: (req, context) => {
        const x = rng();
        let kind: MixKind;
        let visitor: number;
        let body: string;
        let page = -1;
        if (x < engagementTo && viewers.length > 0) {
          kind = 'engagement';
          visitor = viewers[randInt(rng, viewers.length)]!;
          body = bodies.engagement[viewed[visitor]!]![randInt(rng, ENGAGEMENT_VARIANTS)]!;
        } else if (x >= engagementTo && x < revenueTo) {
          kind = 'custom';
          visitor = randInt(rng, headers.length);
          body = x < propsTo ? bodies.props[randInt(rng, bodies.props.length)]! : bodies.revenue[randInt(rng, bodies.revenue.length)]!;
        } else {
          kind = 'pageview';
          visitor = randInt(rng, headers.length);
          page = randInt(rng, bodies.pageviews.length);
          body = bodies.pageviews[page]!;
        }
        tally.sent[kind]++;
        context.kind = kind;
        context.visitor = visitor;
        context.page = page;
        return { ...req, headers: headers[visitor]!, body };
      },
      onResponse: (status, _body, context) => {
        const kind = context.kind as MixKind;
        if (status !== 202) {
          tally.not202++;
          return;
        }
        tally.ok202[kind]++;
        if (kind !== 'pageview') return;
        const visitor = context.visitor as number;
        if (viewed[visitor] === -1) viewers.push(visitor);
        viewed[visitor] = context.page as number;
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Servers (child processes; see child.ts)
// ---------------------------------------------------------------------------------------------

function cpuMarker() {
  let start = process.cpuUsage();
  return {
    reset: () => (start = process.cpuUsage()),
    elapsedMs: () => {
      const d = process.cpuUsage(start);
      return (d.user + d.system) / 1000;
    },
  };
}

/** Child role: the bare Hono baseline, or (httpOnly) the collector app with a no-op pipeline. */
export async function bareServer(httpOnly: boolean): Promise<void> {
  let app: Hono;
  if (httpOnly) {
    const noop = { process: () => [] } as unknown as Pipeline;
    app = createCollectorApp({
      pipeline: noop,
      metrics: new Metrics(),
      maxBodyBytes: 16 * 1024,
      peerAddress: (c) => getConnInfo(c).remote.address,
      isReady: () => true,
      isAccepting: () => true,
    });
  } else {
    app = new Hono();
    app.post('/api/event', async (c) => {
      await c.req.text();
      return c.body(null, 202);
    });
  }
  const server = await listen(app, 0, '127.0.0.1');
  const cpu = cpuMarker();
  process.on('message', (m: { type: string }) => m.type === 'mark' && cpu.reset());
  await toParent({ type: 'ready', url: `http://127.0.0.1:${server.port}` });
  await fromParent('finish');
  const cpuMs = cpu.elapsedMs();
  await server.close();
  await toParent({ type: 'result', result: { cpuMs } });
}

/**
 * Writes the mixed traffic's goals and allowed prop keys into a fresh DATA_DIR before the
 * collector opens it: the collector loads site settings when it starts (and refreshes them only
 * now and then), so rows written after start-up could miss a 10 s run. The store is opened and
 * closed here, in the child that then starts the collector on the same directory: chDB allows one
 * process per data directory, not one open per process.
 */
async function configureGoals(env: Env): Promise<void> {
  const storage = storageConfig(env);
  const cConfig = collectorConfig(env);
  const store = openStore(storage);
  try {
    // The same migration options as startAll, so its own migrate() finds nothing left to change.
    await migrate(store, { retentionMonths: cConfig.retentionMonths, hourlyRetentionDays: cConfig.hourlyRetentionDays, auditRetentionDays: cConfig.auditRetentionDays });
    const now = Date.now();
    for (const goal of benchGoals(now)) await saveGoal(store, goal);
    await setAllowedProps(store, BENCH_SITE, BENCH_ALLOWED_PROPS, now);
  } finally {
    await store.close();
  }
}

/**
 * Child role: the real collector (startAll, collector only) in a temporary DATA_DIR; with `goals`,
 * the site's goals and allowed props are configured first (collector-mix).
 */
export async function collectorServer(opts: { abuse: boolean; goals: boolean }): Promise<void> {
  const dir = tempDir('telmark-bench-collector-');
  const logs: string[] = [];
  try {
    const env: Env = {
      DATA_DIR: dir.path,
      COLLECTOR_PORT: '0',
      COLLECTOR_HOST: '127.0.0.1',
      SITES: BENCH_SITE,
      TRUSTED_PROXIES: '127.0.0.1',
      STATS_API_KEYS: BENCH_STATS_KEY,
      COLLECTOR_ADMIN_PORT: '0',
      ...(opts.abuse ? {} : { ABUSE_MAX_IPS: '0' }),
    };
    if (opts.goals) await configureGoals(env);
    const running = await startAll(env, { dashboard: false, log: (l) => logs.push(l) });
    const cpu = cpuMarker();
    process.on('message', (m: { type: string }) => m.type === 'mark' && cpu.reset());
    await toParent({ type: 'ready', url: running.collectorUrl });
    await fromParent('finish');
    await sleep(200); // requests written just before autocannon stopped
    await running.flush();
    // After the final flush, so the insert work for the window's events is in the CPU figure.
    const cpuMs = cpu.elapsedMs();
    const { metrics } = running.collector;
    const sumOf = async (column: 'pageviews' | 'events', table: string) => {
      const rs = await running.store.client.query({
        query: `SELECT sum(${column}) AS n FROM ${running.store.table(table)} WHERE site = {site:String}`,
        query_params: { site: BENCH_SITE },
        format: 'JSONEachRow',
      });
      return Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
    };
    const stored: Record<string, number> = {};
    const storedEvents: Record<string, number> = {};
    for (const cube of HIT_CUBES) {
      for (const grain of ['hour', 'minute'] as const) {
        const table = cubeTable(cube, grain);
        stored[table] = await sumOf('pageviews', table);
        if (opts.goals) storedEvents[table] = await sumOf('events', table);
      }
    }
    // Diagnostic, not checked: what the event cube booked by name. Custom event names only, until
    // the collector evaluates page and scroll goals; then their conversions show up here too.
    let eventNames: Record<string, number> | undefined;
    if (opts.goals) {
      const rs = await running.store.client.query({
        query: `SELECT name, sum(events) AS n FROM ${running.store.table(cubeTable('event_names', 'hour'))} WHERE site = {site:String} GROUP BY name ORDER BY n DESC LIMIT 20`,
        query_params: { site: BENCH_SITE },
        format: 'JSONEachRow',
      });
      eventNames = Object.fromEntries((await rs.json<{ name: string; n: string }>()).map((r) => [r.name, Number(r.n)]));
    }
    const dropped = Object.fromEntries(
      DROP_REASONS.map((r) => [r, metrics.value('telmark_events_dropped_total', { reason: r })]).filter(([, n]) => n !== 0),
    );
    const counted = metrics.value('telmark_events_counted_total');
    // Read back through the collector's own store: the settings the run was meant to have.
    const settings = opts.goals ? { goals: (await listGoals(running.store, BENCH_SITE)).length, allowedProps: await allowedProps(running.store, BENCH_SITE) } : {};
    await running.stop();
    await toParent({ type: 'result', result: { cpuMs, counted, dropped, stored, storedEvents, eventNames, ...settings } });
  } catch (err) {
    process.stderr.write(logs.map((l) => `  collector log: ${l}\n`).join(''));
    throw err;
  } finally {
    dir.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------

/** One autocannon drive; with `mix`, the mixed traffic, tallied per kind into it. */
function drive(url: string, seconds: number, opts: ThroughputOptions, seed: number, mix?: MixTally): Promise<AutocannonResult> {
  return autocannon({
    url,
    connections: opts.connections,
    pipelining: 1,
    duration: seconds,
    requests: mix ? mixRequests(opts, seed, mix) : trafficRequests(opts, seed),
  });
}

interface ServerResult {
  cpuMs: number;
  counted?: number;
  dropped?: Record<string, number>;
  stored?: Record<string, number>;
  storedEvents?: Record<string, number>;
  eventNames?: Record<string, number>;
  goals?: number;
  allowedProps?: string[];
}

/**
 * The mixed run's check, per kind. Pageviews and custom events are read from the cubes (every cube
 * table must agree); engagement events count in no cube, so they are what is left of the counted
 * total. Each kind must lie between its 202 answers and what was sent (answers still in flight
 * when autocannon stopped are counted by the collector but never read), nothing may be dropped
 * (a `no_visit` drop would be an engagement event that found no visit), every answer must be 202,
 * and the store must hold the configured goals and allowed props.
 */
function mixCheck(tally: MixTally, server: ServerResult): MixCheck {
  const storedPageviews = server.stored ?? {};
  const storedEvents = server.storedEvents ?? {};
  const one = (values: Record<string, number>) => {
    const distinct = [...new Set(Object.values(values))];
    return distinct.length === 1 ? distinct[0]! : NaN;
  };
  const pageviews = one(storedPageviews);
  const custom = one(storedEvents);
  const countedTotal = server.counted ?? 0;
  const counted: Record<MixKind, number> = { pageview: pageviews, custom, engagement: countedTotal - pageviews - custom };
  const dropped = server.dropped ?? {};
  const goals = server.goals ?? 0;
  const allowed = server.allowedProps ?? [];
  const ok =
    MIX_KINDS.every((k) => counted[k] >= tally.ok202[k] && counted[k] <= tally.sent[k]) &&
    tally.not202 === 0 &&
    Object.keys(dropped).length === 0 &&
    goals === benchGoals(0).length &&
    [...allowed].sort().join(',') === [...BENCH_ALLOWED_PROPS].sort().join(',');
  return { sent: tally.sent, ok202: tally.ok202, not202: tally.not202, counted, countedTotal, dropped, storedPageviews, storedEvents, eventNames: server.eventNames ?? {}, goals, allowedProps: allowed, ok };
}

async function oneRun(kind: ServerKind, opts: ThroughputOptions, seed: number, log: Progress) {
  const isCollector = kind === 'collector' || kind === 'collector-no-abuse' || kind === 'collector-mix';
  const isMix = kind === 'collector-mix';
  // Warm-up and measured drive together: the collector's counts cover both.
  const tally: MixTally | undefined = isMix ? { sent: zeroByKind(), ok202: zeroByKind(), not202: 0 } : undefined;
  const { warm, r, clientCpuPct, server } = await withChild(
    isCollector ? 'collector-server' : 'bare-server',
    { httpOnly: kind === 'http', abuse: kind !== 'collector-no-abuse', goals: isMix },
    async (child) => {
      const { url } = await child.next<{ url: string }>('ready');
      const warm = opts.warmupSeconds > 0 ? await drive(url, opts.warmupSeconds, opts, seed + 1000, tally) : undefined;
      child.send({ type: 'mark' });
      const clientCpu = process.cpuUsage();
      const wall = performance.now();
      const r = await drive(url, opts.seconds, opts, seed, tally);
      const c = process.cpuUsage(clientCpu);
      const clientCpuPct = ((c.user + c.system) / 1000 / (performance.now() - wall)) * 100;
      child.send({ type: 'finish' });
      const server = await child.next<ServerResult>('result');
      return { warm, r, clientCpuPct, server };
    },
  );
  const total = r.requests.total ?? r['2xx'];
  const figures: RunFigures = {
    kind,
    reqPerSec: r['2xx'] / r.duration,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    serverCpuUsPerReq: (server.cpuMs * 1000) / Math.max(1, total),
    clientCpuPct,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
  log(
    `${kind.padEnd(18)} ${Math.round(figures.reqPerSec)} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ` +
      `server CPU ${figures.serverCpuUsPerReq.toFixed(0)} µs/req, load generator ${clientCpuPct.toFixed(0)} % CPU, non-2xx ${r.non2xx}, errors ${figures.errors}`,
  );
  let check: CollectorCheck | undefined;
  let mix: MixCheck | undefined;
  if (isMix) {
    mix = mixCheck(tally!, server);
    const by = (f: (k: MixKind) => number | string) => MIX_KINDS.map((k) => `${k} ${f(k)}`).join(', ');
    log(
      `  check: ${mix.ok ? 'OK' : 'MISMATCH'}: 202 / sent / counted: ${by((k) => `${mix!.ok202[k]} / ${mix!.sent[k]} / ${mix!.counted[k]}`)}; ` +
        `non-202 ${mix.not202}; stored pageviews per cube ${[...new Set(Object.values(mix.storedPageviews))].join('/')}, ` +
        `events per cube ${[...new Set(Object.values(mix.storedEvents))].join('/')}; dropped ${JSON.stringify(mix.dropped)}; ` +
        `${mix.goals} goals, allowed props [${mix.allowedProps.join(', ')}]; event cube by name ${JSON.stringify(mix.eventNames)}`,
    );
  } else if (isCollector) {
    const sent = (warm?.requests.sent ?? 0) + (r.requests.sent ?? 0);
    const ok2xx = (warm?.['2xx'] ?? 0) + r['2xx'];
    const counted = server.counted ?? 0;
    const stored = server.stored ?? {};
    const dropped = server.dropped ?? {};
    const ok =
      Object.values(stored).every((n) => n === counted) && Object.keys(dropped).length === 0 && counted >= ok2xx && counted <= sent;
    check = { sent, ok2xx, counted, dropped, stored, ok };
    log(
      `  check: ${ok ? 'OK' : 'MISMATCH'}: ${ok2xx} x 2xx of ${sent} sent, ${counted} counted, ` +
        `stored pageviews per cube ${[...new Set(Object.values(stored))].join('/')}, dropped ${JSON.stringify(dropped)}`,
    );
  }
  return { figures, check, mix };
}

export async function runThroughput(opts: ThroughputOptions, log: Progress): Promise<ThroughputResult> {
  log(
    `${opts.runs} x (bare Hono, collector HTTP layer with a no-op pipeline, collector, collector without abuse buffer, collector with goals/props/engagement mix), ` +
      `${opts.seconds} s each after ${opts.warmupSeconds} s warm-up, ` +
      `${opts.connections} connections, ${opts.clientIps} client IPs, ${opts.distinctBodies} distinct bodies`,
  );
  const runs: RunFigures[] = [];
  const checks: CollectorCheck[] = [];
  const mixChecks: MixCheck[] = [];
  for (let i = 0; i < opts.runs; i++) {
    for (const kind of SERVER_KINDS) {
      log(`run ${i + 1}/${opts.runs}: ${kind} ...`);
      const { figures, check, mix } = await oneRun(kind, opts, 42 + i, log);
      runs.push(figures);
      if (check) checks.push(check);
      if (mix) mixChecks.push(mix);
    }
  }
  const of = (kind: ServerKind) => {
    const mine = runs.filter((r) => r.kind === kind);
    const med = (f: (r: RunFigures) => number) => median(mine.map(f));
    return {
      reqPerSec: med((r) => r.reqPerSec),
      p50Ms: med((r) => r.p50Ms),
      p99Ms: med((r) => r.p99Ms),
      serverCpuUsPerReq: med((r) => r.serverCpuUsPerReq),
      clientCpuPct: med((r) => r.clientCpuPct),
    };
  };
  const summary = {
    bare: of('bare'),
    http: of('http'),
    collector: of('collector'),
    'collector-no-abuse': of('collector-no-abuse'),
    'collector-mix': of('collector-mix'),
  };
  const pageviewShare = 1 - MIX_SHARES.engagement - MIX_SHARES.customProps - MIX_SHARES.customRevenue;
  return {
    options: opts,
    runs,
    summary,
    ratio: summary.collector.reqPerSec / summary.bare.reqPerSec,
    cpuRatio: summary.bare.serverCpuUsPerReq / summary.collector.serverCpuUsPerReq,
    abuseRatio: summary.collector.reqPerSec / summary['collector-no-abuse'].reqPerSec,
    abuseCpuRatio: summary['collector-no-abuse'].serverCpuUsPerReq / summary.collector.serverCpuUsPerReq,
    mixRatio: summary['collector-mix'].reqPerSec / summary.collector.reqPerSec,
    mixCpuRatio: summary.collector.serverCpuUsPerReq / summary['collector-mix'].serverCpuUsPerReq,
    mixShares: {
      pageview: pageviewShare,
      custom: MIX_SHARES.customProps + MIX_SHARES.customRevenue,
      engagement: MIX_SHARES.engagement,
      // Of all requests: pageviews picked uniformly over the plain bodies and the goal pages' ones.
      pageviewGoalPages: (pageviewShare * (BLOG_BODIES + THANK_YOU_BODIES)) / (opts.distinctBodies + BLOG_BODIES + THANK_YOU_BODIES),
    },
    checks,
    mixChecks,
  };
}
