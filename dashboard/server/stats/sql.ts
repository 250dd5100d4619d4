import { cubeCounters, cubeTable, type Counter } from '../../../schema/cubes.ts';
import { GOAL_NAME_PREFIX } from '../../../schema/goals.ts';
import type { Store } from '../../../schema/client.ts';
import { addDays } from '../../../schema/dates.ts';
import { REALTIME_WINDOW_MS } from './date-range.ts';
import { COUNTRY_CODES, COUNTRY_NAMES, NOT_SET } from './countries.ts';
import { COUNTRY_COLUMN, COUNTRY_NAME_COLUMN, EXIT_PAGE_COLUMN, GOAL_COLUMN, REVENUE_METRICS, type CubeMetric, type Metric, type TimeDimension } from './dimensions.ts';
import { EVENT_CUBES, type FilterOp, type QueryPlan } from './query.ts';

export interface BuiltQuery {
  sql: string;
  params: Record<string, unknown>;
}

/** Time buckets over hour/minute cubes (a UTC DateTime, seen in the site's zone). */
const TS_BUCKET: Record<TimeDimension, (ts: string) => string> = {
  'time:minute': (ts) => `toString(toStartOfMinute(${ts}))`,
  'time:hour': (ts) => `toString(toStartOfHour(${ts}))`,
  'time:day': (ts) => `toString(toDate(${ts}))`,
  'time:week': (ts) => `toString(toMonday(${ts}))`,
  'time:month': (ts) => `toString(toStartOfMonth(${ts}))`,
};

/** Time buckets over day cubes, whose `day` is already the site's local date. */
const DAY_BUCKET: Partial<Record<TimeDimension, string>> = {
  'time:day': 'toString(day)',
  'time:week': 'toString(toMonday(day))',
  'time:month': 'toString(toStartOfMonth(day))',
};

const METRIC_SQL: Record<CubeMetric, string> = {
  visitors: 'sum(s_visitors)',
  visits: 'sum(s_visits)',
  pageviews: 'sum(s_pageviews)',
  // Plausible's definition: pageviews plus custom events (engagement events are neither).
  events: 'sum(s_pageviews) + sum(s_events)',
  bounce_rate: 'if(sum(s_visits) > 0, round(100 * sum(s_bounces) / sum(s_visits)), 0)',
  visit_duration: 'if(sum(s_visits) > 0, round(sum(s_duration) / sum(s_visits)), 0)',
  views_per_visit: 'if(sum(s_visits) > 0, round(sum(s_pageviews) / sum(s_visits), 2), 0)',
  // The row's converting visitors; run.ts divides them by the visitors of the whole range
  // (conversion_rate) or of the row's own group (group_conversion_rate), measured alongside.
  conversion_rate: 'sum(s_visitors)',
  group_conversion_rate: 'sum(s_visitors)',
  // Visitors of the row / visitors of the whole query: run.ts divides.
  percentage: 'sum(s_visitors)',
  // Revenue in the goal's currency, exact: decimal text (run.ts shapes it like Plausible).
  total_revenue: 'toString(sum(s_revenue))',
  average_revenue: 'if(sum(s_revenue_events) > 0, toString(toDecimal128(sum(s_revenue) / sum(s_revenue_events), 8)), NULL)',
  // Per visit and page the highest scroll depth, averaged over visits (migration 008).
  scroll_depth: 'if(sum(s_scroll_visits) > 0, toInt64(round(sum(s_scroll_sum) / sum(s_scroll_visits))), NULL)',
  // Engaged seconds per visitor of the page; null where no engagement was ever reported.
  time_on_page: 'if(sum(s_visitors) > 0 AND (sum(s_engaged_ms) > 0 OR sum(s_scroll_visits) > 0), toInt64(round(sum(s_engaged_ms) / 1000 / sum(s_visitors))), NULL)',
  // With visit:exit_page: the page's pageviews that were the last of their visit, percent, 1 decimal (migration 012).
  exit_rate: 'if(sum(s_pageviews) > 0, round(100 * sum(s_exits) / sum(s_pageviews), 1), 0)',
};

/** With visit:exit_page, a page's visits are the visits that ended there: its exits. */
const EXIT_METRIC_SQL: Partial<Record<CubeMetric, string>> = { visits: 'sum(s_exits)' };

