import { addDays, localDate } from '../../../schema/dates.ts';

/** Resolved date range: whole days in the site's time zone, `to` inclusive. */
export interface DateRange {
  from: string;
  to: string;
  /** For "realtime": the last 30 minutes, in the minute cube. */
  realtime?: boolean;
  /** For "realtime": the first instant counted (ms), 30 minutes before the server's clock said now. */
  since?: number;
}

/** How far back date_range "realtime" reaches. */
export const REALTIME_WINDOW_MS = 30 * 60_000;

export const DATE_PRESETS = ['realtime', 'day', '7d', '30d', '90d', 'month', '6mo', '12mo', 'year', 'all'] as const;
export type DatePreset = (typeof DATE_PRESETS)[number];


function monthStart(date: string, monthsBack: number): string {
  const d = new Date(`${date.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() - monthsBack);
  return d.toISOString().slice(0, 10);
}

/**
 * Presets as Plausible's Stats API v2 reads them, ending today (in the site's zone):
 * day = today; Nd = the last N days including today; month/year = since the 1st of this
 * month/year; 6mo/12mo = this month and the 5/11 before it; all = everything kept.
 */
export function resolvePreset(preset: DatePreset, timeZone: string, now: number): DateRange {
  const today = localDate(now, timeZone);
  switch (preset) {
    case 'realtime':
      // The window follows the server's clock (a test's controllable one too), not ClickHouse's.
      return { from: addDays(today, -1), to: today, realtime: true, since: now - REALTIME_WINDOW_MS };
    case 'day':
      return { from: today, to: today };
    case '7d':
      return { from: addDays(today, -6), to: today };
    case '30d':
      return { from: addDays(today, -29), to: today };
    case '90d':
      return { from: addDays(today, -89), to: today };
    case 'month':
      return { from: monthStart(today, 0), to: today };
    case '6mo':
      return { from: monthStart(today, 5), to: today };
    case '12mo':
      return { from: monthStart(today, 11), to: today };
    case 'year':
      return { from: `${today.slice(0, 4)}-01-01`, to: today };
    case 'all':
      return { from: '1970-01-01', to: today };
  }
}

export function isIsoDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const minuteFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * The minute buckets of a realtime window as time:minute labels them in the site's zone
 * ("YYYY-MM-DD hh:mm:00"), first and last: a client draws the quiet minutes from these.
 */
export function realtimeMinutes(since: number, timeZone: string): [first: string, last: string] {
  let f = minuteFormats.get(timeZone);
  if (!f) {
    // sv-SE writes "2026-11-30 03:05:00": the shape ClickHouse's toString gives the buckets.
    f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    // At most one per time zone the sites use.
    minuteFormats.set(timeZone, f);
  }
  const first = (Math.floor(since / 60_000) + 1) * 60_000;
  const label = (ms: number) => f.format(ms).slice(0, 16) + ':00';
  return [label(first), label(first + REALTIME_WINDOW_MS - 60_000)];
}
