// `npm run bench [-- --only=throughput,storage,stats,undercount,abuse,auth,geo] [-- --quick] [-- --extra]`
//
// How to read these figures
// - Everything is measured in this run on this machine; ratios compare against a baseline measured
//   in the same run (bare Hono for throughput, a raw events table for storage). Nothing is hard-coded.
// - Throughput: the server runs in a child process, autocannon in this one; on a 2-core machine
//   that is one core each. Each figure is the median of alternating runs. "server CPU µs/req" is
//   the server process' CPU time (all threads, chDB included) per answered request: it is the figure
//   that carries over to bigger machines (req/s per core = 1e6 / µs). If "load generator CPU" is near
//   100 %, the bare baseline is limited by autocannon, not the server, and the ratio flatters us.
//   The "HTTP layer only" row is a diagnostic: the real createCollectorApp (middlewares, body checks,
//   beacon validation) with the pipeline replaced by a no-op; the rest of the gap is pipeline + storage.
//   "mix / pageviews only" is the same collector with goals and allowed props configured and a mix of
//   custom events (props, revenue), engagement events and goal-page pageviews, against pageviews only.
// - Storage: the same events in both stores, both OPTIMIZE FINAL'd, bytes_on_disk from system.parts.
//   Day cubes are the long-term store and grow with history: "per 1M events" and the ratio compare
//   them per event with the raw table. Hour cubes (HOURLY_RETENTION_DAYS) and minute cubes (48 h)
//   hold a window whose size follows the traffic rate, not the history: shown apart, and in "all
//   cube tables as stored". `--extra` adds the same 1M events 10x denser (events per hour).
// - Stats API: wall time of real HTTP requests, one at a time, as the dashboard makes them, over the
//   last 90 days of a site with >= 10M events (closed days from the day cubes, today from the hour
//   cubes), after the tables were merged (steady state).
// - Undercount: a model, not a measurement of real traffic: read the assumptions printed with it.
//   It uses the collector's own visitorKey and truncateIp; the seeds are fixed, so reruns agree.
// - Abuse buffer: memory per held full IP (RSS and heap + array buffers, each size in a fresh child
//   after a full GC, next to a bare Map and the key strings alone) and per-call latency of its hot
//   calls, timed in batches (percentiles over batches, not single calls).
// - Accounts: wall time of real HTTP requests, one at a time, to the dashboard with each kind of
//   credential (the operator's key is the baseline: no account lookup), sign-in latency (argon2id),
//   and the ClickHouse writes that keeping a session alive cost.
// - Country look-up: nanoseconds per call of the pipeline's lookUpCountry step over the country
//   database, timed in batches (percentiles over batches), for public IPv4 and IPv6 addresses and
//   for private ones (which are not looked up). The throughput part includes it in every beacon.
// - --quick shortens every part (fewer/shorter runs, fewer events); quick figures are indicative only.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_RETENTION_MONTHS } from '../schema/retention.ts';
import { abuseMarkdown, ABUSE_DEFAULTS_BENCH, ABUSE_QUICK, runAbuse, type AbuseResult } from './bench/abuse.ts';
import { authMarkdown, AUTH_DEFAULTS, AUTH_QUICK, runAuth, type AuthResult } from './bench/auth.ts';
import { geoMarkdown, GEO_DEFAULTS, GEO_QUICK, runGeo, type GeoResult } from './bench/geo.ts';
import { fmtBytes, fmtInt, fmtMs, fmtNs, fmtPct, progress, table } from './bench/common.ts';
import { runStats, STATS_DEFAULTS, STATS_QUICK, type StatsResult } from './bench/stats.ts';
import { runStorage, STORAGE_DEFAULTS, STORAGE_QUICK, type StorageOptions, type StorageResult } from './bench/storage.ts';
import { runThroughput, THROUGHPUT_DEFAULTS, THROUGHPUT_QUICK, type ThroughputResult } from './bench/throughput.ts';
import {
  runUndercount,
  undercountAssumptions,
  UNDERCOUNT_SCENARIOS,
  type UndercountResult,
} from './bench/undercount.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const PARTS = ['throughput', 'storage', 'stats', 'undercount', 'abuse', 'auth', 'geo'] as const;
type Part = (typeof PARTS)[number];

const TARGETS = { throughputRatio: 0.8, storageRatio: 20, statsP50Ms: 50, abuseRatio: 0.9 };

