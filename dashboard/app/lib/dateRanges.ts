// Date ranges (the Stats API's preset names, or a custom from–to), the time buckets a range can be
// drawn in, and the earlier period it can be compared with.
import type { DatePreset, DateRange, TimeDimension } from './api.ts';

export const DATE_PRESETS: readonly { value: DatePreset; label: string }[] = [
  { value: 'day', label: 'Today' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: 'month', label: 'This month' },
  { value: '6mo', label: 'Last 6 months' },
  { value: '12mo', label: 'Last 12 months' },
  { value: 'year', label: 'This year' },
  { value: 'all', label: 'All time' },
];

export const DEFAULT_PRESET: DatePreset = '7d';

export function isDatePreset(value: string): value is DatePreset {
  return DATE_PRESETS.some((p) => p.value === value);
}

/** A calendar date "YYYY-MM-DD" that exists. */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

/** A preset, or a custom range of whole days (from ≤ to, both inclusive). */
export type RangeChoice = { preset: DatePreset } | { from: string; to: string };

export function rangeOf(choice: RangeChoice): DateRange {
  return 'preset' in choice ? choice.preset : [choice.from, choice.to];
}

const DAY_MS = 86_400_000;
const today = (now: Date) => now.toISOString().slice(0, 10);
const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);

/**
 * The first and last day of a choice, as the server resolves presets (in UTC here: close enough to
 * choose buckets; the server resolves them in the site's zone). "all" starts at null: unknown.
 */
export function spanOf(choice: RangeChoice, now = new Date()): { from: string | null; to: string } {
  if (!('preset' in choice)) return choice;
  const to = today(now);
  const monthStart = (back: number) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    return d.toISOString().slice(0, 10);
  };
  switch (choice.preset) {
    case 'day':
      return { from: to, to };
    case '7d':
      return { from: addDays(to, -6), to };
    case '30d':
      return { from: addDays(to, -29), to };
    case 'month':
      return { from: monthStart(0), to };
    case '6mo':
      return { from: monthStart(5), to };
    case '12mo':
      return { from: monthStart(11), to };
    case 'year':
      return { from: `${to.slice(0, 4)}-01-01`, to };
    case 'all':
      return { from: null, to };
  }
}

export type Granularity = 'hour' | 'day' | 'week' | 'month';
export const GRANULARITIES: readonly { value: Granularity; label: string }[] = [
  { value: 'hour', label: 'Hours' },
  { value: 'day', label: 'Days' },
  { value: 'week', label: 'Weeks' },
  { value: 'month', label: 'Months' },
];

export function isGranularity(value: string): value is Granularity {
  return GRANULARITIES.some((g) => g.value === value);
}

export const timeDimensionOf = (g: Granularity): TimeDimension => `time:${g}`;

/** Hours are drawn for at most a week: more would be hundreds of points on one line. */
const MAX_HOUR_DAYS = 7;
/** The server keeps hours for this many days by default (HOURLY_RETENTION_DAYS). */
export const DEFAULT_HOURLY_RETENTION_DAYS = 14;

/**
 * The buckets a range can be drawn in: hours only where the server still has them (within
 * `hourlyRetentionDays` of today) and for a short range; days up to about three years (the
 * series fills every day); weeks and months always.
 */
export function granularitiesFor(choice: RangeChoice, hourlyRetentionDays = DEFAULT_HOURLY_RETENTION_DAYS, now = new Date()): Granularity[] {
  const { from, to } = spanOf(choice, now);
  const days = from === null ? Infinity : daysBetween(from, to) + 1;
  const hoursKept = from !== null && from >= addDays(today(now), 1 - hourlyRetentionDays);
  const out: Granularity[] = [];
  if (hoursKept && days <= MAX_HOUR_DAYS) out.push('hour');
  if (days <= 800) out.push('day');
  out.push('week', 'month');
  return out;
}

/** Hours for one day, days up to a month, weeks up to a year; beyond that a finer line gets too noisy to read. */
export function defaultGranularity(choice: RangeChoice, now = new Date()): Granularity {
  const { from, to } = spanOf(choice, now);
  const days = from === null ? Infinity : daysBetween(from, to) + 1;
  if (days === 1 && granularitiesFor(choice, DEFAULT_HOURLY_RETENTION_DAYS, now).includes('hour')) return 'hour';
  if (days <= 31) return 'day';
  if (days <= 366) return 'week';
  return 'month';
}

/** The granularity to draw: the one chosen if the range allows it, else the range's default. */
export function granularityFor(choice: RangeChoice, chosen: Granularity | null, hourlyRetentionDays = DEFAULT_HOURLY_RETENTION_DAYS, now = new Date()): Granularity {
  return chosen && granularitiesFor(choice, hourlyRetentionDays, now).includes(chosen) ? chosen : defaultGranularity(choice, now);
}

/** Kept for views that still think in presets (the default bucket of a preset). */
export function timeBucketFor(preset: DatePreset): TimeDimension {
  return timeDimensionOf(defaultGranularity({ preset }));
}

/** The compare switch: the Stats API's include.comparisons modes the dashboard offers. */
export type CompareMode = 'previous_period' | 'year_over_year';
export const COMPARE_MODES: readonly { value: CompareMode | 'off'; label: string }[] = [
  { value: 'off', label: 'No comparison' },
  { value: 'previous_period', label: 'vs previous period' },
  { value: 'year_over_year', label: 'vs a year earlier' },
];

export function isCompareMode(value: string): value is CompareMode {
  return value === 'previous_period' || value === 'year_over_year';
}

/** Whether the Stats API can compare this range ("all" has no earlier period). */
export const canCompare = (choice: RangeChoice) => !('preset' in choice && choice.preset === 'all');

/** Compact "1 Nov – 20 Nov 2026" for a custom range's label. */
export function describeRange(from: string, to: string): string {
  const f = new Date(`${from}T00:00:00Z`);
  const t = new Date(`${to}T00:00:00Z`);
  const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
  const full = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return from === to ? full.format(t) : `${(f.getUTCFullYear() === t.getUTCFullYear() ? day : full).format(f)} – ${full.format(t)}`;
}
