// Comparing a query's period with an earlier one (Stats API `include.comparisons`), in
// Plausible's shape: each row carries `comparison: {dimensions, metrics, change}`.
//
// The earlier period is an ordinary query over another date range (same cube, filters and
// k-anonymity); this module only works out which range, which earlier row belongs to which row
// (the same dimension values; for time buckets, the bucket at the same offset), and the change.
import { z } from 'zod';
import { addDays } from '../../../schema/dates.ts';
import type { DateRange } from './date-range.ts';
import type { Metric, TimeDimension } from './dimensions.ts';
import type { Money } from './money.ts';

const matchDayOfWeek = z.boolean().optional();

export const comparisonSchema = z.discriminatedUnion(
  'mode',
  [
    z.object({ mode: z.literal('previous_period'), match_day_of_week: matchDayOfWeek }).strict(),
    z.object({ mode: z.literal('year_over_year'), match_day_of_week: matchDayOfWeek }).strict(),
    z.object({ mode: z.literal('custom'), date_range: z.tuple([z.string(), z.string()]), match_day_of_week: matchDayOfWeek }).strict(),
  ],
  { error: 'mode must be "previous_period", "year_over_year" or "custom" (with date_range)' },
);
export type ComparisonRequest = z.infer<typeof comparisonSchema>;

/** A planned comparison: what was asked for and the earlier range it resolved to. */
export interface Comparison {
  request: ComparisonRequest;
  range: DateRange;
}

/**
 * Time buckets per query are bounded: a comparison pairs buckets through a list of every bucket
 * of both ranges, and past this many the request is refused (400) rather than built.
 */
export const MAX_TIME_LABELS = 10_000;

const DAY_MS = 86_400_000;
const dayNumber = (date: string) => Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
/** Whole days from `a` to `b` (negative when `b` is earlier). */
export const daysBetween = (a: string, b: string) => dayNumber(b) - dayNumber(a);
/** 0 = Sunday … 6 = Saturday. */
const weekday = (date: string) => new Date(`${date}T00:00:00Z`).getUTCDay();

/** The same calendar date a year earlier; 29 February becomes the 28th. */
function yearEarlier(date: string): string {
  const year = String(Number(date.slice(0, 4)) - 1).padStart(4, '0');
  const candidate = `${year}${date.slice(4)}`;
  return date.slice(5) === '02-29' ? `${year}-02-28` : candidate;
}

/**
 * The earlier range, as Plausible resolves it. A range reaching past today is cut at today first
 * (the 1st of the month to today compares with the same number of days before it).
 * - previous_period: the same number of days, ending the day before the range starts;
 * - year_over_year: the same dates a year earlier (calendar dates; Plausible subtracts 365 days,
 *   which is one day off across a 29 February);
 * - custom: the range given.
 * match_day_of_week then moves the earlier range (whole, length kept) to the nearest day, at most
 * three days away, with the weekday of the range's first day, so Mondays are compared with Mondays.
 */
export function comparisonRange(req: ComparisonRequest, range: DateRange, today: string): DateRange {
  const last = range.to < today ? range.to : today;
  const from = range.from > last ? last : range.from;
  let earlier: DateRange;
  if (req.mode === 'previous_period') {
    const days = daysBetween(from, last) + 1;
    earlier = { from: addDays(from, -days), to: addDays(last, -days) };
  } else if (req.mode === 'year_over_year') {
    earlier = { from: yearEarlier(from), to: yearEarlier(last) };
  } else {
    earlier = { from: req.date_range[0], to: req.date_range[1] };
  }
  if (!req.match_day_of_week) return earlier;
  const shift = (((weekday(range.from) - weekday(earlier.from)) % 7) + 7) % 7; // 0..6 days later
  if (shift === 0) return earlier;
  // The nearest same weekday: `shift` days later or 7 - shift earlier; never the range's own first day.
  let days = shift <= 3 ? shift : shift - 7;
  if (addDays(earlier.from, days) === range.from) days = days > 0 ? days - 7 : days + 7;
  return { from: addDays(earlier.from, days), to: addDays(earlier.to, days) };
}

/** The number of buckets of `dimension` in a range (to check MAX_TIME_LABELS before building them). */
export function bucketCount(range: DateRange, dimension: TimeDimension): number {
  const days = daysBetween(range.from, range.to) + 1;
  if (dimension === 'time:hour') return days * 24;
  if (dimension === 'time:minute') return days * 1440;
  if (dimension === 'time:week') return Math.ceil(days / 7) + 1;
  if (dimension === 'time:month') return Math.ceil(days / 28) + 1;
  return days;
}

/** The Monday on or before a date. */
const monday = (date: string) => addDays(date, -((weekday(date) + 6) % 7));

/**
 * Every bucket label of a range, in the text the SQL builder writes (sql.ts): dates for days,
 * the Monday of each week, the 1st of each month, "YYYY-MM-DD HH:00:00" for hours (local time).
 */
