// Typed client for the dashboard server: the site list and the Stats API v2 subset
// (POST /api/v2/query). Every call carries the Stats API key as a Bearer token.

export type Metric =
  | 'visitors'
  | 'visits'
  | 'pageviews'
  | 'bounce_rate'
  | 'visit_duration'
  | 'views_per_visit'
  | 'events';

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
  | 'visit:os';

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
  /** In the order of Query.metrics. */
  metrics: number[];
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

/** An answer the server refused, with its message (for a 400 it explains which cube is missing and why). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface StatsClient {
  sites(signal?: AbortSignal): Promise<SitesResponse>;
  query(query: Query, signal?: AbortSignal): Promise<QueryResponse>;
}

export interface ClientOptions {
  /** Defaults to the page's own directory, so the app also works under a sub-path. */
  baseUrl?: string;
  /** Called when the server rejects the key (revoked while the dashboard was open). */
  onUnauthorized?: (message: string) => void;
}

export function createStatsClient(apiKey: string, options: ClientOptions = {}): StatsClient {
  const baseUrl = options.baseUrl ?? document.baseURI;
  async function call<T>(path: string, init: RequestInit): Promise<T> {
    let response: Response;
    try {
      response = await fetch(new URL(path, baseUrl), {
        ...init,
        headers: { ...init.headers, Authorization: `Bearer ${apiKey}`, Accept: 'application/json' },
      });
    } catch (err) {
      if (init.signal?.aborted) throw err;
      throw new ApiError('Cannot reach the dashboard server. Is it running?', 0);
    }
    const body = (await response.json().catch(() => null)) as (T & { error?: unknown }) | null;
    if (!response.ok) {
      const message = typeof body?.error === 'string' ? body.error : `${response.status} ${response.statusText}`;
      if (response.status === 401) options.onUnauthorized?.(message);
      throw new ApiError(message, response.status);
    }
    if (body === null) throw new ApiError('The server sent an answer that is not JSON.', response.status);
    return body;
  }

  return {
    sites(signal) {
      return call<SitesResponse>('api/sites', { signal });
    },
    query(query, signal) {
      return call<QueryResponse>('api/v2/query', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(query),
        signal,
      });
    },
  };
}
