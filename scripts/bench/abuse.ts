// Part: the abuse buffer's memory and lookup figures (collector/abuse/buffer.ts).
//
// For each size N, three fresh child processes (one at a time, so each RSS figure starts clean):
// - buffer: an AbuseBuffer with maxIps = N filled with N distinct addresses (80 % IPv4, 20 % IPv6,
//   canonical text as the collector makes it: ipaddr.js toString, see abuse/address.ts), each
//   with 1-3 events naming one of 5 sites, some with a bot signal, 0.1 % spraying 9 sites (flagged
//   by sites_1m); then memory after a full GC, then the hot calls' latency and sweep() times.
// - map: a bare Map<string, number> with the same keys (the floor for any address-keyed index).
// - keys: the key strings alone in an array (what the strings themselves cost).
// Memory is measured after gc() (the child runs with --expose-gc): RSS, and heapUsed + arrayBuffers
// (the typed-array columns live outside the V8 heap, in arrayBuffers), each as (after - before) / N.
// Latency: calls are timed in batches with process.hrtime.bigint (one timer read per batch, not
// per call); mean and percentiles are over the batches' per-call means, so p99 is "the slowest 1 %
// of batches", which includes GC pauses but smooths single slow calls. Each call gets a fresh
// string object (as a request does), so hashes cached in the string never help.
import v8 from 'node:v8';
import vm from 'node:vm';
import ipaddr from 'ipaddr.js';
import { addressKey } from '../../collector/abuse/address.ts';
import { AbuseBuffer, BYTES_PER_SLOT } from '../../collector/abuse/buffer.ts';
import { ABUSE_DEFAULTS } from '../../collector/abuse/config.ts';
import { fmtInt, fmtNs, median, percentile, prng, progress, randInt, table, toParent, withChild, type Progress } from './common.ts';

export interface AbuseOptions {
  /** Held addresses per run (maxIps = N). */
  sizes: number[];
  /** Calls per timed batch. */
  batchSize: number;
  /** Timed batches per operation. */
  batches: number;
  /** Untimed batches first (JIT). */
  warmupBatches: number;
  /** Max-age full scans timed (the clock advances 61 s before each). */
  fullScans: number;
  seed: number;
}

export const ABUSE_DEFAULTS_BENCH: AbuseOptions = { sizes: [100_000, 1_000_000], batchSize: 1000, batches: 300, warmupBatches: 30, fullScans: 5, seed: 11 };
export const ABUSE_QUICK: AbuseOptions = { sizes: [100_000, 250_000], batchSize: 1000, batches: 100, warmupBatches: 20, fullScans: 3, seed: 11 };

export interface Latency {
  /** Per call, ns: the mean over all timed calls, and percentiles over batches' per-call means. */
  meanNs: number;
  p50Ns: number;
  p99Ns: number;
  batches: number;
  batchSize: number;
}

export interface MemoryFigures {
  /** Bytes after gc(), before creating anything and after holding n addresses. */
  rssBefore: number;
  rssAfter: number;
  /** heapUsed + arrayBuffers. */
  heapBuffersBefore: number;
  heapBuffersAfter: number;
  /** V8 heapTotal (committed heap, used or not) before and after. */
  heapTotalBefore: number;
  heapTotalAfter: number;
  /** Peak RSS of the child (getrusage maxrss), which is reached while filling. */
  peakRss: number;
  perIp: { rss: number; heapBuffers: number; heapTotalPlusBuffers: number; peakRss: number };
}

export type AbuseChildKind = 'buffer' | 'map' | 'keys';

interface ChildPayload {
  kind: AbuseChildKind;
  n: number;
  opts: AbuseOptions;
}

export interface BufferFigures {
  kind: 'buffer';
  n: number;
  memory: MemoryFigures;
  flagged: number;
  /** buffer.memoryBytes() after the fill, and per held address. */
  estimateBytes: number;
  estimatePerIp: number;
  /** Wall time of the fill (key text generation included), per address. */
  fillNsPerIp: number;
  avgKeyChars: number;
  latency: { get: Latency; flaggedVerdictMiss: Latency; recordEvent: Latency; recordEventEvicting: Latency };
  sweep: {
    /** sweep() when nothing is stale and the age scan is not due, per call (batched). */
    idle: Latency;
    /** sweep() with the age scan due (full walk), nothing expiring: each run, ms. */
    fullScanMs: number[];
    fullScanMedianMs: number;
  };
  evicted: number;
}

export interface MapFigures {
  kind: 'map' | 'keys';
  n: number;
  memory: MemoryFigures;
  avgKeyChars: number;
  /** Map.get with fresh strings of held keys (map only). */
  get?: Latency;
}

