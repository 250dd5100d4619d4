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
    default:
      return formatCount(value);
  }
}

export function exactMetric(metric: Metric, value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
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
};

/** Column headers, where the full names would crowd a half-width table. */
export const METRIC_COLUMN_LABELS: Record<Metric, string> = {
  ...METRIC_LABELS,
  bounce_rate: 'Bounce',
  visit_duration: 'Duration',
  views_per_visit: 'Views/visit',
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