interface Args {
  only: Part[];
  quick: boolean;
  extra: boolean;
}

function parseArgs(argv: string[]): Args {
  let only: Part[] = [...PARTS];
  let quick = false;
  let extra = false;
  for (const a of argv) {
    if (a === '--quick') quick = true;
    else if (a === '--extra') extra = true;
    else if (a.startsWith('--only=')) {
      const names = a.slice('--only='.length).split(',').map((s) => s.trim()).filter(Boolean);
      const bad = names.filter((n) => !(PARTS as readonly string[]).includes(n));
      if (bad.length) usage(`unknown part(s): ${bad.join(', ')}`);
      only = names as Part[];
    } else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  return { only, quick, extra };
}

function usage(error?: string): never {
  if (error) console.error(`bench: ${error}`);
  console.error(`usage: npm run bench -- [--only=${PARTS.join(',')}] [--quick] [--extra]`);
  process.exit(error ? 2 : 0);
}

interface Results {
  startedAt: string;
  /** Per part: share of the machine's CPU that processes outside this benchmark used meanwhile. */
  otherLoad: Record<string, number>;
  mode: 'full' | 'quick';
  environment: Record<string, string | number>;
  throughput?: ThroughputResult;
  storage?: Array<{ label: string; result: StorageResult }>;
  stats?: StatsResult;
  undercount?: UndercountResult[];
  abuse?: AbuseResult;
  auth?: AuthResult;
  geo?: GeoResult;
  errors: Record<string, string>;
  markdown?: string;
}

function environment(): Record<string, string | number> {
  const version = (pkg: string) => {
    try {
      return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return '?';
    }
  };
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim();
  } catch {
    // not a checkout
  }
  return {
    cpu: cpus()[0]?.model ?? '?',
    cores: cpus().length,
    node: process.version,
    hono: version('hono'),
    '@hono/node-server': version('@hono/node-server'),
    chdb: version('chdb'),
    autocannon: version('autocannon'),
    commit,
  };
}

/**
 * CPU jiffies used by the whole machine and by this benchmark (this process plus its children,
 * which have all exited and been reaped by the end of a part: /proc/self/stat cutime + cstime).
 * The difference tells whether someone else's processes competed for the cores. Linux only.
 */
interface CpuSnapshot {
  at: number;
  machineBusy: number;
  ours: number;
}

function cpuSnapshot(): CpuSnapshot | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    const self = readFileSync('/proc/self/stat', 'utf8');
    const f = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    return { at: performance.now(), machineBusy: user + nice + system + irq + softirq + steal, ours: f[11]! + f[12]! + f[13]! + f[14]! };
  } catch {
    return undefined;
  }
}