export interface AbuseSizeResult {
  n: number;
  buffer: BufferFigures;
  map: MapFigures;
  keys: MapFigures;
}

export interface AbuseResult {
  options: AbuseOptions;
  bytesPerSlot: number;
  sizes: AbuseSizeResult[];
}

// ---------------------------------------------------------------------------------------------
// Addresses
// ---------------------------------------------------------------------------------------------

/** lowbias32: a bijection on 32-bit integers, so distinct indexes give distinct addresses. */
function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

const V6_PREFIXES = [
  [0x2a, 0x02],
  [0x2a, 0x01],
  [0x20, 0x01],
  [0x24, 0x09],
  [0x26, 0x00],
];

/**
 * The i-th address (a fresh string every call): every fifth is IPv6 (a /32 from a few real-looking
 * prefixes, a /64 and a random interface id, as privacy extensions give), the rest IPv4. The
 * text is the collector's own key for the address (addressKey: ipaddr.js canonical text).
 */
function ipText(i: number): string {
  const h = mix32(i);
  if (i % 5 === 4) {
    const g = mix32(h ^ 0x9e3779b9);
    const k = mix32(g ^ 0x85ebca6b);
    const p = V6_PREFIXES[g % V6_PREFIXES.length]!;
    const bytes = [
      p[0]!, p[1]!, (g >>> 8) & 0xff, g & 0xff,
      (g >>> 24) & 0xff, (g >>> 16) & 0xff, 0, (k >>> 28) & 0x0f,
      (h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff,
      (k >>> 24) & 0xff, (k >>> 16) & 0xff, (k >>> 8) & 0xff, k & 0xff,
    ];
    return addressKey(ipaddr.fromByteArray(bytes));
  }
  return addressKey(ipaddr.fromByteArray([(h >>> 24) & 0xff, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff]));
}

const SITES = ['shop.example', 'blog.example', 'docs.example', 'news.example', 'app.example'];
const SPRAY_SITES = [...SITES, 'a.example', 'b.example', 'c.example', 'd.example'];
const BOT_SIGNALS = ['isbot', 'headless', 'empty-ua', 'automation', 'short-ua'];

// ---------------------------------------------------------------------------------------------
// The child
// ---------------------------------------------------------------------------------------------

function gcFunction(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

let gc: (() => void) | undefined;

async function settle(): Promise<void> {
  gc ??= gcFunction();
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise<void>((r) => setImmediate(r));
  }
}

type Snapshot = { rss: number; heapBuffers: number; heapTotal: number; arrayBuffers: number };

function snapshot(): Snapshot {
  const m = process.memoryUsage();
  return { rss: m.rss, heapBuffers: m.heapUsed + m.arrayBuffers, heapTotal: m.heapTotal, arrayBuffers: m.arrayBuffers };
}

function memoryFigures(before: Snapshot, after: Snapshot, n: number): MemoryFigures {
  const peakRss = process.resourceUsage().maxRSS * 1024;
  return {
    rssBefore: before.rss,
    rssAfter: after.rss,
    heapBuffersBefore: before.heapBuffers,
    heapBuffersAfter: after.heapBuffers,
    heapTotalBefore: before.heapTotal,
    heapTotalAfter: after.heapTotal,
    peakRss,
    perIp: {
      rss: (after.rss - before.rss) / n,
      heapBuffers: (after.heapBuffers - before.heapBuffers) / n,
      heapTotalPlusBuffers: (after.heapTotal + after.arrayBuffers - before.heapTotal - before.arrayBuffers) / n,
      peakRss: (peakRss - before.rss) / n,
    },
  };
}

/**
 * Times `call(0 .. warmup*size-1)` untimed, then `batches` batches of `size` calls, one
 * hrtime read per batch. Inputs are prepared by the caller so the timing holds only the call.
 */
function timeBatches(opts: AbuseOptions, call: (k: number) => void): Latency {
  const { batches, batchSize, warmupBatches } = opts;
  let k = 0;
  for (let b = 0; b < warmupBatches; b++) for (let j = 0; j < batchSize; j++) call(k++);
  const perCall: number[] = [];
  let total = 0n;
  for (let b = 0; b < batches; b++) {
    const t0 = process.hrtime.bigint();
    for (let j = 0; j < batchSize; j++) call(k++);
    const dt = process.hrtime.bigint() - t0;
    total += dt;
    perCall.push(Number(dt) / batchSize);
  }
  return {
    meanNs: Number(total) / (batches * batchSize),
    p50Ns: percentile(perCall, 50),
    p99Ns: percentile(perCall, 99),
    batches,
    batchSize,
  };
}

/** Fresh strings for the timed calls: `count` addresses with indexes from `pick`. */
function queries(count: number, pick: () => number): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = ipText(pick());
  return out;
}

