import type { CubeName } from '../../../schema/cubes.ts';

/** The column name that stands for a goal's display name (see 'event:goal'). */
export const GOAL_COLUMN = 'goal';

/** A Stats API dimension and where it is stored. */
export interface DimensionInfo {
  cube: CubeName;
  column: string;
}

/**
 * Which cube holds each non-time dimension. Aggregate-only storage cannot cross cubes after the
 * fact, so a query may only combine dimensions (and filters) of one cube, plus time.
 */
export const DIMENSIONS: Record<string, DimensionInfo> = {
  'visit:source': { cube: 'acquisition', column: 'source' },
  'visit:channel': { cube: 'acquisition', column: 'channel' },
  'visit:referrer': { cube: 'acquisition', column: 'referrer_host' },
  'visit:utm_source': { cube: 'acquisition', column: 'utm_source' },
  'visit:utm_medium': { cube: 'acquisition', column: 'utm_medium' },
  'visit:utm_campaign': { cube: 'acquisition', column: 'utm_campaign' },
  'visit:utm_content': { cube: 'acquisition', column: 'utm_content' },
  'visit:utm_term': { cube: 'acquisition', column: 'utm_term' },
  'visit:device': { cube: 'tech', column: 'device' },
  'visit:browser': { cube: 'tech', column: 'browser' },
  'visit:os': { cube: 'tech', column: 'os' },
  'visit:entry_page': { cube: 'entry_pages', column: 'entry_page' },
  'event:page': { cube: 'pages', column: 'path' },
  'event:name': { cube: 'event_names', column: 'name' },
  // A goal's display name, worked out at query time from the event name (event goals only):
  // GOAL_COLUMN is not a stored column (sql.ts turns it into an expression over `name`).
  'event:goal': { cube: 'event_names', column: GOAL_COLUMN },
};

export const TIME_DIMENSIONS = ['time:minute', 'time:hour', 'time:day', 'time:week', 'time:month'] as const;
export type TimeDimension = (typeof TIME_DIMENSIONS)[number];

export const METRICS = ['visitors', 'visits', 'pageviews', 'events', 'bounce_rate', 'visit_duration', 'views_per_visit', 'conversion_rate', 'group_conversion_rate'] as const;
export type Metric = (typeof METRICS)[number];

/** Goal metrics: only over the custom-event cube (event:goal). */
export const GOAL_METRICS: readonly Metric[] = ['conversion_rate', 'group_conversion_rate'];
const VISIT_METRICS = METRICS.filter((m) => !GOAL_METRICS.includes(m));

/** The pages cube counts hits per page; visits are attributes of the entry page, not of every page. */
export const CUBE_METRICS: Record<CubeName, readonly Metric[]> = {
  acquisition: VISIT_METRICS,
  tech: VISIT_METRICS,
  entry_pages: VISIT_METRICS,
  pages: ['visitors', 'pageviews', 'events'],
  // Custom events by name: the visitors who sent each, and how many times.
  event_names: ['visitors', 'events', 'conversion_rate', 'group_conversion_rate'],
};