/** The counters each metric's SQL reads (visitors are always there). */
const COUNTERS_READ: Record<CubeMetric, readonly Counter[]> = {
  visitors: [],
  visits: ['visits'],
  pageviews: ['pageviews'],
  events: ['pageviews', 'events'],
  bounce_rate: ['bounces', 'visits'],
  visit_duration: ['duration', 'visits'],
  views_per_visit: ['pageviews', 'visits'],
  conversion_rate: [],
  group_conversion_rate: [],
  percentage: [],
  total_revenue: [],
  average_revenue: [],
  scroll_depth: ['scroll_sum', 'scroll_visits'],
  time_on_page: ['engaged_ms', 'scroll_visits'],
  exit_rate: ['exits', 'pageviews'],
};

/** A Stats API filter as SQL over `column`; its values travel as the Array(String) parameter `param`. */
export function filterCondition(column: string, op: FilterOp, param: string): string {
  if (op === 'is') return `${column} IN {${param}:Array(String)}`;
  if (op === 'is_not') return `${column} NOT IN {${param}:Array(String)}`;
  return `arrayExists(x -> positionCaseInsensitiveUTF8(${column}, x) > 0, {${param}:Array(String)})`;
}

/** Metrics whose answer is text (exact decimals) sort by their number. */
const ORDER_SQL: Partial<Record<CubeMetric, string>> = {
  total_revenue: 'sum(s_revenue)',
  average_revenue: 'if(sum(s_revenue_events) > 0, sum(s_revenue) / sum(s_revenue_events), 0)',
};

/** Hidden columns that run.ts reads beside the revenue metrics (conversions with revenue in other currencies). */
const REVENUE_EXTRA = 'sum(s_revenue_other) AS x_revenue_other';

/** A cube column as SQL; the goal "column" is the goal's display name, looked up from the event name. */
const GOAL_EXPR = `transform(name, {g_names:Array(String)}, {g_display:Array(String)}, '')`;
/** The revenue currency of the goal an event-cube row counts for ('' for none). */
const GOAL_CURRENCY = `transform(name, {g_names:Array(String)}, {g_currency:Array(String)}, '')`;
/** The visit's country: its ISO code, or its English name; '' (unknown) reads "(not set)". */
const COUNTRY_EXPR = `if(country = '', {not_set:String}, country)`;
const COUNTRY_NAME_EXPR = `if(country = '', {not_set:String}, transform(country, {cn_codes:Array(String)}, {cn_names:Array(String)}, country))`;
const DERIVED_SQL: Record<string, string> = { [GOAL_COLUMN]: GOAL_EXPR, [COUNTRY_COLUMN]: COUNTRY_EXPR, [COUNTRY_NAME_COLUMN]: COUNTRY_NAME_EXPR, [EXIT_PAGE_COLUMN]: 'path' };
const columnSql = (column: string) => DERIVED_SQL[column] ?? column;

/**
 * Revenue sums over the event cubes: only amounts in the currency of the goal they count for;
 * conversions that carried another currency are counted apart (never converted).
 */
const REVENUE_PARTS: Array<[alias: string, sql: string]> = [
  ['revenue', `sum(if(currency != '' AND currency = ${GOAL_CURRENCY}, revenue, toDecimal128(0, 8)))`],
  ['revenue_events', `sum(if(currency != '' AND currency = ${GOAL_CURRENCY}, events, 0))`],
  ['revenue_other', `sum(if(currency != '' AND currency != ${GOAL_CURRENCY}, events, 0))`],
];

/**
 * SQL for a planned query. Identifiers come only from our own tables of names (cube columns,
 * metric names); every value the caller sent travels as a query parameter.
 *
 * Where the numbers come from: closed local days from the day cubes (visitors already counted),
 * the rest of the range from the hour cubes (visitor sketches merged). Visitor keys are salted per
 * day, so the two parts' visitors add up. `closedDays` are the range's days already closed.
 *
 * k-anonymity: a group with fewer than `minVisitors` visitors has its non-time dimensions
 * replaced by "(other)" and is added there. A time-only breakdown under filters cannot fold, so
 * such rows are left out. A plain time series or total of the whole site is not a group and is
 * shown as is.
 */