/** Child role `abuse-memory`: one kind, one size; sends its figures to the parent. */
export async function abuseMemoryChild(p: ChildPayload): Promise<void> {
  const log = progress('abuse');
  const { n, opts, kind } = p;
  const calls = (opts.warmupBatches + opts.batches) * opts.batchSize;
  // Before the baseline: warm the key generator (its code is not counted) and churn through short-
  // lived garbage so V8's young generation is at its working size before as after, as it is in a
  // running collector (otherwise its growth lands in the RSS delta).
  let chars = 0;
  let churn: string[] = [];
  for (let i = 0; i < 1_000_000; i++) {
    churn.push(ipText(n * 4 + i));
    if (churn.length >= 10_000) churn = [];
  }
  churn = [];
  await settle();
  const before = snapshot();

  if (kind === 'keys' || kind === 'map') {
    const keys: string[] | undefined = kind === 'keys' ? new Array<string>(n) : undefined;
    const map = kind === 'map' ? new Map<string, number>() : undefined;
    for (let i = 0; i < n; i++) {
      const ip = ipText(i);
      chars += ip.length;
      if (keys) keys[i] = ip;
      else map!.set(ip, i);
    }
    await settle();
    const memory = memoryFigures(before, snapshot(), n);
    const result: MapFigures = { kind, n, memory, avgKeyChars: chars / n };
    if (map) {
      const rng = prng(opts.seed + 1);
      const q = queries(calls, () => randInt(rng, n));
      let hits = 0;
      result.get = timeBatches(opts, (k) => {
        if (map.get(q[k]!) !== undefined) hits++;
      });
      if (hits !== calls) throw new Error(`map: ${hits} of ${calls} lookups hit`);
    }
    if (keys && keys.length !== n) throw new Error('unreachable');
    await toParent({ type: 'result', result });
    return;
  }

  // kind === 'buffer'
  let offset = 0;
  const clock = () => Date.now() + offset;
  const buffer = new AbuseBuffer({ maxIps: n, ttlS: 3_600, maxAgeS: 86_400, thresholds: { ...ABUSE_DEFAULTS } }, clock);
  const rng = prng(opts.seed);
  const fill0 = performance.now();
  for (let i = 0; i < n; i++) {
    const ip = ipText(i);
    chars += ip.length;
    if (rng() < 0.001) {
      for (const site of SPRAY_SITES) buffer.recordEvent(ip, site, null);
      continue;
    }
    const events = 1 + randInt(rng, 3);
    const bot = rng() < 0.03 ? BOT_SIGNALS[randInt(rng, BOT_SIGNALS.length)]! : null;
    for (let e = 0; e < events; e++) buffer.recordEvent(ip, SITES[randInt(rng, SITES.length)]!, bot);
  }
  const fillNsPerIp = ((performance.now() - fill0) * 1e6) / n;
  if (buffer.size !== n) throw new Error(`buffer holds ${buffer.size} addresses after inserting ${n} distinct ones`);
  await settle();
  const memory = memoryFigures(before, snapshot(), n);
  const estimateBytes = buffer.memoryBytes();
  log(`  buffer, ${fmtInt(n)} held (${fmtInt(buffer.flaggedCount)} flagged): RSS +${fmtInt(memory.perIp.rss)} B/IP, heap+buffers +${fmtInt(memory.perIp.heapBuffers)} B/IP, estimate ${fmtInt(estimateBytes / n)} B/IP`);

  // get() of held addresses: the security API / data-subject lookup.
  const sink = { n: 0 };
  let q = queries(calls, () => randInt(rng, n));
  const get = timeBatches(opts, (k) => {
    if (buffer.get(q[k]!) !== undefined) sink.n++;
  });
  if (sink.n !== calls) throw new Error(`get: ${sink.n} of ${calls} held addresses found`);

  // flaggedVerdict() of addresses not held: what every request pays while anything is flagged.
  sink.n = 0;
  q = queries(calls, () => n + randInt(rng, n));
  const flaggedVerdictMiss = timeBatches(opts, (k) => {
    if (buffer.flaggedVerdict(q[k]!) !== undefined) sink.n++;
  });
  if (sink.n !== 0) throw new Error(`flaggedVerdict: ${sink.n} unheld addresses answered`);

  // recordEvent() of held addresses: the per-event path.
  q = queries(calls, () => randInt(rng, n));
  const sites = Array.from({ length: calls }, () => SITES[randInt(rng, SITES.length)]!);
  const recordEvent = timeBatches(opts, (k) => {
    if (buffer.recordEvent(q[k]!, sites[k]!, null).flag) sink.n++;
  });
  if (buffer.size !== n || buffer.totals.evicted !== 0) throw new Error('recordEvent of held addresses changed the held set');

  // sweep(): the first one runs the age scan (never run yet); after it, an idle sweep is the
  // TTL check at the front of each index only.
  buffer.sweep();
  const idle = timeBatches({ ...opts, batches: Math.min(opts.batches, 50), warmupBatches: 5 }, () => buffer.sweep());
  const fullScanMs: number[] = [];
  for (let i = 0; i < opts.fullScans; i++) {
    offset += 61_000;
    const t0 = performance.now();
    buffer.sweep();
    fullScanMs.push(performance.now() - t0);
  }
  if (buffer.size !== n) throw new Error(`sweep removed ${n - buffer.size} live entries`);

  // recordEvent() of new addresses with the buffer full: each one evicts the stalest entry.
  q = queries(calls, (() => {
    let next = 2 * n;
    return () => next++;
  })());
  const recordEventEvicting = timeBatches(opts, (k) => {
    if (buffer.recordEvent(q[k]!, sites[k]!, null).flag) sink.n++;
  });
  if (buffer.size !== n || buffer.totals.evicted !== calls) throw new Error(`evicting: ${buffer.totals.evicted} evicted for ${calls} new addresses`);

  const result: BufferFigures = {
    kind: 'buffer',
    n,
    memory,
    flagged: buffer.flaggedCount,
    estimateBytes,
    estimatePerIp: estimateBytes / n,
    fillNsPerIp,
    avgKeyChars: chars / n,
    latency: { get, flaggedVerdictMiss, recordEvent, recordEventEvicting },
    sweep: { idle, fullScanMs, fullScanMedianMs: median(fullScanMs) },
    evicted: buffer.totals.evicted,
  };
  await toParent({ type: 'result', result });
}