function otherProcessesShare(a: CpuSnapshot | undefined, b: CpuSnapshot | undefined): number | undefined {
  if (!a || !b) return undefined;
  const capacity = ((b.at - a.at) / 1000) * 100 * cpus().length; // USER_HZ = 100
  return Math.max(0, (b.machineBusy - a.machineBusy - (b.ours - a.ours)) / capacity);
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');

/**
 * Raw table vs everything telmark keeps after RETENTION_MONTHS (25) of history at the measured
 * traffic rate: raw and day cubes scale with the events, the hour (HOURLY_RETENTION_DAYS) and
 * minute (48 h) windows stay as measured (scaled up to a full window if the run was shorter).
 * A projection from measured figures, labelled as such.
 */
function projectedRatio(s: StorageResult, months = DEFAULT_RETENTION_MONTHS): number {
  const events = (s.counted / (s.options.days * 24)) * 24 * (365.25 / 12) * months;
  const raw = (s.perMillion.raw * events) / 1e6;
  const day = (s.perMillion.dayCubes * events) / 1e6;
  const hourWindow = s.hourCubes.bytesOnDisk * (s.hourlyRetentionDays / Math.min(s.options.days, s.hourlyRetentionDays));
  const minuteWindow = s.minuteCubes.bytesOnDisk * (2 / Math.min(s.options.days, 2));
  return raw / (day + hourWindow + minuteWindow);
}

function markdown(r: Results): string {
  const out: string[] = [];
  const env = r.environment;
  out.push(`## Benchmarks (${r.mode} run, ${r.startedAt.slice(0, 10)})`);
  out.push('');
  out.push(`${env.cpu}, ${env.cores} cores, Node ${env.node}, hono ${env.hono}, @hono/node-server ${env['@hono/node-server']}, chdb ${env.chdb}, commit ${env.commit}. Reproduce: \`npm run bench${r.mode === 'quick' ? ' -- --quick' : ''}\`.`);
  out.push('');

  // Summary
  const summary: Array<Array<string | number>> = [];
  if (r.throughput) {
    const t = r.throughput;
    summary.push([
      'Collector throughput / bare Hono',
      `${t.ratio.toFixed(2)} (${fmtInt(t.summary.collector.reqPerSec)} vs ${fmtInt(t.summary.bare.reqPerSec)} req/s); by server CPU per request ${t.cpuRatio.toFixed(2)}`,
      `>= ${TARGETS.throughputRatio}`,
      verdict(t.ratio >= TARGETS.throughputRatio),
    ]);
    summary.push([
      'Collector throughput, abuse buffer on / off (ABUSE_MAX_IPS=0)',
      `${t.abuseRatio.toFixed(2)} (${fmtInt(t.summary.collector.reqPerSec)} vs ${fmtInt(t.summary['collector-no-abuse'].reqPerSec)} req/s); by server CPU per request ${t.abuseCpuRatio.toFixed(2)}`,
      `>= ${TARGETS.abuseRatio} (within 10 %)`,
      verdict(t.abuseRatio >= TARGETS.abuseRatio),
    ]);
    const ok = t.checks.every((c) => c.ok);
    summary.push(['Beacons answered 2xx = pageviews stored', ok ? `yes, in all ${t.checks.length} collector runs` : 'NO (see below)', 'exact', verdict(ok)]);
    summary.push([
      'Collector throughput, goals/props/engagement mix / pageviews only (same run)',
      `${t.mixRatio.toFixed(2)} (${fmtInt(t.summary['collector-mix'].reqPerSec)} vs ${fmtInt(t.summary.collector.reqPerSec)} req/s); by server CPU per request ${t.mixCpuRatio.toFixed(2)}`,
      'published',
      'measured',
    ]);
    const mixOk = t.mixChecks.every((c) => c.ok);
    summary.push(['Mixed traffic: every beacon answered 202, each kind counted as sent, none dropped', mixOk ? `yes, in all ${t.mixChecks.length} mixed runs` : 'NO (see below)', 'exact', verdict(mixOk)]);
  }
  const mainStorage = r.storage?.[0]?.result;
  if (mainStorage) {
    summary.push([
      `Storage per event, raw events table / day cubes (long-term store; ${fmtInt(mainStorage.counted)} events, ${mainStorage.options.days} days)`,
      `${mainStorage.ratioDay.toFixed(1)}x smaller; everything telmark keeps (with ${mainStorage.hourlyRetentionDays} days of hour and 48 h of minute cubes): ${mainStorage.ratioAll.toFixed(1)}x after ${mainStorage.options.days} days, ${projectedRatio(mainStorage).toFixed(1)}x projected after ${DEFAULT_RETENTION_MONTHS} months`,
      `>= ${TARGETS.storageRatio}x`,
      verdict(mainStorage.ratioDay >= TARGETS.storageRatio),
    ]);
  }
  if (r.stats) {
    // The dashboard's queries as it repeats them; the uncached goal query (a new date range every
    // time, so its rate denominators are never reused) is reported on its own line.
    const repeated = r.stats.queries.filter((q) => !q.name.endsWith('uncached'));
    const worst = repeated.reduce((a, b) => (b.p50Ms > a.p50Ms ? b : a));
    const best = repeated.reduce((a, b) => (b.p50Ms < a.p50Ms ? b : a));
    summary.push([`Stats API p50, 90 days, ${fmtInt(r.stats.events)} events`, `${fmtMs(best.p50Ms)}-${fmtMs(worst.p50Ms)} ms (slowest: ${worst.name})`, `< ${TARGETS.statsP50Ms} ms`, verdict(worst.p50Ms < TARGETS.statsP50Ms)]);
    for (const q of r.stats.queries.filter((q) => q.name.endsWith('uncached'))) {
      summary.push([`Stats API p50, ${q.name}`, `${fmtMs(q.p50Ms)} ms`, `< ${TARGETS.statsP50Ms} ms`, verdict(q.p50Ms < TARGETS.statsP50Ms)]);
    }
  }
  if (r.undercount) {
    const national = r.undercount.filter((u) => u.scenario.mix === 'national' && u.scenario.addressSpaceShare === 1 && !u.scenario.mobilePoolScale);
    summary.push(['Visitor undercount from IP truncation (1k / 50k / 1M per day, national)', national.map((u) => fmtPct(u.undercountVsFullIp, 1)).join(' / '), 'published', 'measured']);
  }
  if (r.abuse) {
    const sizes = r.abuse.sizes;
    summary.push([
      `Abuse buffer resident memory per held IP (${sizes.map((s) => fmtInt(s.n)).join(' / ')} IPs)`,
      `${sizes.map((s) => `${fmtInt(s.buffer.memory.perIp.rss)} B`).join(' / ')} RSS; recordEvent p50 ${sizes.map((s) => fmtNs(s.buffer.latency.recordEvent.p50Ns)).join(' / ')}`,
      'published',
      'measured',
    ]);
  }
  if (summary.length) {
    out.push(table(['Measure', 'Result', 'Target', ''], summary));
    out.push('');
  }

  if (r.throughput) {
    const t = r.throughput;
    const o = t.options;
    out.push(`### Collector throughput vs bare Hono`);
    out.push('');
    out.push(`Median of ${o.runs} alternating runs per server, ${o.seconds} s each after ${o.warmupSeconds} s warm-up; autocannon, ${o.connections} connections, pipelining 1, loopback; Plausible pageview beacons (${o.distinctBodies} distinct bodies) from ${fmtInt(o.clientIps)} client IPs via X-Forwarded-For (TRUSTED_PROXIES=127.0.0.1) with real browser user agents. Server and load generator each get one of the ${env.cores} cores.`);
    out.push('');
    const row = (label: string, s: ThroughputResult['summary']['bare']) => [label, fmtInt(s.reqPerSec), s.p50Ms, s.p99Ms, fmtInt(s.serverCpuUsPerReq), `${s.clientCpuPct.toFixed(0)} %`];
    out.push(
      table(
        ['Server', 'req/s', 'p50 ms', 'p99 ms', 'server CPU µs/req', 'load generator CPU'],
        [
          row('bare Hono: one POST route, reads the body, 202', t.summary.bare),
          row('collector HTTP layer only: createCollectorApp with a no-op pipeline (diagnostic)', t.summary.http),
          row('telmark collector (startAll, embedded chDB, default flush; abuse buffer and 10 s hold on)', t.summary.collector),
          row('telmark collector, abuse buffer off (ABUSE_MAX_IPS=0)', t.summary['collector-no-abuse']),
          row('telmark collector as above, goals and allowed props set, goals/props/engagement mix', t.summary['collector-mix']),
          ['**collector / bare**', `**${t.ratio.toFixed(2)}**`, '', '', `${t.cpuRatio.toFixed(2)} (bare / collector)`, ''],
          ['**abuse buffer on / off**', `**${t.abuseRatio.toFixed(2)}**`, '', '', `${t.abuseCpuRatio.toFixed(2)} (off / on)`, ''],
          ['**mix / pageviews only**', `**${t.mixRatio.toFixed(2)}**`, '', '', `${t.mixCpuRatio.toFixed(2)} (pageviews only / mix)`, ''],
        ],
      ),
    );
    out.push('');
    if (t.summary.bare.clientCpuPct > 85) {
      out.push(
        `The load generator used ${t.summary.bare.clientCpuPct.toFixed(0)} % of its core against bare Hono, so the bare figure is partly autocannon's limit and the req/s ratio flatters the collector; the CPU-per-request ratio (${t.cpuRatio.toFixed(2)}) does not have that bias.`,
      );
      out.push('');
    }
    out.push(
      `Counting check (after a final flush): ${t.checks
        .map((c, i) => `run ${i + 1}: ${fmtInt(c.sent)} sent, ${fmtInt(c.ok2xx)} answered 2xx before autocannon stopped, ${fmtInt(c.counted)} counted, ${[...new Set(Object.values(c.stored))].map(fmtInt).join('/')} pageviews stored in each of the ${Object.keys(c.stored).length} cube tables${Object.keys(c.dropped).length ? `, dropped ${JSON.stringify(c.dropped)}` : ', none dropped'} ${c.ok ? '(ok)' : '(**MISMATCH**)'}`)
        .join('; ')}. Requests sent but not yet answered when autocannon stops are still counted by the collector; the check is stored = counted and 2xx <= counted <= sent.`,
    );
    out.push('');
    const sh = t.mixShares;
    out.push(
      `Mixed traffic (collector-mix, alternating with the others, same settings): before the collector starts, the site gets an event goal (Signup, currency EUR), a page goal (/thank-you), a scroll goal (/blog/**, 75 %) and allowed prop keys plan and author. ` +
        `Requests: ${fmtPct(sh.pageview, 0)} pageviews (${fmtPct(sh.pageviewGoalPages, 1)} of all requests on /blog/... and /thank-you), ${fmtPct(sh.custom, 0)} custom events (two thirds with props {plan, author} and some with a key that is not allowed, one third Signup with EUR revenue), ` +
        `${fmtPct(sh.engagement, 0)} engagement events (sd 0-100, e up to 3 min), each from a visitor (address, user agent, language) whose pageview was already answered, naming that page. The ratio compares it with the pageviews-only collector row.`,
    );
    out.push('');
    out.push(
      `Mixed counting check (after a final flush): ${t.mixChecks
        .map(
          (c, i) =>
            `run ${i + 1}: ${(['pageview', 'custom', 'engagement'] as const).map((k) => `${k} ${fmtInt(c.ok202[k])} x 202 / ${fmtInt(c.sent[k])} sent / ${fmtInt(c.counted[k])} counted`).join(', ')}; ` +
            `${c.not202} not 202${Object.keys(c.dropped).length ? `, dropped ${JSON.stringify(c.dropped)}` : ', none dropped'}; ${c.goals} goals and props [${c.allowedProps.join(', ')}] in the store ${c.ok ? '(ok)' : '(**MISMATCH**)'}`,
        )
        .join('; ')}. Pageviews and custom events are read from the visit and pages cubes (each table must agree), engagement is the rest of the collector's counted total; each kind must lie between its 202 answers and what was sent.`,
    );
    out.push('');
  }

  if (r.storage?.length) {
    out.push(`### Storage per 1M events`);
    out.push('');
    for (const { label, result: s } of r.storage) {
      out.push(
        `**${label}**: ${fmtInt(s.counted)} events (${fmtInt(s.visits)} visits, ${fmtInt(s.options.visitors)} people, ${s.options.pages} pages, 40 sources, 30 campaigns) over ${s.options.days} days, ` +
          `${fmtInt(s.counted / (s.options.days * 24))} events/hour, through the real pipeline and flusher (${fmtInt(s.ingestRowsFlushed)} ingest rows in ${s.flushes} flushes; ` +
          `${fmtInt(s.pipelineEventsPerSec)} events/s in the pipeline alone), the collector's day closer folding each finished day into the day cubes (${s.closedDays} days). ` +
          `Then OPTIMIZE FINAL, which also applies the TTLs (hour cubes ${s.hourlyRetentionDays} days, minute cubes 48 h). The raw table is Plausible's events_v2 shape restricted to the columns ` +
          `whose information the cubes also hold (the country code, but no region or city, versions, props, nor Plausible's sessions table); referrer and UTM fields per event, as Plausible writes them.`,
      );
      out.push('');
      const share = (cols: Array<{ column: string; bytes: number }>, column: string) => {
        const total = cols.reduce((a, c) => a + c.bytes, 0);
        return total ? (cols.find((c) => c.column === column)?.bytes ?? 0) / total : 0;
      };
      const top = (cols: Array<{ column: string; bytes: number }>) => cols.slice(0, 4).map((c) => `${c.column} ${fmtBytes(c.bytes)}`).join(', ');
      out.push(
        table(
          ['Store', 'holds', 'rows', 'on disk', 'per 1M events', 'raw / this, per event'],
          [
            ['Plausible-style raw events table (MergeTree, 1 row per event)', 'all events', fmtInt(s.raw.rows), fmtBytes(s.raw.bytesOnDisk), fmtBytes(s.perMillion.raw), '1x'],
            [`telmark day cubes + closings log (RETENTION_MONTHS)`, `${s.closedDays} closed days, ${fmtInt(s.eventsInClosedDays)} events${s.eventsInDayCubes === s.eventsInClosedDays ? '' : ` (**day cubes count ${fmtInt(s.eventsInDayCubes)}**)`}`, fmtInt(s.dayCubes.rows), fmtBytes(s.dayCubes.bytesOnDisk), fmtBytes(s.perMillion.dayCubes), `**${s.ratioDay.toFixed(1)}x**`],
            [`telmark hour cubes (HOURLY_RETENTION_DAYS=${s.hourlyRetentionDays})`, `last ${s.hourlyRetentionDays} days, ${fmtInt(s.eventsInHourWindow)} events`, fmtInt(s.hourCubes.rows), fmtBytes(s.hourCubes.bytesOnDisk), 'bounded by the window', ''],
            ['telmark minute cubes (48 h)', `last 48 h, ${fmtInt(s.eventsInLast48h)} events`, fmtInt(s.minuteCubes.rows), fmtBytes(s.minuteCubes.bytesOnDisk), 'bounded by the window', ''],
            ['telmark, all cube tables as stored', `after ${s.options.days} days`, fmtInt(s.allCubes.rows), fmtBytes(s.allCubes.bytesOnDisk), '', `${s.ratioAll.toFixed(1)}x (total bytes)`],
            [`projection: raw table vs all cube tables after ${DEFAULT_RETENTION_MONTHS} months at this rate`, 'day cubes grow, windows do not', '', '', '', `${projectedRatio(s).toFixed(1)}x`],
          ],
        ),
      );
      out.push('');
      out.push(
        `Day cubes hold counts only (visitors finalised per day): largest columns ${top(s.dayCubeColumns)}. ` +
          `Hour cubes: the \`visitors\` uniqCombined64 sketches are ${fmtPct(share(s.hourCubeColumns, 'visitors'), 0)} of their bytes (${top(s.hourCubeColumns)}), ` +
          `so their size follows visitors x dimension combinations x hours, not events. Raw table's largest columns: ${top(s.rawColumns)}.` +
          `${s.ttlApplied ? '' : ' (Expired rows were still present after OPTIMIZE and MATERIALIZE TTL: bounded-window rows above include them.)'}`,
      );
      out.push('');
    }
  }

  if (r.stats) {
    const s = r.stats;
    out.push(`### Stats API latency, 90 days`);
    out.push('');
    out.push(
      `${fmtInt(s.events)} events (${fmtInt(s.pageviews)} pageviews, ${fmtInt(s.visits)} visits) over ${s.options.days} days, loaded as pre-aggregated rows into the ingest tables ` +
        `(the real materialized views built the cubes) in ${s.loadSeconds.toFixed(0)} s; the collector's day closer folded ${s.closedDays} finished days into the day cubes in ${s.closeSeconds.toFixed(0)} s; ` +
        `hour cubes back to their default retention and OPTIMIZE FINAL in ${s.optimizeSeconds.toFixed(0)} s. ` +
        `Rows: day cubes ${Object.entries(s.dayCubeRows).map(([c, n]) => `${c} ${fmtInt(n)}`).join(', ')}; hour cubes ${Object.entries(s.hourCubeRows).map(([c, n]) => `${c} ${fmtInt(n)}`).join(', ')}. ` +
        `${s.options.requestsPerQuery} real HTTP \`POST /api/v2/query\` per query type, \`date_range: "90d"\` (the API answered ${s.daysFromDayCubes} of its days from the day cubes, the rest from the hour cubes), ` +
        `one at a time, interleaved, after 2 warm-ups each; PRIVACY_MIN_VISITORS=5 (default).`,
    );
    out.push('');
    out.push(table(['Query', 'p50 ms', 'p95 ms', 'max ms', 'rows'], s.queries.map((q) => [q.name, fmtMs(q.p50Ms), fmtMs(q.p95Ms), fmtMs(q.maxMs), q.rows])));
    out.push('');
  }

  if (r.undercount) {
    out.push(`### Visitor undercount from IP truncation (simulation)`);
    out.push('');
    out.push('Distinct visitor keys per day with the full IP and with the truncated IP (/24, /48), computed with the collector\'s `visitorKey` and `truncateIp`; averaged over the simulated days.');
    out.push('');
    out.push(
      table(
        ['Scenario', 'people/day', 'keys, full IP', 'keys, truncated IP', 'undercount vs full IP', 'full IP vs people', 'by network (vs full IP)'],
        r.undercount.map((u) => [
          `${u.scenario.name}${u.scenario.days > 1 ? ` (${u.scenario.days} days)` : ''}`,
          fmtInt(u.people),
          fmtInt(u.keysFullIp),
          fmtInt(u.keysTruncatedIp),
          `**${fmtPct(u.undercountVsFullIp, 2)}**`,
          fmtPct(u.fullIpVsPeople, 2),
          Object.entries(u.byKind)
            .map(([k, v]) => `${k} ${fmtPct(v, 1)}`)
            .join(', '),
        ]),
      ),
    );
    out.push('');
    out.push('Assumptions:');
    for (const a of undercountAssumptions()) out.push(`- ${a}`);
    out.push('');
  }

  if (r.abuse) out.push(...abuseMarkdown(r.abuse));
  if (r.auth) out.push(...authMarkdown(r.auth));
  if (r.geo) out.push(...geoMarkdown(r.geo));

  const busy = Object.entries(r.otherLoad).filter(([, share]) => share > 0.1);
  if (busy.length) {
    out.push(
      `Note: other processes used ${busy.map(([part, share]) => `${fmtPct(share, 0)} of the machine during ${part}`).join(', ')}; those figures are pessimistic. Rerun on a quiet machine (\`npm run bench -- --only=${busy.map(([p]) => p).join(',')}\`).`,
      '',
    );
  }
  for (const [part, err] of Object.entries(r.errors)) out.push(`**${part} failed:** ${err.split('\n')[0]}`, '');
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = progress('bench');
  const results: Results = {
    startedAt: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    environment: environment(),
    otherLoad: {},
    errors: {},
  };
  log(`${results.mode} run: ${args.only.join(', ')}${args.extra ? ' (+ extra variants)' : ''}; ${results.environment.cpu}, ${results.environment.cores} cores`);
  const t0 = performance.now();

  const attempt = async (part: Part, run: () => Promise<void>) => {
    if (!args.only.includes(part)) return;
    const started = performance.now();
    const cpuBefore = cpuSnapshot();
    try {
      await run();
      const other = otherProcessesShare(cpuBefore, cpuSnapshot());
      if (other !== undefined) results.otherLoad[part] = other;
      log(`${part} done in ${((performance.now() - started) / 1000).toFixed(0)} s${other !== undefined ? `; other processes used ${fmtPct(other, 0)} of the machine meanwhile` : ''}`);
    } catch (err) {
      const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
      results.errors[part] = message;
      log(`${part} FAILED: ${message}`);
    }
  };

  await attempt('undercount', async () => {
    results.undercount = runUndercount(
      args.quick ? UNDERCOUNT_SCENARIOS.map((s) => ({ ...s, days: Math.max(1, Math.ceil(s.days / 4)) })) : UNDERCOUNT_SCENARIOS,
      progress('undercount'),
    );
  });
  await attempt('geo', async () => {
    results.geo = runGeo(args.quick ? GEO_QUICK : GEO_DEFAULTS, progress('geo'));
  });
  await attempt('abuse', async () => {
    results.abuse = await runAbuse(args.quick ? ABUSE_QUICK : ABUSE_DEFAULTS_BENCH, progress('abuse'));
  });
  await attempt('throughput', async () => {
    results.throughput = await runThroughput(args.quick ? THROUGHPUT_QUICK : THROUGHPUT_DEFAULTS, progress('throughput'));
  });
  await attempt('storage', async () => {
    const main: StorageOptions = args.quick ? STORAGE_QUICK : STORAGE_DEFAULTS;
    results.storage = [];
    const label = args.quick ? `${main.events / 1000}k events at the density of 1M events / 30 days` : '1M events over 30 days';
    results.storage.push({ label, result: await runStorage(main, progress('storage')) });
    if (args.extra) {
      const dense = { ...main, days: Math.max(1, Math.round(main.days / 10)) };
      results.storage.push({ label: `the same events 10x denser (${dense.days} days)`, result: await runStorage(dense, progress('storage')) });
    }
  });
  await attempt('stats', async () => {
    results.stats = await runStats(args.quick ? STATS_QUICK : STATS_DEFAULTS, progress('stats'));
  });

  await attempt('auth', async () => {
    results.auth = await runAuth(args.quick ? AUTH_QUICK : AUTH_DEFAULTS, progress('auth'));
  });

  results.markdown = markdown(results);
  const file = join(ROOT, '.tmp', 'bench-results.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  log(`all done in ${((performance.now() - t0) / 1000).toFixed(0)} s; results in ${file}`);
  process.stdout.write(`\n${results.markdown}\n`);
  process.exit(Object.keys(results.errors).length ? 1 : 0);
}

await main();
