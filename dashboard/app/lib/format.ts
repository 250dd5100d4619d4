// How numbers look on screen. Exact counts up to 9,999 (small sites read every visitor),
// compact above that with the exact value kept for the tooltip.
import { moneyOf, type Metric, type MetricValue, type TimeDimension } from './api.ts';

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

/** Revenue shows the server's own `long` text (exact to the cent), not a float formatted here. */
export function formatMetric(metric: Metric, value: MetricValue | undefined): string {
  const money = moneyOf(value);
  if (money) return money.long;
  if (typeof value !== 'number' || Number.isNaN(value)) return '–';
  switch (metric) {
    case 'bounce_rate':
    case 'scroll_depth':
      return `${Math.round(value)}%`;
    case 'visit_duration':
    case 'time_on_page':
      return formatDuration(value);
    case 'views_per_visit':
      return value.toFixed(2);
    case 'conversion_rate':
    case 'group_conversion_rate':
    case 'percentage':
    case 'exit_rate':
      return formatPercent(value);
    default:
      return formatCount(value);
  }
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * An amount as the server writes a money object's `long` ("€1,234.50"), for what the server sends
 * no text for: a chart's axis, a campaign without conversions (€0.00).
 */
export function formatMoney(value: number, currency: string): string {
  let f = moneyFormats.get(currency);
  if (!f) {
    try {
      f = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    } catch {
      return `${exact.format(value)} ${currency}`; // a code this browser does not know
    }
    moneyFormats.set(currency, f);
  }
  return f.format(value);
}

/** A rate as "50%", "33.3%" (the server gives two decimals; the tooltip keeps them). */
export function formatPercent(value: number): string {
  return `${Number(value.toFixed(1))}%`;
}

export function exactMetric(metric: Metric, value: MetricValue | undefined): string {
  const money = moneyOf(value);
  if (money) return `${money.long} (${money.currency})`;
  if (typeof value !== 'number') {
    if (metric === 'group_conversion_rate') return 'Not worked out for a folded group';
    if (metric === 'scroll_depth' || metric === 'time_on_page') return 'No engagement measured on this page';
    return '';
  }
  if (metric === 'conversion_rate' || metric === 'group_conversion_rate' || metric === 'percentage' || metric === 'exit_rate') return `${value}%`;
  if (metric === 'time_on_page') return `${exact.format(value)} s`;
  if (metric === 'bounce_rate' || metric === 'views_per_visit' || metric === 'visit_duration' || metric === 'scroll_depth') return formatMetric(metric, value);
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
  percentage: 'Share of visitors',
  total_revenue: 'Revenue',
  average_revenue: 'Average revenue per conversion',
  scroll_depth: 'Scroll depth',
  time_on_page: 'Time on page',
  exit_rate: 'Exit rate',
  spend: 'Spend',
  cpa: 'Cost per conversion',
  cost_per_visitor: 'Cost per visitor',
  roas: 'Return on ad spend',
  cpc: 'Cost per click',
};

/** Column headers, where the full names would crowd a half-width table. */
export const METRIC_COLUMN_LABELS: Record<Metric, string> = {
  ...METRIC_LABELS,
  bounce_rate: 'Bounce',
  visit_duration: 'Duration',
  views_per_visit: 'Views/visit',
  conversion_rate: 'CR',
  group_conversion_rate: 'CR',
  percentage: '%',
  average_revenue: 'Average',
  cpa: 'CPA',
  cost_per_visitor: 'Cost/visitor',
  roas: 'ROAS',
  cpc: 'CPC',
};

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A time bucket label from the API ("2026-01-05", "2026-01-05 13:00:00") as a short axis label. */
export function formatBucket(bucket: string, dimension: TimeDimension): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}))?/.exec(bucket);
  if (!match) return bucket;
  const [, year, month, day, hour] = match;
  const monthName = MONTHS[Number(month) - 1] ?? month;
  switch (dimension) {
    case 'time:minute':
      return bucket.slice(11, 16);
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

const date = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });

/** An ISO-8601 instant as the reader's local date ("30 Nov 2026"), where the time would crowd a table. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : date.format(d);
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

/** Rates whose change the Stats API gives in percentage points (the others: percent). */
export const POINT_METRICS: readonly Metric[] = ['bounce_rate', 'conversion_rate', 'group_conversion_rate', 'percentage'];

/** A comparison's change: "+50%", "−11%", "0%"; rates in points, "+25 pts"; "–" where none can be given (nothing earlier). */
export function formatChange(metric: Metric, change: number | null | undefined): string {
  if (typeof change !== 'number') return '–';
  const sign = change > 0 ? '+' : change < 0 ? '−' : '';
  const size = Math.abs(change);
  return POINT_METRICS.includes(metric) ? `${sign}${Number(size.toFixed(1))} pts` : `${sign}${exact.format(size)}%`;
}
