// The realtime view's numbers: a gap-free series of the last 30 minutes, and how fresh it is.
import { numberOf, type QueryResponse } from './api.ts';

/** What the server says about freshness (GET /api/sites `realtime`), with the defaults of an older server. */
export interface Freshness {
  delayS: number | null;
  refreshS: number;
}

export const DEFAULT_REFRESH_S = 30;

export function freshnessOf(answer: { realtime?: { delay_s: number; refresh_s: number } }): Freshness {
  const r = answer.realtime;
  return { delayS: r ? r.delay_s : null, refreshS: r && r.refresh_s > 0 ? r.refresh_s : DEFAULT_REFRESH_S };
}

/** "Figures are up to 20 s behind", or '' when the server did not say. */
export function delaySentence(f: Freshness): string {
  return f.delayS === null ? '' : `Figures are up to ${f.delayS} s behind`;
}

export interface MinutePoint {
  /** "YYYY-MM-DD hh:mm:00" in the site's zone, as time:minute labels it. */
  minute: string;
  values: number[];
}

/** A minute label moved on by `n` minutes (labels are wall-clock text: read and written as if UTC). */
function addMinutes(label: string, n: number): string {
  const ms = Date.parse(`${label.replace(' ', 'T')}Z`) + n * 60_000;
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ') + ':00';
}

/**
 * Rows of [time:minute] x metrics into one point per minute of the window the server answered
 * (meta.realtime_minutes: first and last), quiet minutes as zero. Without that meta (an older
 * server), the minutes that had traffic.
 */
export function minuteSeries(response: QueryResponse, metricCount: number): MinutePoint[] {
  const byMinute = new Map<string, number[]>();
  for (const row of response.results) byMinute.set(row.dimensions[0] ?? '', row.metrics.map((m) => numberOf(m) ?? 0));
  const window = response.meta?.['realtime_minutes'];
  let minutes = [...byMinute.keys()].sort();
  if (Array.isArray(window) && typeof window[0] === 'string' && typeof window[1] === 'string') {
    const [first, last] = window as [string, string];
    minutes = [];
    // At most 60 steps, whatever the server sent (30 expected).
    for (let m = first, i = 0; m <= last && i < 60; m = addMinutes(first, ++i)) minutes.push(m);
  }
  return minutes.map((minute) => ({ minute, values: byMinute.get(minute) ?? Array<number>(metricCount).fill(0) }));
}