// ---------------------------------------------------------------------------------------------
// The parent
// ---------------------------------------------------------------------------------------------

function inChild<T>(payload: ChildPayload): Promise<T> {
  return withChild('abuse-memory', payload, (child) => child.next<T>('result'), { nodeArgs: ['--expose-gc', '--max-old-space-size=4096'] });
}

export async function runAbuse(opts: AbuseOptions, log: Progress): Promise<AbuseResult> {
  log(
    `sizes ${opts.sizes.map(fmtInt).join(', ')}: per size a fresh child each for key strings alone, a bare Map<string, number>, and the AbuseBuffer; ` +
      `latency in ${opts.batches} batches of ${opts.batchSize} calls after ${opts.warmupBatches} warm-up batches`,
  );
  const sizes: AbuseSizeResult[] = [];
  for (const n of opts.sizes) {
    const keys = await inChild<MapFigures>({ kind: 'keys', n, opts });
    log(`  keys, ${fmtInt(n)} strings (avg ${keys.avgKeyChars.toFixed(1)} chars): RSS +${fmtInt(keys.memory.perIp.rss)} B/IP, heap +${fmtInt(keys.memory.perIp.heapBuffers)} B/IP`);
    const map = await inChild<MapFigures>({ kind: 'map', n, opts });
    log(`  Map<string, number>, ${fmtInt(n)} keys: RSS +${fmtInt(map.memory.perIp.rss)} B/IP, heap +${fmtInt(map.memory.perIp.heapBuffers)} B/IP, get p50 ${fmtNs(map.get!.p50Ns)}`);
    const buffer = await inChild<BufferFigures>({ kind: 'buffer', n, opts });
    const l = buffer.latency;
    log(
      `  buffer, ${fmtInt(n)}: get ${fmtNs(l.get.p50Ns)}/${fmtNs(l.get.p99Ns)}, flaggedVerdict ${fmtNs(l.flaggedVerdictMiss.p50Ns)}/${fmtNs(l.flaggedVerdictMiss.p99Ns)}, ` +
        `recordEvent ${fmtNs(l.recordEvent.p50Ns)}/${fmtNs(l.recordEvent.p99Ns)}, evicting ${fmtNs(l.recordEventEvicting.p50Ns)}/${fmtNs(l.recordEventEvicting.p99Ns)} (p50/p99); ` +
        `sweep idle ${fmtNs(buffer.sweep.idle.meanNs)}, age scan ${buffer.sweep.fullScanMedianMs.toFixed(1)} ms`,
    );
    sizes.push({ n, buffer, map, keys });
  }
  return { options: opts, bytesPerSlot: BYTES_PER_SLOT, sizes };
}

