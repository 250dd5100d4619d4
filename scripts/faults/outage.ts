// `npm run faults -- --only=outage`: how much a hard crash loses. A collector child process takes
// steady load, is killed with SIGKILL mid-stream, and is restarted on the same DATA_DIR (which
// replays its spool); a clean SIGTERM then flushes everything, and the pageviews counted in
// ClickHouse are compared with the ones answered 202. Run with the defaults, with the abuse hold
// off, and with SPOOL_INTERVAL_MS checkpoints. Loopback only, about three minutes.
import { tempDir } from '../bench/common.ts';
import { childEnv, countedPageviews, sendPageviews, startCollectorChild } from './collector-child.ts';

export interface OutageVariant {
  name: string;
  env: Record<string, string>;
  /** The documented bound of the loss, in seconds of traffic. */
  boundS: number;
}

export interface OutageOptions {
  /** Seconds of load before the kill. */
  loadS: number;
  workers: number;
  variants: OutageVariant[];
}

export interface OutageRow {
  variant: string;
  accepted: number;
  counted: number;
  lost: number;
  ratePerS: number;
  lostS: number;
  boundS: number;
  replayed: number;
  /** Requests in flight at the kill: booked perhaps, never answered (so counted may exceed accepted by this much). */
  inFlight: number;
  ok: boolean;
}

// 25 s of load: longer than the widest bound (21 s), and the kill lands about 5 s after the flush
// timer's second tick (the timer starts with the child, a little before the load), so the figure
// shows a typical window rather than the luckiest or the worst instant.
export const OUTAGE_DEFAULTS: OutageOptions = {
  loadS: 25,
  workers: 10,
  variants: [
    { name: 'defaults (FLUSH_INTERVAL_MS=10000, ABUSE_HOLD_MS=10000)', env: {}, boundS: 10 + 10 + 1 },
    { name: 'abuse hold off (ABUSE_HOLD_MS=0)', env: { ABUSE_HOLD_MS: '0' }, boundS: 10 },
    { name: 'SPOOL_INTERVAL_MS=1000, abuse hold off', env: { ABUSE_HOLD_MS: '0', SPOOL_INTERVAL_MS: '1000' }, boundS: 1 },
    { name: 'SPOOL_INTERVAL_MS=1000, ABUSE_HOLD_MS=10000', env: { SPOOL_INTERVAL_MS: '1000' }, boundS: 1 + 10 + 1 },
  ],
};

export async function runOutage(opts: OutageOptions, log: (line: string) => void): Promise<OutageRow[]> {
  const rows: OutageRow[] = [];
  for (const v of opts.variants) {
    const dir = tempDir('telmark-faults-outage-');
    try {
      // The load is from many addresses, each under every abuse limit (one beacon each).
      const env = childEnv(dir.path, v.env);
      const first = await startCollectorChild(env);
      log(`${v.name}: collector up, ${opts.loadS} s of load from ${opts.workers} clients, then SIGKILL`);
      const started = performance.now();
      let killed = false;
      let sent = 0;
      const load = sendPageviews(first.url, {
        workers: opts.workers,
        stop: () => {
          if (!killed) sent++;
          return killed;
        },
      });
      await new Promise((r) => setTimeout(r, opts.loadS * 1000));
      killed = true;
      first.kill('SIGKILL');
      const elapsedS = (performance.now() - started) / 1000;
      const { accepted, refused } = await load;
      await first.exited;
      const second = await startCollectorChild(env);
      const replayed = Number(/replaying (\d+) spooled batch/.exec(second.output())?.[1] ?? 0);
      second.kill('SIGTERM');
      const code = await second.exited;
      if (code !== 0) throw new Error(`the restarted collector did not stop cleanly (${code}):\n${second.output()}`);
      const counted = await countedPageviews(dir.path);
      const inFlight = Math.max(0, sent - accepted - refused);
      const ratePerS = accepted / elapsedS;
      const lost = accepted - counted;
      const row: OutageRow = {
        variant: v.name,
        accepted,
        counted,
        lost,
        ratePerS,
        lostS: lost / ratePerS,
        boundS: v.boundS,
        replayed,
        inFlight,
        // Never more than accepted (plus what was booked but unanswered at the kill), never more lost than the bound.
        ok: counted <= accepted + inFlight && lost / ratePerS <= v.boundS + 1,
      };
      rows.push(row);
      log(`${v.name}: ${accepted} accepted, ${counted} counted, ${lost} lost (${row.lostS.toFixed(1)} s of traffic at ${ratePerS.toFixed(0)}/s; bound ${v.boundS} s), ${replayed} spooled batch(es) replayed${row.ok ? '' : ' MISMATCH'}`);
    } finally {
      dir.remove();
    }
  }
  return rows;
}

export function outageMarkdown(rows: OutageRow[]): string {
  const out = [
    '### A hard crash (`npm run faults -- --only=outage`)',
    '',
    'A collector child under steady load (each beacon from its own address) is killed with SIGKILL, restarted on the same `DATA_DIR` (it replays its spool), and stopped with SIGTERM; then the pageviews in ClickHouse are compared with the ones answered 202. The loss is also given in seconds of traffic at the measured rate, next to its documented bound.',
    '',
    '| Settings | accepted (202) | counted | lost | lost, s of traffic | bound, s | spooled batches replayed |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    out.push(`| ${r.variant} | ${r.accepted} | ${r.counted} | ${r.lost} | ${r.lostS.toFixed(1)} | ${r.boundS} | ${r.replayed} |${r.ok ? '' : ' **MISMATCH**'}`);
  }
  return out.join('\n') + '\n';
}

/** The part's entry for scripts/faults.ts. */
export async function run(log: (line: string) => void): Promise<{ markdown: string; ok: boolean }> {
  const rows = await runOutage(OUTAGE_DEFAULTS, log);
  return { markdown: outageMarkdown(rows), ok: rows.every((r) => r.ok) };
}
