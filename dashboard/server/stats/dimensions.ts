import type { CubeName } from '../../../schema/cubes.ts';

/** The column name that stands for a goal's display name (see 'event:goal'). */
export const GOAL_COLUMN = 'goal';

/**
 * The column name that stands for a visit's exit page ('visit:exit_page'): the pages cube's
 * `path`, read through its `exits` counter (sql.ts); not a stored column of its own.
 */
export const EXIT_PAGE_COLUMN = 'exit_page';

/** visit:country: the stored ISO code, with '' (unknown) read as "(not set)" (sql.ts). */
export const COUNTRY_COLUMN = 'country_code';
/** visit:country_name: the English name of the stored code (sql.ts, from stats/countries.ts). */
export const COUNTRY_NAME_COLUMN = 'country_name';

/**
 * Columns worked out at query time from a stored one (sql.ts turns them into expressions), and
 * the stored column each reads: the cubes holding that column answer them.
 */
export const DERIVED_COLUMNS: Record<string, string> = {
  [GOAL_COLUMN]: 'name',
  [COUNTRY_COLUMN]: 'country',
  [COUNTRY_NAME_COLUMN]: 'country',
  [EXIT_PAGE_COLUMN]: 'path',
};

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
  // The visit's country (collector/geo/): held by the acquisition, tech and event_names cubes.
  'visit:country': { column: COUNTRY_COLUMN },
  'visit:country_name': { column: COUNTRY_NAME_COLUMN },
  'visit:entry_page': { column: 'entry_page' },
  // The page of a visit's last pageview: the pages cube's rows with exits (EXIT_PAGE_COLUMN).
  'visit:exit_page': { column: EXIT_PAGE_COLUMN },
  'event:page': { column: 'path' },
  'event:name': { column: 'name' },
  // event:props:<key> is not listed: any key the site allows (see propDimension) reads this column.
  // A goal's display name, worked out at query time from the event name (event goals only):
  // GOAL_COLUMN is not a stored column (sql.ts turns it into an expression over `name`).
  'event:goal': { column: GOAL_COLUMN },
};

export const TIME_DIMENSIONS = ['time:minute', 'time:hour', 'time:day', 'time:week', 'time:month'] as const;
export type TimeDimension = (typeof TIME_DIMENSIONS)[number];

/** The column of `event:props:<key>` (the key itself becomes a condition on prop_key). */
export const PROP_COLUMN = 'prop_value';
export const PROP_PREFIX = 'event:props:';

/**
 * The Stats API metrics (Plausible's names and definitions). The README's metric table is
 * checked against this list (test/unit/stats-doc.test.ts).
 */
export const METRICS = [
  'visitors',
  'visits',
  'pageviews',
  'events',
  'bounce_rate',
  'visit_duration',
  'views_per_visit',
  'percentage',
  'conversion_rate',
  'group_conversion_rate',
  'total_revenue',
  'average_revenue',
  'scroll_depth',
  'time_on_page',
  'exit_rate',
  'spend',
  'cpa',
  'cost_per_visitor',
  'roas',
  'cpc',
] as const;
export type Metric = (typeof METRICS)[number];
/** Metrics worked out from imported spend, outside SQL over the cubes (stats/spend.ts). */
export type SpendMetric = 'spend' | 'cpa' | 'cost_per_visitor' | 'roas' | 'cpc';
/** Metrics the SQL builder computes. */
export type CubeMetric = Exclude<Metric, SpendMetric>;

/** Metrics about conversions: they need event:goal as a dimension or a filter. */
export const GOAL_METRICS: readonly Metric[] = ['conversion_rate', 'group_conversion_rate', 'total_revenue', 'average_revenue'];
export const REVENUE_METRICS: readonly Metric[] = ['total_revenue', 'average_revenue'];
/** Metrics answered as money objects ({value, currency, short, long}), or null. */
export const MONEY_METRICS: readonly Metric[] = [...REVENUE_METRICS, 'spend', 'cpa', 'cost_per_visitor', 'cpc'];
const VISIT_METRICS: Metric[] = ['visitors', 'visits', 'pageviews', 'events', 'bounce_rate', 'visit_duration', 'views_per_visit', 'percentage'];
/** Imported ad spend joined to the campaign's traffic (stats/spend.ts says with which dimensions). */
const SPEND: Metric[] = ['spend', 'cpa', 'cost_per_visitor', 'roas', 'cpc'];
/** Custom events and goals: the visitors who sent each, how many times, and their revenue. */
const EVENT_METRICS: Metric[] = ['visitors', 'events', 'percentage', 'conversion_rate', 'group_conversion_rate', 'total_revenue', 'average_revenue'];

/** The pages cube counts hits per page; visits are attributes of the entry page, not of every page. */
export const CUBE_METRICS: Record<CubeName, readonly Metric[]> = {
  acquisition: [...VISIT_METRICS, ...SPEND],
  tech: VISIT_METRICS,
  entry_pages: VISIT_METRICS,
  pages: ['visitors', 'pageviews', 'events', 'percentage', 'scroll_depth', 'time_on_page'],
  event_names: [...EVENT_METRICS, ...SPEND],
  event_tech: EVENT_METRICS,
  event_entry_pages: EVENT_METRICS,
  event_props: ['visitors', 'events', 'percentage', 'conversion_rate', 'group_conversion_rate'],
  // Funnels have their own endpoint (dashboard/server/funnels), not the Stats API.
  funnel_steps: [],
};

/**
 * What visit:exit_page offers. Exits are booked as +1/-1 deltas as a visit moves from page to
 * page (collector/exit-pages.ts): summed counters take that back, visitor sketches (uniqCombined
 * states) cannot, so there is no "visitors who left here". `visits` is the visits that ended on
 * the page (its exits), `exit_rate` those exits / the page's pageviews. Any other metric, and any
 * other dimension or filter beside time, is a 400 (planQuery says why).
 */
export const EXIT_PAGE_METRICS: readonly Metric[] = ['visits', 'exit_rate'];

/** The visit cube that holds the visitors of the same dimensions as an event cube (rate denominators). */
export const VISIT_CUBE_OF: Partial<Record<CubeName, CubeName>> = {
  event_names: 'acquisition',
  event_tech: 'tech',
  event_entry_pages: 'entry_pages',
  event_props: 'acquisition',
};
