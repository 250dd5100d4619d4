// Turns time-bucketed query rows into an evenly spaced series. The server only returns buckets
// that had traffic; a line chart must show the quiet hours and days as zero, not skip them.
import { numberOf, type QueryResponse, type TimeDimension } from './api.ts';

export interface SeriesPoint {
  /** Canonical bucket key: "YYYY-MM-DD" for days, weeks and months, "YYYY-MM-DD HH" for hours. */
  bucket: string;
  value: number;
}

const DAY_MS = 86_400_000;

function bucketKey(label: string, dimension: TimeDimension): string {
  return dimension === 'time:hour' ? label.slice(0, 13).replace('T', ' ') : label.slice(0, 10);
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Every bucket from `from` to `to` (inclusive, "YYYY-MM-DD"), or null where spacing is not regular enough to guess. */
export function allBuckets(from: string, to: string, dimension: TimeDimension): string[] | null {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) return null;
  const days = Math.round((end - start) / DAY_MS) + 1;
  if (dimension === 'time:hour') {
    if (days > 7) return null;
    const hours: string[] = [];
    for (let d = 0; d < days; d++) {
      for (let h = 0; h < 24; h++) hours.push(`${isoDate(start + d * DAY_MS)} ${String(h).padStart(2, '0')}`);
    }
    return hours;
  }
  if (dimension === 'time:day') {
    if (days > 800) return null;
    return Array.from({ length: days }, (_, d) => isoDate(start + d * DAY_MS));
  }
  return null; // weeks and months: bucket starts depend on the server's calendar, keep its buckets
}

/** The range the server says it answered (Plausible echoes the resolved date_range in `query`), if any. */
export function answeredRange(response: QueryResponse): [string, string] | null {
  const range = response.query?.['date_range'];
  if (Array.isArray(range) && range.length === 2 && range.every((d) => typeof d === 'string' && /^\d{4}-\d{2}-\d{2}/.test(d))) {
    return [range[0].slice(0, 10), range[1].slice(0, 10)];
  }
  return null;
}

/**
 * Rows of [bucket] x [value] into a gap-free series over the range the server reports answering
 * (our server always echoes the resolved date_range; without one, the buckets with data).
 */
export function toSeries(response: QueryResponse, dimension: TimeDimension): SeriesPoint[] {
  const values = new Map<string, number>();
  for (const row of response.results) {
    const key = bucketKey(row.dimensions[0] ?? '', dimension);
    values.set(key, (values.get(key) ?? 0) + (numberOf(row.metrics[0]) ?? 0));
  }
  const known = [...values.keys()].sort();
  const range = answeredRange(response);
  const buckets = (range && allBuckets(range[0], range[1], dimension)) ?? known;
  // Buckets outside the expected span (a time zone edge) are still shown rather than dropped.
  const merged = [...new Set([...buckets, ...known])].sort();
  return merged.map((bucket) => ({ bucket, value: values.get(bucket) ?? 0 }));
}

export interface ComparedPoint extends SeriesPoint {
  /** The earlier period's bucket at the same offset, and its value (null: none shown). */
  earlierBucket: string | null;
  earlier: number | null;
}

/**
 * A series with include.comparisons: the server answers a row for every bucket of the range (time
 * alone), each with the earlier period's bucket at the same offset. Values the server could not
 * show (a filtered bucket under the privacy threshold) are drawn as 0, like the plain series.
 */
export function toComparedSeries(response: QueryResponse, dimension: TimeDimension): ComparedPoint[] {
  return response.results
    .map((row) => {
      const earlier = row.comparison?.metrics[0];
      const earlierBucket = row.comparison?.dimensions[0] ?? null;
      return {
        bucket: bucketKey(row.dimensions[0] ?? '', dimension),
        value: numberOf(row.metrics[0]) ?? 0,
        earlierBucket: earlierBucket === null ? null : bucketKey(earlierBucket, dimension),
        earlier: earlierBucket === null ? null : (numberOf(earlier) ?? 0),
      };
    })
    .sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
}
