// Small shared pieces of the benchmark: a seeded PRNG, weighted and Zipf picks, percentiles,
// progress lines, and the child-process plumbing (chDB binds one data directory per process, so
// every part that opens a store runs in a child of its own).
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The site every part's synthetic traffic names. */
export const BENCH_SITE = 'bench.example';
/** STATS_API_KEYS of the servers the benchmark starts. */
export const BENCH_STATS_KEY = 'bench-stats-key-0123456789';

// ---------------------------------------------------------------------------------------------
// Deterministic randomness
// ---------------------------------------------------------------------------------------------

/** mulberry32: tiny, fast, good enough for synthetic traffic; same seed, same sequence. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;

export const randInt = (rng: Rng, n: number) => Math.floor(rng() * n);

/** Picks from weighted entries in O(log n) (cumulative table + binary search). */
export class WeightedPicker<T> {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    if (items.length === 0 || items.length !== weights.length) throw new Error('WeightedPicker: items and weights must match');
    this.cumulative = new Float64Array(weights.length);
    let sum = 0;
    weights.forEach((w, i) => {
      sum += w;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  index(rng: Rng): number {
    const x = rng() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  pick(rng: Rng): T {
    return this.items[this.index(rng)]!;
  }
}

/** Zipf weights of n ranks (rank 0 the most popular), exponent s: 1 / (rank + 1)^s. */
export function zipfWeights(n: number, s = 1.0): number[] {
  return Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
}

/** Zipf-like popularity over n ranks (rank 0 the most popular), exponent s. */
export function zipfPicker(n: number, s = 1.0): WeightedPicker<number> {
  return new WeightedPicker(Array.from({ length: n }, (_, i) => i), zipfWeights(n, s));
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting
// ---------------------------------------------------------------------------------------------

/** Nearest-rank percentile of unsorted values (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Median; the mean of the middle two for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (n >= 1024 * 1024) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

export const fmtMs = (ms: number) => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

export function fmtPct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)} %`;
}

export function fmtNs(ns: number): string {
  if (ns < 1000) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1000).toFixed(ns < 1e4 ? 2 : 1)} µs`;
  return `${(ns / 1e6).toFixed(1)} ms`;
}

/** A Markdown table: the first column left-aligned, the others right-aligned. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const line = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Progress
// ---------------------------------------------------------------------------------------------

// Children inherit the parent's start time, so every progress line shares one clock.
process.env.BENCH_T0 ??= String(Date.now());
const started = Number(process.env.BENCH_T0);

export type Progress = (line: string) => void;

/** Progress lines: `[  12.3s] storage: ...`, time since the benchmark process started. */
export function progress(part: string): Progress {
  return (line) => {
    const t = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
    process.stdout.write(`[${t}s] ${part}: ${line}\n`);
  };
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

/** Messages between the benchmark and its children. */
export type ChildMessage =
  | { type: 'ready'; [k: string]: unknown }
  | { type: 'result'; result: unknown }
  | { type: 'error'; message: string }
  /** Start of a measured window (the child notes its CPU time). */
  | { type: 'mark' }
  | { type: 'finish' };

const CHILD_ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));

export interface ChildHandle {
  /** Resolves with the next message of this type; rejects on an error message or an early exit. */
  next<T = Record<string, unknown>>(type: 'ready' | 'result'): Promise<T>;
  send(msg: ChildMessage): void;
  /** Resolves once the child has exited. */
  exited: Promise<number | null>;
  /** SIGKILL, for clean-up after a failure; only this child's own pid. */
  kill(): void;
}

/**
 * Runs `role` (see child.ts) in a fresh Node process with tsx, so it gets a data directory and
 * an event loop of its own. Its stdout/stderr are the benchmark's.
 */
function forkChild(role: string, payload: unknown, opts: { nodeArgs?: string[] } = {}): ChildHandle {
  const child: ChildProcess = fork(CHILD_ENTRY, [role, JSON.stringify(payload)], {
    execArgv: ['--import', 'tsx', ...(opts.nodeArgs ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: ChildMessage[] = [];
  const waiters: Array<() => void> = [];
  let exitCode: number | null | undefined;
  child.on('message', (m) => {
    inbox.push(m as ChildMessage);
    waiters.splice(0).forEach((w) => w());
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      waiters.splice(0).forEach((w) => w());
      resolve(code);
    }),
  );
  return {
    async next<T>(type: 'ready' | 'result'): Promise<T> {
      for (;;) {
        const i = inbox.findIndex((m) => m.type === type || m.type === 'error');
        if (i >= 0) {
          const [m] = inbox.splice(i, 1);
          if (m!.type === 'error') throw new Error(`${role}: ${m!.message}`);
          return (type === 'result' ? (m as { result: unknown }).result : m) as T;
        }
        if (exitCode !== undefined) throw new Error(`${role}: child exited (code ${exitCode}) before sending "${type}"`);
        await new Promise<void>((r) => waiters.push(r));
      }
    },
    send: (msg) => {
      child.send(msg);
    },
    exited,
    kill: () => {
      if (exitCode === undefined && child.pid) process.kill(child.pid, 'SIGKILL');
    },
  };
}

/**
 * Runs `role` in a child process (forkChild) for the length of `use`: once `use` has its answer,
 * waits for the child to exit; if anything fails, kills the child and rethrows.
 */
export async function withChild<T>(
  role: string,
  payload: unknown,
  use: (child: ChildHandle) => Promise<T>,
  opts: { nodeArgs?: string[] } = {},
): Promise<T> {
  const child = forkChild(role, payload, opts);
  try {
    const result = await use(child);
    await child.exited;
    return result;
  } catch (err) {
    child.kill();
    throw err;
  }
}

/** In a child: the next message of `type` from the parent. */
export function fromParent(type: ChildMessage['type']): Promise<ChildMessage> {
  return new Promise((resolve) => {
    const on = (m: ChildMessage) => {
      if (m.type !== type) return;
      process.off('message', on);
      resolve(m);
    };
    process.on('message', on);
  });
}

export function toParent(msg: ChildMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(msg, undefined, {}, (err) => (err ? reject(err) : resolve())));
}