export function timeLabels(range: DateRange, dimension: TimeDimension): string[] {
  const labels: string[] = [];
  if (dimension === 'time:week') {
    for (let d = monday(range.from); d <= range.to; d = addDays(d, 7)) labels.push(d);
  } else if (dimension === 'time:month') {
    for (let m = `${range.from.slice(0, 7)}-01`; m <= range.to; m = nextMonth(m)) labels.push(m);
  } else {
    for (let d = range.from; d <= range.to; d = addDays(d, 1)) {
      if (dimension === 'time:hour') for (let h = 0; h < 24; h++) labels.push(`${d} ${String(h).padStart(2, '0')}:00:00`);
      else labels.push(d);
    }
  }
  return labels;
}

function nextMonth(first: string): string {
  const [y, m] = [Number(first.slice(0, 4)), Number(first.slice(5, 7))];
  return m === 12 ? `${String(y + 1).padStart(4, '0')}-01-01` : `${first.slice(0, 4)}-${String(m + 1).padStart(2, '0')}-01`;
}

type Value = number | Money | null;

/**
 * Rates whose change is the difference in percentage points (Plausible's choice for bounce_rate
 * and conversion_rate; the other shares follow it): 40 % after 50 % is −10, not −20 %.
 */
export const POINT_METRICS: readonly Metric[] = ['bounce_rate', 'conversion_rate', 'group_conversion_rate', 'percentage'];

/**
 * The change from `before` to `now`: percent, rounded to a whole number as Plausible does, and
 * null where the earlier value is 0 or unknown (a change from nothing has no percentage; Plausible
 * writes 100 there). Rates: points, one decimal; a bounce rate of 0 earlier (no visits) is null.
 * Money compares by its value.
 */
export function change(metric: Metric, before: Value, now: Value): number | null {
  const b = typeof before === 'object' && before !== null ? before.value : before;
  const n = typeof now === 'object' && now !== null ? now.value : now;
  if (b === null || n === null || b === undefined || n === undefined) return null;
  if (POINT_METRICS.includes(metric)) {
    if (metric === 'bounce_rate' && b === 0) return null;
    return Math.round((n - b) * 10) / 10;
  }
  if (b === 0) return null;
  return Math.round(((n - b) / b) * 100);
}

/** Metrics that are a plain 0 for a bucket or total without any traffic (the others: null). */
const ZERO_WHEN_EMPTY: readonly Metric[] = ['visitors', 'visits', 'pageviews', 'events', 'bounce_rate', 'visit_duration', 'views_per_visit', 'percentage'];

export interface Row {
  metrics: Value[];
  dimensions: string[];
  comparison?: { dimensions: Array<string | null>; metrics: Value[]; change: Array<number | null> };
}

export interface PairingPlan {
  metrics: Metric[];
  dimensions: string[];
  dimensionColumns: Array<{ name: string; time?: TimeDimension }>;
  filters: unknown[];
  range: DateRange;
}

/**
 * Adds each row's comparison. `earlier` are the earlier period's rows of the same query. A row
 * without an earlier counterpart gets zeros where the query cannot have hidden one (the site's own
 * totals or time series), and nulls where it may have been too small to show (a group or a filtered
 * series under PRIVACY_MIN_VISITORS is never shown, in either period): "no figure", not "0".
 * A query by time alone also gets a row for every bucket of the range (zeros, or nulls under
 * filters), so each earlier bucket has a row to sit on; the caller orders and pages them.
 */
export function pairRows(plan: PairingPlan, rows: Row[], earlier: Row[], earlierRange: DateRange): Row[] {
  const timeAt = plan.dimensionColumns.findIndex((d) => d.time);
  const time = timeAt >= 0 ? plan.dimensionColumns[timeAt]!.time! : undefined;
  const mayHide = plan.filters.length > 0 || plan.dimensionColumns.some((d) => !d.time);
  const empty = (): Value[] => plan.metrics.map((m) => (!mayHide && ZERO_WHEN_EMPTY.includes(m) ? 0 : null));
  let all = rows;
  /** A bucket of this range → the bucket at the same offset in the earlier range (none past its end). */
  let earlierBucket = (label: string): string | null => label;
  if (time) {
    const labels = timeLabels(plan.range, time);
    const before = timeLabels(earlierRange, time);
    const offset = new Map(labels.map((l, i) => [l, i]));
    earlierBucket = (label) => {
      const i = offset.get(label);
      return i === undefined ? null : (before[i] ?? null);
    };
    if (plan.dimensionColumns.length === 1) {
      const seen = new Set(rows.map((r) => r.dimensions[0]));
      all = [...rows, ...labels.filter((l) => !seen.has(l)).map((l) => ({ metrics: empty(), dimensions: [l] }))];
    }
  }
  const key = (dims: Array<string | null>) => JSON.stringify(dims);
  // At most 10,000 entries: the earlier period runs with the pagination ceiling as its limit.
  const byDimensions = new Map(earlier.map((r) => [key(r.dimensions), r.metrics]));
  return all.map((row) => {
    const dimensions = row.dimensions.map((v, i) => (i === timeAt ? earlierBucket(v) : v));
    const found = byDimensions.get(key(dimensions));
    const metrics = found ?? (dimensions.includes(null) ? plan.metrics.map(() => null) : empty());
    return { ...row, comparison: { dimensions, metrics, change: plan.metrics.map((m, i) => change(m, metrics[i] ?? null, row.metrics[i] ?? null)) } };
  });
}
