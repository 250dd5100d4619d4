// Typed client for the statistics: the site list and the Stats API v2 subset (POST /api/v2/query),
// called with the session cookie (see http.ts).
import { request } from './http.ts';

export { ApiError } from './http.ts';

export type Metric =
  | 'visitors'
  | 'visits'
  | 'pageviews'
  | 'bounce_rate'
  | 'visit_duration'
  | 'views_per_visit'
  | 'events'
  /** With a goal (dimension or filter): converting visitors / all visitors of the range, percent. */
  | 'conversion_rate'
  /** With a goal: converting visitors of a row / all visitors of that row's group (e.g. its campaign); null for "(other)". */
  | 'group_conversion_rate'
  /** The row's visitors / the visitors of the whole query, percent. */
  | 'percentage'
  /** With a goal: a Money, or null where no goal in scope has a currency (meta.metric_warnings says why). */
  | 'total_revenue'
  | 'average_revenue'
  /** Page metrics (event:page, no visit dimension): average highest scroll depth, percent; null without scroll data. */
  | 'scroll_depth'
  /** Page metrics: engaged seconds per visitor of the page. */
  | 'time_on_page'
  /** With visit:exit_page: the page's pageviews that were the last of their visit, percent (1 decimal). */
  | 'exit_rate'
  /** Imported ad spend (a Money); with visit:utm_campaign, visit:utm_source, time:day/week/month or no dimension. */
  | 'spend'
  /** Spend / conversions of the filtered goal (a Money). */
  | 'cpa'
  /** Spend / all visitors of the row's group (a Money). */
  | 'cost_per_visitor'
  /** Revenue of the filtered goal / spend (a number, 2 decimals); null when their currencies differ. */
  | 'roas'
  /** Spend / imported clicks (a Money). */
  | 'cpc';

export type AcquisitionDimension =
  | 'visit:source'
  | 'visit:channel'
  | 'visit:referrer'
  | 'visit:utm_source'
  | 'visit:utm_medium'
  | 'visit:utm_campaign'
  | 'visit:utm_content'
  | 'visit:utm_term';

export type TimeDimension = 'time:minute' | 'time:hour' | 'time:day' | 'time:week' | 'time:month';

export type Dimension =
  | AcquisitionDimension
  | TimeDimension
  | 'event:page'
  | 'visit:entry_page'
  /** A visit's last page: metrics `visits` (its exits) and `exit_rate` only, with time only. */
  | 'visit:exit_page'
  | 'visit:device'
  | 'visit:browser'
  | 'visit:os'
  /** The visit's country (ISO 3166-1 alpha-2 code, "(not set)" when unknown): with acquisition, tech or goals. */
  | 'visit:country'
  | 'visit:country_name'
  /** A goal's display name: alone or with the acquisition dimensions (and time). */
  | 'event:goal';

export type DatePreset = 'day' | '7d' | '30d' | 'month' | '6mo' | '12mo' | 'year' | 'all';
/** `realtime`: the last 30 minutes, from the minute cubes (meta.realtime_minutes names its first and last minute). */
export type DateRange = DatePreset | 'realtime' | [from: string, to: string];

export type FilterOperator = 'is' | 'is_not' | 'contains';
export type Filter = [FilterOperator, Dimension, string[]];

export interface Query {
  site_id: string;
  metrics: Metric[];
  date_range: DateRange;
  dimensions?: Dimension[];
  filters?: Filter[];
  order_by?: [Metric | Dimension, 'asc' | 'desc'][];
  pagination?: { limit: number; offset?: number };
  /** Each row also carries the earlier period's figures and the change (ResultRow.comparison). */
  include?: { comparisons?: { mode: 'previous_period' | 'year_over_year'; match_day_of_week?: boolean } | { mode: 'custom'; date_range: [string, string]; match_day_of_week?: boolean } };
}

/** Plausible's money object (total_revenue, average_revenue): `long` is exact to the minor unit. */
export interface Money {
  value: number;
  currency: string;
  /** Compact: "€1.2K". */
  short: string;
  /** Full: "€1,234.50". */
  long: string;
}

export type MetricValue = number | Money | null;

export interface ResultRow {
  /**
   * In the order of Query.metrics: numbers, Money for the revenue metrics; null where the server
   * cannot work one out (group_conversion_rate of "(other)", revenue without a currency).
   */
  metrics: MetricValue[];
  /** In the order of Query.dimensions. */
  dimensions: string[];
  /**
   * With include.comparisons: the earlier period's row (time buckets: the one at the same offset),
   * its metrics (null where none was shown) and the change: percent, or points for rates; null
   * where the earlier value is 0 or unknown.
   */
  comparison?: { dimensions: Array<string | null>; metrics: MetricValue[]; change: Array<number | null> };
}

/** A count or rate (not a Money): what bars, sums and sorting read. */
export const numberOf = (value: MetricValue | undefined): number | null => (typeof value === 'number' ? value : null);
export const moneyOf = (value: MetricValue | undefined): Money | null => (value !== null && typeof value === 'object' ? value : null);

/** meta.metric_warnings: why a metric is null or incomplete (revenue without a currency, in several currencies). */
export interface MetricWarning {
  code: string;
  warning: string;
}

export interface QueryResponse {
  results: ResultRow[];
  meta?: Record<string, unknown>;
  query?: Record<string, unknown>;
}

export interface Site {
  domain: string;
  timezone: string;
}

export interface SitesResponse {
  sites: Site[];
  /** Where the tracker is served from, for the install snippet; optional, a placeholder is shown without it. */
  collector_url?: string;
  /** How far behind the figures may be (the abuse hold and the flush interval), and how often to re-read realtime figures. */
  realtime?: { delay_s: number; refresh_s: number };
  /** How far back hourly figures reach (HOURLY_RETENTION_DAYS): the time chart offers hours only there. */
  hourly_retention_days?: number;
}

/** The server's notes in meta.warnings (goals counted only since they were made). */
export function warningsOf(response: QueryResponse): string[] {
  const warnings = response.meta?.['warnings'];
  return Array.isArray(warnings) ? warnings.map(String) : [];
}

/** The distinct sentences of meta.metric_warnings (total_revenue and average_revenue usually share one). */
export function metricWarningsOf(response: QueryResponse): string[] {
  const found = response.meta?.['metric_warnings'];
  if (found === null || typeof found !== 'object') return [];
  const sentences = Object.values(found as Record<string, Partial<MetricWarning> | undefined>).map((w) => (typeof w?.warning === 'string' ? w.warning : ''));
  return [...new Set(sentences.filter(Boolean))];
}

/** The value the server puts in place of groups too small to show on their own (k-anonymity). */
export const OTHER = '(other)';

export interface StatsClient {
  sites(signal?: AbortSignal): Promise<SitesResponse>;
  query(query: Query, signal?: AbortSignal): Promise<QueryResponse>;
  /** Visitors of the last 5 minutes (GET /api/v1/stats/realtime/visitors, Plausible's bare number). */
  currentVisitors(siteId: string, signal?: AbortSignal): Promise<number>;
}

/** The Stats API over the signed-in session (its cookie); only the sites the user's account may see. */
export function createStatsClient(): StatsClient {
  return {
    sites(signal) {
      return request<SitesResponse>('api/sites', { signal });
    },
    query(query, signal) {
      return request<QueryResponse>('api/v2/query', { method: 'POST', body: query, signal });
    },
    currentVisitors(siteId, signal) {
      return request<number>(`api/v1/stats/realtime/visitors?site_id=${encodeURIComponent(siteId)}`, { signal });
    },
  };
}
