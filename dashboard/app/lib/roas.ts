// ROAS over time (Campaigns view): one Stats API query of spend, revenue and ROAS per day or week
// for a goal, turned into a series with a point for every bucket of the range. ROAS is null where
// the bucket had no spend (or revenue and spend are in different currencies): the line shows a gap.
import { moneyOf, numberOf, type DatePreset, type DateRange, type Filter, type Money, type Query, type QueryResponse } from './api.ts';
import { allBuckets, answeredRange } from './timeSeries.ts';

export type RoasBucket = 'time:day' | 'time:week';

export interface RoasPoint {
  /** "YYYY-MM-DD": the day, or the Monday that starts the week. */
  bucket: string;
  roas: number | null;
  spend: Money | null;
  revenue: Money | null;
}

const DAY_MS = 86_400_000;

/** Days for a range of up to 31 days, weeks beyond ("This year" counts its days so far). */
export function roasBucketFor(range: DateRange, now = new Date()): RoasBucket {
  if (typeof range !== 'string') return Date.parse(`${range[1]}T00:00:00Z`) - Date.parse(`${range[0]}T00:00:00Z`) < 31 * DAY_MS ? 'time:day' : 'time:week';
  const preset: DatePreset | 'realtime' = range;
  switch (preset) {
    case 'realtime':
    case 'day':
    case '7d':
    case '30d':
    case 'month':
      return 'time:day';
    case 'year': {
      const dayOfYear = Math.floor((Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) - Date.UTC(now.getFullYear(), 0, 1)) / DAY_MS) + 1;
      return dayOfYear <= 31 ? 'time:day' : 'time:week';
    }
    default:
      return 'time:week';
  }
}

/** The one query behind the chart: spend, revenue and ROAS of the goal, per bucket, for all campaigns or one. */
export function roasQuery(site: string, dateRange: DateRange, bucket: RoasBucket, goal: string, campaign: string | null): Query {
  const filters: Filter[] = [['is', 'event:goal', [goal]]];
  if (campaign !== null) filters.push(['is', 'visit:utm_campaign', [campaign]]);
  return {
    site_id: site,
    date_range: dateRange,
    metrics: ['spend', 'total_revenue', 'roas'],
    dimensions: [bucket],
    filters,
    order_by: [[bucket, 'asc']],
    pagination: { limit: 1000 },
  };
}

/** The Mondays (server weeks start on Monday) from the week holding `from` to the one holding `to`. */
function mondays(from: string, to: string): string[] | null {
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  if (Number.isNaN(start) || Number.isNaN(end) || end < start || end - start > 800 * DAY_MS) return null;
  const first = start - ((new Date(start).getUTCDay() + 6) % 7) * DAY_MS;
  const out: string[] = [];
  for (let t = first; t <= end; t += 7 * DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** The answer's rows, one point per bucket of the range the server answered; buckets without a row have no ROAS. */
export function toRoasSeries(response: QueryResponse, bucket: RoasBucket): RoasPoint[] {
  const found = new Map<string, RoasPoint>();
  for (const row of response.results) {
    const key = (row.dimensions[0] ?? '').slice(0, 10);
    found.set(key, { bucket: key, spend: moneyOf(row.metrics[0]), revenue: moneyOf(row.metrics[1]), roas: numberOf(row.metrics[2]) });
  }
  const range = answeredRange(response);
  const all = (range && (bucket === 'time:day' ? allBuckets(range[0], range[1], 'time:day') : mondays(range[0], range[1]))) ?? [];
  const keys = [...new Set([...all, ...found.keys()])].sort();
  return keys.map((key) => found.get(key) ?? { bucket: key, roas: null, spend: null, revenue: null });
}
