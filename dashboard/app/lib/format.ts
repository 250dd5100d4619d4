// How numbers look on screen. Exact counts up to 9,999 (small sites read every visitor),
// compact above that with the exact value kept for the tooltip.
import type { Metric, TimeDimension } from './api.ts';

const exact = new Intl.NumberFormat('en-US');
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

export function formatCount(value: number): string {
  return Math.abs(value) < 10_000 ? exact.format(Math.round(value)) : compact.format(value);
}

/** Seconds as "45s", "3m 05s", "1h 02m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function formatMetric(metric: Metric, value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  switch (metric) {
    case 'bounce_rate':
      return `${Math.round(value)}%`;
    case 'visit_duration':
      return formatDuration(value);
    case 'views_per_visit':
      return value.toFixed(2);
    case 'conversion_rate':
    case 'group_conversion_rate':
      return formatPercent(value);
    default:
      return formatCount(value);
  }
}

/** A rate as "50%", "33.3%" (the server gives two decimals; the tooltip keeps them). */
export function formatPercent(value: number): string {
  return `${Number(value.toFixed(1))}%`;
}

export function exactMetric(metric: Metric, value: number | null | undefined): string {
  if (value === null || value === undefined) return metric === 'group_conversion_rate' ? 'Not worked out for a folded group' : '';
  if (metric === 'conversion_rate' || metric === 'group_conversion_rate') return `${value}%`;
  if (metric === 'bounce_rate' || metric === 'views_per_visit' || metric === 'visit_duration') return formatMetric(metric, value);
  return exact.format(value);
}

export const METRIC_LABELS: Record<Metric, string> = {
  visitors: 'Visitors',
  visits: 'Visits',
  pageviews: 'Pageviews',
  bounce_rate: 'Bounce rate',
  visit_duration: 'Visit duration',
  views_per_visit: 'Views / visit',
  events: 'Events',
  conversion_rate: 'Conversion rate',
  group_conversion_rate: 'Conversion rate of the group',
};

/** Column headers, where the full names would crowd a half-width table. */
export const METRIC_COLUMN_LABELS: Record<Metric, string> = {
  ...METRIC_LABELS,
  bounce_rate: 'Bounce',
  visit_duration: 'Duration',
  views_per_visit: 'Views/visit',
  conversion_rate: 'CR',
  group_conversion_rate: 'CR',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A time bucket label from the API ("2026-01-05", "2026-01-05 13:00:00") as a short axis label. */
export function formatBucket(bucket: string, dimension: TimeDimension): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}))?/.exec(bucket);
  if (!match) return bucket;
  const [, year, month, day, hour] = match;
  const monthName = MONTHS[Number(month) - 1] ?? month;
  switch (dimension) {
    case 'time:hour':
      return `${hour ?? '00'}:00`;
    case 'time:month':
      return `${monthName} ${year}`;
    default:
      return `${Number(day)} ${monthName}`;
  }
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

/** An ISO-8601 instant from the server, in the reader's own time zone; "never" for null. */
export function formatDateTime(iso: string | null | undefined, never = 'never'): string {
  if (!iso) return never;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** "hh:mm:ss", for "updated at" lines and times of today. */
export function formatClock(at: Date | string): string {
  const d = typeof at === 'string' ? new Date(at) : at;
  return Number.isNaN(d.getTime()) ? String(at) : clock.format(d);
}

/** How long ago, roughly ("just now", "5 min ago", "3 h ago", "2 days ago"). */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (Number.isNaN(s)) return iso;
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

/** Bytes as "512 B", "3.4 MB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
