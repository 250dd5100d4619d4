// `npm run faults -- --only=slow`: rounds of N connections that trickle request headers (a byte
// every 300 ms, never finishing) at the collector, under the shipped timeouts (HTTP_* defaults:
// headers 10 s, checked every second). Meanwhile a normal client sends beacons one after another;
// its latency is measured from the client, against a baseline without slow clients. Then the
// slow ones are waited out: how many the headers timeout ended (408 + JSON reason), and when.
// Both ends of every socket live in this process, so a round needs 2N file descriptors: rounds
// larger than the open-file limit allows are skipped and said so.
import { readFileSync } from 'node:fs';
import { fmtInt, percentile } from '../bench/common.ts';
import { HTTP_LIMITS_DEFAULTS } from '../http-limits.ts';
import { FUZZ_SITE } from './hostile-beacons.ts';
import { startFaultTelmark, type FaultTelmark } from './instance.ts';
import type { FaultRun } from './part.ts';
import { startSlowloris } from './slowloris.ts';

const BYTE_INTERVAL_MS = 300;
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

/** The soft open-file limit of this process (Linux), or undefined when unknown. */
function openFileLimit(): number | undefined {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.split(/\s{2,}/)[1]);
    return Number.isFinite(soft) ? soft : undefined;
  } catch {
    return undefined;
  }
}

/** `n` beacons one after another from a normal client; their latencies (ms) and statuses. */
async function normalBeacons(t: FaultTelmark, n: number, tag: string): Promise<{ latencies: number[]; accepted: number }> {
  const latencies: number[] = [];
  let accepted = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(`${t.collectorUrl}/api/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'user-agent': UA, 'x-forwarded-for': `203.0.113.${(i % 250) + 1}` },
      body: JSON.stringify({ n: 'pageview', u: `https://${FUZZ_SITE}/${tag}/${i}`, d: FUZZ_SITE }),
    });
    await res.arrayBuffer();
    latencies.push(performance.now() - t0);
    if (res.status === 202) accepted++;
  }
  return { latencies, accepted };
}

const ms = (v: number) => (v < 10 ? v.toFixed(1) : v.toFixed(0));

export const run: FaultRun = async ({ quick, progress }) => {
  const limit = openFileLimit();
  const wanted = quick ? [1000] : [1000, 4000];
  // Two fds per connection here, plus chDB's files and some room.
  const rounds = wanted.filter((n) => limit === undefined || 2 * n + 1000 <= limit);
  const skipped = wanted.filter((n) => !rounds.includes(n));
  const NORMAL = quick ? 20 : 50;
  const headersS = HTTP_LIMITS_DEFAULTS.headersTimeoutMs / 1000;
  const problems: string[] = [];
  const rows: Array<Array<string | number>> = [];

  const t = await startFaultTelmark(FUZZ_SITE);
  let sent = 0;
  try {
    const base = await normalBeacons(t, NORMAL, 'baseline');
    sent += base.accepted;
    rows.push(['none (baseline)', '–', `${base.accepted}/${NORMAL}`, `${ms(percentile(base.latencies, 50))} / ${ms(percentile(base.latencies, 99))} / ${ms(Math.max(...base.latencies))}`, '–', '–', `${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`]);
    for (const n of rounds) {
      progress(`${fmtInt(n)} slow connections`);
      const t0 = performance.now();
      const slow = await startSlowloris(Number(new URL(t.collectorUrl).port), n, BYTE_INTERVAL_MS);
      const openMs = performance.now() - t0;
      try {
        const during = await normalBeacons(t, NORMAL, `slow-${n}`);
        sent += during.accepted;
        const heldMeanwhile = slow.open();
        const rss = process.memoryUsage().rss;
        const allClosed = await slow.allClosed(HTTP_LIMITS_DEFAULTS.headersTimeoutMs + 10_000);
        const closed = slow.connections.filter((c) => c.closedAt !== undefined);
        const lifetimes = closed.map((c) => (c.closedAt! - c.openedAt) / 1000);
        const got408 = slow.connections.filter((c) => c.received.startsWith('HTTP/1.1 408') && c.received.includes('"error"')).length;
        const worst = Math.max(...during.latencies);
        rows.push([
          fmtInt(n),
          `${(openMs / 1000).toFixed(1)} s`,
          `${during.accepted}/${NORMAL}`,
          `${ms(percentile(during.latencies, 50))} / ${ms(percentile(during.latencies, 99))} / ${ms(worst)}`,
          `${fmtInt(closed.length)} (${fmtInt(got408)} with a 408 + JSON reason); ${fmtInt(heldMeanwhile)} still held while the normal client was measured`,
          lifetimes.length ? `${Math.min(...lifetimes).toFixed(1)} / ${percentile(lifetimes, 50).toFixed(1)} / ${Math.max(...lifetimes).toFixed(1)} s` : '–',
          `${(rss / 2 ** 20).toFixed(0)} MiB`,
        ]);
        if (during.accepted !== NORMAL) problems.push(`${n} slow: ${NORMAL - during.accepted} normal beacons not answered 202`);
        if (worst >= 1000) problems.push(`${n} slow: a normal beacon took ${ms(worst)} ms (limit 1000 ms)`);
        if (!allClosed || got408 !== n) problems.push(`${n} slow: ${closed.length} ended, ${got408} with a 408, of ${n}`);
      } finally {
        slow.stop();
      }
    }
    const counted = await t.totals(FUZZ_SITE);
    if (counted.pageviews !== sent) problems.push(`normal beacons: ${sent} accepted, ${counted.pageviews} counted`);
  } finally {
    await t.destroy();
  }

  return {
    title: 'Slow clients (slow)',
    setup: `Each round opens N connections to the collector that send the start of a POST and then one header byte every ${BYTE_INTERVAL_MS} ms, never finishing; meanwhile a normal client sends ${NORMAL} beacons one after another (latency measured from the client), then the round waits until the server has ended every slow connection. Shipped defaults: HTTP_HEADERS_TIMEOUT_MS=${HTTP_LIMITS_DEFAULTS.headersTimeoutMs} (swept every ${Math.min(1000, HTTP_LIMITS_DEFAULTS.headersTimeoutMs / 10)} ms), HTTP_MAX_CONNECTIONS=${HTTP_LIMITS_DEFAULTS.maxConnections}. Open-file limit ${limit ?? 'unknown'}${skipped.length ? `; skipped (not enough file descriptors for both ends): ${skipped.join(', ')}` : ''}. Load generator and collector share this process.`,
    columns: ['slow connections', 'opened in', 'normal beacons 202', 'normal latency p50 / p99 / max (ms)', `slow ones ended by the ${headersS} s headers timeout`, 'ended after (min / p50 / max)', 'process RSS'],
    rows,
    ok: problems.length === 0,
    problems,
  };
};
