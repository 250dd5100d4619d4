import type { CubeName } from '../../../schema/cubes.ts';

/** The column name that stands for a goal's display name (see 'event:goal'). */
export const GOAL_COLUMN = 'goal';

/** A Stats API dimension and the cube column it reads. */
export interface DimensionInfo {
  column: string;
}

/**
 * The column of each non-time dimension. Which cubes hold a column follows from
 * schema/cubes.ts (query.ts cubesHolding): aggregate-only storage cannot cross cubes after the
 * fact, so a query may only combine dimensions (and filters) that one cube holds, plus time.
 */
export const DIMENSIONS: Record<string, DimensionInfo> = {
  'visit:source': { column: 'source' },
  'visit:channel': { column: 'channel' },
  'visit:referrer': { column: 'referrer_host' },
  'visit:utm_source': { column: 'utm_source' },
  'visit:utm_medium': { column: 'utm_medium' },
  'visit:utm_campaign': { column: 'utm_campaign' },
  'visit:utm_content': { column: 'utm_content' },
  'visit:utm_term': { column: 'utm_term' },
  'visit:device': { column: 'device' },
  'visit:browser': { column: 'browser' },
  'visit:os': { column: 'os' },
  'visit:entry_page': { column: 'entry_page' },
  'event:page': { column: 'path' },
  'event:name': { column: 'name' },
  // A goal's display name, worked out at query time from the event name (event goals only):
  // GOAL_COLUMN is not a stored column (sql.ts turns it into an expression over `name`).
  'event:goal': { column: GOAL_COLUMN },
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
