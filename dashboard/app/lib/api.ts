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
  | 'group_conversion_rate';

export type AcquisitionDimension =
  | 'visit:source'
  | 'visit:channel'
  | 'visit:referrer'
  | 'visit:utm_source'
  | 'visit:utm_medium'
  | 'visit:utm_campaign'
  | 'visit:utm_content'
  | 'visit:utm_term';

export type TimeDimension = 'time:hour' | 'time:day' | 'time:week' | 'time:month';

export type Dimension =
  | AcquisitionDimension
  | TimeDimension
  | 'event:page'
  | 'visit:entry_page'
  | 'visit:device'
  | 'visit:browser'
  | 'visit:os'
  /** A goal's display name: alone or with the acquisition dimensions (and time). */
  | 'event:goal';

export type DatePreset = 'day' | '7d' | '30d' | 'month' | '6mo' | '12mo' | 'year' | 'all';
export type DateRange = DatePreset | [from: string, to: string];

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
}

export interface ResultRow {
  /** In the order of Query.metrics; null where the server cannot work one out (group_conversion_rate of "(other)"). */
  metrics: Array<number | null>;
  /** In the order of Query.dimensions. */
  dimensions: string[];
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
}

/** The value the server puts in place of groups too small to show on their own (k-anonymity). */
export const OTHER = '(other)';

export interface StatsClient {
  sites(signal?: AbortSignal): Promise<SitesResponse>;
  query(query: Query, signal?: AbortSignal): Promise<QueryResponse>;
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
  };
}