// ---------------------------------------------------------------------------------------------
// Markdown
// ---------------------------------------------------------------------------------------------

const pair = (l: Latency) => `${fmtNs(l.p50Ns)} / ${fmtNs(l.p99Ns)}`;

/** The README section (lines), in the style of bench.ts's other parts. */
export function abuseMarkdown(r: AbuseResult): string[] {
  const out: string[] = [];
  const o = r.options;
  out.push('### Abuse buffer: memory per held address, lookup latency');
  out.push('');
  out.push(
    `The buffer (ABUSE_MAX_IPS = held IPs) filled with distinct addresses (80 % IPv4, 20 % IPv6, canonical text as the collector keys them), ` +
      `1-3 events each naming one of 5 sites, 3 % with a bot signal, 0.1 % naming 9 sites (flagged by sites_1m). Each figure comes from a fresh child process ` +
      `with \`--expose-gc\`: memory is (after - before) / held IPs, both after a full GC (and, before the baseline, a warm-up that brings V8's young generation to its working size); "heap+buffers" is V8 heapUsed + arrayBuffers (the typed-array columns); ` +
      `"estimate" is the buffer's own memoryBytes() (${r.bytesPerSlot} B per column slot + 100 B per index entry), as \`memory_bytes\` in \`GET /api/security/abuse/summary\`. RSS is the whole process' and moves by a few MB from run to run, i.e. by tens of bytes per IP at 100k. ` +
      `The bare Map and the key strings alone (same keys, own processes) are the floor any address-keyed index pays. ` +
      `Latency is per call, p50 / p99 over ${o.batches} batches of ${fmtInt(o.batchSize)} calls (one hrtime read per batch, after ${o.warmupBatches} warm-up batches), ` +
      `each call on a fresh string, as a request brings: \`get\` of held addresses (the security API), \`flaggedVerdict\` of addresses not held (the check every ` +
      `request pays while anything is flagged), \`recordEvent\` of held addresses (per event), and of new addresses with the buffer full (each evicts the stalest).`,
  );
  out.push('');
  const rows: Array<Array<string | number>> = [];
  for (const s of r.sizes) {
    const b = s.buffer;
    const l = b.latency;
    rows.push([
      `**${fmtInt(s.n)}**: AbuseBuffer`,
      `**${fmtInt(b.memory.perIp.rss)}**`,
      fmtInt(b.memory.perIp.heapBuffers),
      fmtInt(b.estimatePerIp),
      pair(l.get),
      pair(l.flaggedVerdictMiss),
      pair(l.recordEvent),
      pair(l.recordEventEvicting),
    ]);
    rows.push([`${fmtInt(s.n)}: bare Map<string, number>, same keys`, fmtInt(s.map.memory.perIp.rss), fmtInt(s.map.memory.perIp.heapBuffers), '', s.map.get ? `${pair(s.map.get)} (Map.get)` : '', '', '', '']);
    rows.push([`${fmtInt(s.n)}: the key strings alone (string[], incl. its 8 B/key)`, fmtInt(s.keys.memory.perIp.rss), fmtInt(s.keys.memory.perIp.heapBuffers), '', '', '', '', '']);
  }
  out.push(
    table(
      ['held IPs', 'RSS bytes/IP', 'heap+buffers bytes/IP', 'estimate bytes/IP', 'get p50 / p99', 'flaggedVerdict p50 / p99', 'recordEvent p50 / p99', 'evicting recordEvent p50 / p99'],
      rows,
    ),
  );
  out.push('');
  out.push(
    r.sizes
      .map((s) => {
        const b = s.buffer;
        return (
          `At ${fmtInt(s.n)}: V8 committed heap + array buffers +${fmtInt(b.memory.perIp.heapTotalPlusBuffers)} B/IP (the rest of RSS is allocator and heap slack); ` +
          `peak RSS while filling +${fmtInt(b.memory.perIp.peakRss)} B/IP (the columns double as they grow, old and new alive at once); ` +
          `keys average ${b.avgKeyChars.toFixed(1)} characters; an idle \`sweep()\` (nothing stale, age scan not due) ${fmtNs(b.sweep.idle.meanNs)}; ` +
          `the once-a-minute age scan over all ${fmtInt(s.n)} entries ${b.sweep.fullScanMedianMs.toFixed(1)} ms (median of ${b.sweep.fullScanMs.length}, nothing expiring; it blocks the event loop that long).`
        );
      })
      .join(' '),
  );
  out.push('');
  return out;
}
