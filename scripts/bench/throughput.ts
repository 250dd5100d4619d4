// Part 1: collector throughput against a bare Hono app on the same HTTP stack.
//
// Each server runs in a child process of its own (one core for it, one for autocannon in this
// process); runs alternate bare, http, collector, bare, ... and each figure is the median
// over its runs. The collector is the real one (startAll, embedded chDB, default flush interval),
// fed Plausible beacons from ~10k client IPs (X-Forwarded-For from a trusted 127.0.0.1) and real
// browser user agents, so every request does the full pipeline: IP resolution and truncation, bot
// check, UA parsing, acquisition, path clean-up, visitor key, session, aggregation.
import autocannon, { type AutocannonRequest, type AutocannonResult } from 'autocannon';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono } from 'hono';
import { createCollectorApp } from '../../collector/app.ts';
import { Metrics } from '../../collector/metrics.ts';
import { DROP_REASONS } from '../../collector/pipeline/event.ts';
import type { Pipeline } from '../../collector/pipeline/index.ts';
import { CUBE_NAMES, cubeTable } from '../../schema/cubes.ts';
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
 */
export type ServerKind = 'bare' | 'http' | 'collector' | 'collector-no-abuse';
const SERVER_KINDS: ServerKind[] = ['bare', 'http', 'collector', 'collector-no-abuse'];

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
  checks: CollectorCheck[];
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

/** One autocannon request whose setupRequest picks a random client (IP, UA, language) and body. */
function trafficRequests(opts: ThroughputOptions, seed: number): AutocannonRequest[] {
  const rng = prng(seed);
  const headers = syntheticVisitors(rng, opts.clientIps).map((v) => ({
    'content-type': 'text/plain',
    'user-agent': v.ua,
    'accept-language': v.acceptLanguage,
    'x-forwarded-for': v.ip,
  }));
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

/** Child role: the real collector (startAll, collector only) in a temporary DATA_DIR. */
export async function collectorServer(abuse = true): Promise<void> {
  const dir = tempDir('telmark-bench-collector-');
  const logs: string[] = [];
  try {
    const running = await startAll(
      {
        DATA_DIR: dir.path,
        COLLECTOR_PORT: '0',
        COLLECTOR_HOST: '127.0.0.1',
        SITES: BENCH_SITE,
        TRUSTED_PROXIES: '127.0.0.1',
        STATS_API_KEYS: BENCH_STATS_KEY,
        COLLECTOR_ADMIN_PORT: '0',
        ...(abuse ? {} : { ABUSE_MAX_IPS: '0' }),
      },
      { dashboard: false, log: (l) => logs.push(l) },
    );
    const cpu = cpuMarker();
    process.on('message', (m: { type: string }) => m.type === 'mark' && cpu.reset());
    await toParent({ type: 'ready', url: running.collectorUrl });
    await fromParent('finish');
    await sleep(200); // requests written just before autocannon stopped
    await running.flush();
    // After the final flush, so the insert work for the window's events is in the CPU figure.
    const cpuMs = cpu.elapsedMs();
    const { metrics } = running.collector;
    const stored: Record<string, number> = {};
    // Every cube that books pageviews (the custom-event cube holds custom events only).
    for (const cube of CUBE_NAMES.filter((c) => c !== 'event_names')) {
      for (const grain of ['hour', 'minute'] as const) {
        const table = cubeTable(cube, grain);
        const rs = await running.store.client.query({
          query: `SELECT sum(pageviews) AS n FROM ${running.store.table(table)} WHERE site = {site:String}`,
          query_params: { site: BENCH_SITE },
          format: 'JSONEachRow',
        });
        stored[table] = Number((await rs.json<{ n: string }>())[0]?.n ?? 0);
      }
    }
    const dropped = Object.fromEntries(
      DROP_REASONS.map((r) => [r, metrics.value('telmark_events_dropped_total', { reason: r })]).filter(([, n]) => n !== 0),
    );
    const counted = metrics.value('telmark_events_counted_total');
    await running.stop();
    await toParent({ type: 'result', result: { cpuMs, counted, dropped, stored } });
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

function drive(url: string, seconds: number, opts: ThroughputOptions, seed: number): Promise<AutocannonResult> {
  return autocannon({
    url,
    connections: opts.connections,
    pipelining: 1,
    duration: seconds,
    requests: trafficRequests(opts, seed),
  });
}

async function oneRun(kind: ServerKind, opts: ThroughputOptions, seed: number, log: Progress) {
  const isCollector = kind === 'collector' || kind === 'collector-no-abuse';
  const { warm, r, clientCpuPct, server } = await withChild(
    isCollector ? 'collector-server' : 'bare-server',
    { httpOnly: kind === 'http', abuse: kind === 'collector' },
    async (child) => {
      const { url } = await child.next<{ url: string }>('ready');
      const warm = opts.warmupSeconds > 0 ? await drive(url, opts.warmupSeconds, opts, seed + 1000) : undefined;
      child.send({ type: 'mark' });
      const clientCpu = process.cpuUsage();
      const wall = performance.now();
      const r = await drive(url, opts.seconds, opts, seed);
      const c = process.cpuUsage(clientCpu);
      const clientCpuPct = ((c.user + c.system) / 1000 / (performance.now() - wall)) * 100;
      child.send({ type: 'finish' });
      const server = await child.next<{ cpuMs: number; counted?: number; dropped?: Record<string, number>; stored?: Record<string, number> }>('result');
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
  if (isCollector) {
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
  return { figures, check };
}

export async function runThroughput(opts: ThroughputOptions, log: Progress): Promise<ThroughputResult> {
  log(
    `${opts.runs} x (bare Hono, collector HTTP layer with a no-op pipeline, collector), ${opts.seconds} s each after ${opts.warmupSeconds} s warm-up, ` +
      `${opts.connections} connections, ${opts.clientIps} client IPs, ${opts.distinctBodies} distinct bodies`,
  );
  const runs: RunFigures[] = [];
  const checks: CollectorCheck[] = [];
  for (let i = 0; i < opts.runs; i++) {
    for (const kind of SERVER_KINDS) {
      log(`run ${i + 1}/${opts.runs}: ${kind} ...`);
      const { figures, check } = await oneRun(kind, opts, 42 + i, log);
      runs.push(figures);
      if (check) checks.push(check);
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
  const summary = { bare: of('bare'), http: of('http'), collector: of('collector'), 'collector-no-abuse': of('collector-no-abuse') };
  return {
    options: opts,
    runs,
    summary,
    ratio: summary.collector.reqPerSec / summary.bare.reqPerSec,
    cpuRatio: summary.bare.serverCpuUsPerReq / summary.collector.serverCpuUsPerReq,
    abuseRatio: summary.collector.reqPerSec / summary['collector-no-abuse'].reqPerSec,
    abuseCpuRatio: summary['collector-no-abuse'].serverCpuUsPerReq / summary.collector.serverCpuUsPerReq,
    checks,
  };
}
