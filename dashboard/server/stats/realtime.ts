import type { Store } from '../../../schema/client.ts';
import { cubeTable } from '../../../schema/cubes.ts';

/** "Current visitors" (Plausible's realtime visitors): the visitors of the last 5 minutes. */
export const CURRENT_VISITORS_WINDOW_MS = 5 * 60_000;

/** How fresh the figures are, as the dashboard says it (GET /api/sites `realtime`). */
export interface Freshness {
  /** Seconds a beacon may take, at most, to show in the figures. */
  delayS: number;
  /** How often the dashboard re-reads current visitors and the realtime view (REALTIME_REFRESH_S). */
  refreshS: number;
}

/**
 * The longest a counted beacon waits before the Stats API can see it: the abuse hold
 * (ABUSE_HOLD_MS, released by a once-a-second sweep; none when the buffer is off) and then the
 * flush interval (FLUSH_INTERVAL_MS), after which the minute cube has it.
 */
export function freshnessDelayS(opts: { flushIntervalMs: number; holdMs: number; abuseOn: boolean }): number {
  const hold = opts.abuseOn && opts.holdMs > 0 ? opts.holdMs + 1_000 : 0;
  return Math.ceil((hold + opts.flushIntervalMs) / 1000);
}

/**
 * Unique visitors of the minute buckets that overlap the last 5 minutes (the current minute and
 * the five before it: the minute cube is as fine as storage goes), from the acquisition cube,
 * which every pageview and custom event of a visit enters. A site's total, not a group: shown as
 * it is, like the Stats API's totals. `now` is the server's clock (a test's controllable one).
 */
export async function currentVisitors(store: Store, site: string, now: number): Promise<number> {
  const rs = await store.client.query({
    query: `SELECT uniqCombined64Merge(visitors) AS n FROM ${store.table(cubeTable('acquisition', 'minute'))}
      WHERE site = {site:String} AND ts >= toStartOfMinute(toDateTime({since:UInt32})) AND ts <= toDateTime({now:UInt32})`,
    query_params: { site, since: Math.floor((now - CURRENT_VISITORS_WINDOW_MS) / 1000), now: Math.floor(now / 1000) },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: string | number }>();
  return Number(row?.n ?? 0);
}