export function buildQuery(store: Store, plan: QueryPlan, minVisitors: number, closedDays: string[] = []): BuiltQuery {
  const params: Record<string, unknown> = { site: plan.site, tz: plan.timeZone, k: minVisitors, limit: plan.limit, offset: plan.offset };
  const filterSql: string[] = [];
  if (plan.goals) {
    // Only the events of the site's goals take part.
    params.g_names = plan.goals.names;
    params.g_display = plan.goals.display;
    params.g_currency = plan.goals.currency;
    filterSql.push('name IN {g_names:Array(String)}');
  } else if (EVENT_CUBES.includes(plan.cube)) {
    // Custom events only: the conversions of goals counted at ingestion are not events of their own.
    params.goal_prefix = GOAL_NAME_PREFIX;
    filterSql.push('NOT startsWith(name, {goal_prefix:String})');
  }
  const columns = [...plan.dimensionColumns.map((d) => d.column), ...plan.filters.map((f) => f.column)];
  if (columns.includes(COUNTRY_COLUMN) || columns.includes(COUNTRY_NAME_COLUMN)) params.not_set = NOT_SET;
  if (columns.includes(COUNTRY_NAME_COLUMN)) {
    params.cn_codes = COUNTRY_CODES;
    params.cn_names = COUNTRY_NAMES;
  }
  if (plan.propKey !== undefined) {
    params.prop_key = plan.propKey;
    filterSql.push('prop_key = {prop_key:String}');
  }
  const revenue = plan.goals !== undefined && plan.metrics.some((m) => REVENUE_METRICS.includes(m));
  /**
   * What each part sums, as s_<name>: the counters the metrics read (and revenue sums), then
   * visitors (always: k-anonymity reads them). Fewer columns, less for ClickHouse to plan and read.
   */
  const metrics = plan.metrics as CubeMetric[];
  if (metrics.some((m) => !(m in METRIC_SQL))) throw new Error(`buildQuery: ${plan.metrics.join(', ')} includes a metric SQL over the cubes does not compute`);
  const needed = new Set(metrics.flatMap((m) => COUNTERS_READ[m]));
  // Exit pages read exits for every metric, the row filter and the group size below.
  if (plan.exitPage) needed.add('exits');
  const metricSql = (m: CubeMetric) => (plan.exitPage ? EXIT_METRIC_SQL[m] : undefined) ?? METRIC_SQL[m];
  const counters = cubeCounters(plan.cube).filter((c) => c !== 'revenue' && needed.has(c));
  const partSums: Array<[string, string]> = [...counters.map((c): [string, string] => [c, `sum(${c})`]), ...(revenue ? REVENUE_PARTS : [])];
  const SUMMED = [...partSums.map(([a]) => a), 'visitors'];
  plan.filters.forEach((f, i) => {
    const p = `f${i}`;
    params[p] = f.values;
    filterSql.push(filterCondition(columnSql(f.column), f.op, p));
  });

  const dims = plan.dimensionColumns.map((d, i) => ({ alias: `d${i}`, out: `o${i}`, column: d.column, time: d.time }));
  const groupBy = dims.length ? `GROUP BY ${dims.map((d) => d.alias).join(', ')}` : '';

  // The hour (or minute) part: everything in range that is not a closed day.
  const tsLocal = 'toTimeZone(ts, {tz:String})';
  const hourWhere = ['site = {site:String}', ...filterSql];
  const useDays = plan.grain === 'day' && closedDays.length > 0;
  if (plan.range.realtime) {
    // The minutes that started in the window: 30 buckets, the current (partial) one included.
    params.since = Math.floor((plan.range.since ?? Date.now() - REALTIME_WINDOW_MS) / 1000);
    hourWhere.push('ts > toDateTime({since:UInt32})');
  } else {
    // The hour cubes serve only the days not yet closed: usually today alone, so the scan starts
    // at the first open day of the range rather than at its start (hour cubes hold two weeks).
    const closed = new Set(useDays ? closedDays : []);
    let firstOpen = plan.range.from;
    while (firstOpen <= plan.range.to && closed.has(firstOpen)) firstOpen = addDays(firstOpen, 1);
    params.from = `${firstOpen} 00:00:00`;
    params.to = `${addDays(plan.range.to, 1)} 00:00:00`;
    hourWhere.push('ts >= toDateTime({from:String}, {tz:String})', 'ts < toDateTime({to:String}, {tz:String})');
  }
  if (useDays) {
    params.closed = closedDays;
    // Closed days after the first open one (a day that could not be closed in between).
    hourWhere.push('toDate(ts, {tz:String}) NOT IN {closed:Array(Date)}');
  }
  /** One part of the UNION: a cube table grouped by the requested dimensions. */
  const part = (from: string, bucket: (d: (typeof dims)[number]) => string, visitors: string, where: string[]) =>
    `SELECT ${[...dims.map((d) => `${d.time ? bucket(d) : columnSql(d.column!)} AS ${d.alias}`), ...partSums.map(([a, sql]) => `${sql} AS s_${a}`), `${visitors} AS s_visitors`].join(', ')} FROM ${from} WHERE ${where.join(' AND ')} ${groupBy}`;
  const hourTable = store.table(cubeTable(plan.cube, plan.grain === 'minute' ? 'minute' : 'hour'));
  const parts = [part(hourTable, (d) => TS_BUCKET[d.time!](tsLocal), 'uniqCombined64Merge(visitors)', hourWhere)];
  if (useDays) {
    parts.push(part(`${store.table(cubeTable(plan.cube, 'day'))} FINAL`, (d) => DAY_BUCKET[d.time!]!, 'sum(visitors)', ['site = {site:String}', 'day IN {closed:Array(Date)}', ...filterSql]));
  }
  const sumCols = SUMMED.map((c) => `sum(s_${c}) AS s_${c}`);
  // An exit-page breakdown lists the pages that are some visit's exit, not every page viewed.
  const exitRows = plan.exitPage && dims.some((d) => d.column === EXIT_PAGE_COLUMN) ? 'HAVING s_exits > 0' : '';
  const combined = `SELECT ${[...dims.map((d) => d.alias), ...sumCols].join(', ')} FROM (${parts.join(' UNION ALL ')}) ${groupBy} ${exitRows}`;

  const hasGroupDims = dims.some((d) => !d.time);
  const filtered = plan.filters.length > 0;
  // The size of a row's group. An exit page's group is the visits that ended there: fewer exits
  // than k is too small however many visitors viewed the page (and exits can repeat a visitor,
  // so the page's visitors bound it from the other side).
  const groupSize = plan.exitPage ? 'least(s_visitors, s_exits)' : 's_visitors';
  const folded = dims.map((d) => (hasGroupDims && !d.time ? `if(${groupSize} < {k:UInt64}, '(other)', ${d.alias}) AS ${d.out}` : `${d.alias} AS ${d.out}`));
  // Filters narrow the site to a group: a time-only (or total) row of that group under k is left out.
  const suppress = !hasGroupDims && filtered;
  const middle = `SELECT ${[...folded, ...SUMMED.map((c) => `s_${c}`)].join(', ')} FROM (${combined}) ${suppress ? `WHERE ${groupSize} >= {k:UInt64}` : ''}`;

  const orderAlias = (name: string) => {
    const i = plan.dimensions.indexOf(name);
    return i >= 0 ? `o${i}` : (ORDER_SQL[name as CubeMetric] ?? `m_${name}`);
  };
  const order = [...plan.orderBy.map(([n, dir]) => `${orderAlias(n)} ${dir.toUpperCase()}`), ...dims.map((d) => `${d.out} ASC`)];
  const sql = `
    SELECT ${[...dims.map((d) => d.out), ...metrics.map((m) => `${metricSql(m)} AS m_${m}`), ...(revenue ? [REVENUE_EXTRA] : [])].join(', ')}
    FROM (${middle})
    ${dims.length ? `GROUP BY ${dims.map((d) => d.out).join(', ')}` : ''}
    ${!dims.length && suppress ? 'HAVING count() > 0' : ''}
    ${dims.length ? `ORDER BY ${order.join(', ')}` : ''}
    LIMIT {limit:UInt32} OFFSET {offset:UInt32}`;
  return { sql, params };
}
