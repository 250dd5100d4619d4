import { cubeTable } from '../../../schema/cubes.ts';
import type { Store } from '../../../schema/client.ts';
import { nextDay } from './date-range.ts';
import type { TimeDimension, Metric } from './dimensions.ts';
import type { QueryPlan } from './query.ts';

export interface BuiltQuery {
  sql: string;
  params: Record<string, unknown>;
}

const TIME_BUCKET: Record<TimeDimension, (ts: string) => string> = {
  'time:minute': (ts) => `toString(toStartOfMinute(${ts}))`,
  'time:hour': (ts) => `toString(toStartOfHour(${ts}))`,
  'time:day': (ts) => `toString(toDate(${ts}))`,
  'time:week': (ts) => `toString(toMonday(${ts}))`,
  'time:month': (ts) => `toString(toStartOfMonth(${ts}))`,
};

const METRIC_SQL: Record<Metric, string> = {
  visitors: 'uniqCombined64Merge(vstate)',
  visits: 'sum(s_visits)',
  pageviews: 'sum(s_pageviews)',
  events: 'sum(s_events)',
  bounce_rate: 'if(sum(s_visits) > 0, round(100 * sum(s_bounces) / sum(s_visits)), 0)',
  visit_duration: 'if(sum(s_visits) > 0, round(sum(s_duration) / sum(s_visits)), 0)',
  views_per_visit: 'if(sum(s_visits) > 0, round(sum(s_pageviews) / sum(s_visits), 2), 0)',
};

/**
 * SQL for a planned query. Identifiers come only from our own tables of names (cube columns,
 * metric names); every value the caller sent travels as a query parameter.
 *
 * k-anonymity: rows are first grouped by the requested dimensions with their visitor sketches
 * kept as states; a row with fewer than `minVisitors` visitors has its non-time dimensions
 * replaced by "(other)" and is merged there (its sketch merged, so "(other)" counts each visitor
 * once). A time-only breakdown under filters cannot fold, so such rows are left out. A plain
 * time series or total of the whole site is not a group and is shown as is.
 */
export function buildQuery(store: Store, plan: QueryPlan, minVisitors: number): BuiltQuery {
  const params: Record<string, unknown> = {
    site: plan.site,
    tz: plan.timeZone,
    k: minVisitors,
    limit: plan.limit,
    offset: plan.offset,
  };
  const tsLocal = 'toTimeZone(ts, {tz:String})';
  const where = ['site = {site:String}'];
  if (plan.range.realtime) {
    where.push('ts >= now() - INTERVAL 30 MINUTE');
  } else {
    params.from = `${plan.range.from} 00:00:00`;
    params.to = `${nextDay(plan.range.to)} 00:00:00`;
    where.push('ts >= toDateTime({from:String}, {tz:String})', 'ts < toDateTime({to:String}, {tz:String})');
  }
  plan.filters.forEach((f, i) => {
    const p = `f${i}`;
    if (f.op === 'is') {
      params[p] = f.values;
      where.push(`${f.column} IN {${p}:Array(String)}`);
    } else if (f.op === 'is_not') {
      params[p] = f.values;
      where.push(`${f.column} NOT IN {${p}:Array(String)}`);
    } else {
      params[p] = f.values;
      where.push(`arrayExists(x -> positionCaseInsensitiveUTF8(${f.column}, x) > 0, {${p}:Array(String)})`);
    }
  });

  const dims = plan.dimensionColumns.map((d, i) => ({
    alias: `d${i}`,
    out: `o${i}`,
    expr: d.time ? TIME_BUCKET[d.time](tsLocal) : d.column!,
    isTime: !!d.time,
  }));
  const groupDims = dims.length ? `GROUP BY ${dims.map((d) => d.alias).join(', ')}` : '';
  const inner = `
    SELECT ${[...dims.map((d) => `${d.expr} AS ${d.alias}`),
      'sum(pageviews) AS s_pageviews', 'sum(events) AS s_events', 'sum(visits) AS s_visits',
      'sum(bounces) AS s_bounces', 'sum(duration) AS s_duration', 'uniqCombined64MergeState(visitors) AS vstate'].join(', ')}
    FROM ${store.table(cubeTable(plan.cube, plan.grain))}
    WHERE ${where.join(' AND ')}
    ${groupDims}`;

  const hasGroupDims = dims.some((d) => !d.isTime);
  const filtered = plan.filters.length > 0;
  const folded = dims.map((d) =>
    hasGroupDims && !d.isTime ? `if(finalizeAggregation(vstate) < {k:UInt64}, '(other)', ${d.alias}) AS ${d.out}` : `${d.alias} AS ${d.out}`,
  );
  // Filters narrow the site to a group: a time-only (or total) row of that group under k is left out.
  const suppress = !hasGroupDims && filtered ? 'WHERE finalizeAggregation(vstate) >= {k:UInt64}' : '';
  const middle = `SELECT ${[...folded, 's_pageviews', 's_events', 's_visits', 's_bounces', 's_duration', 'vstate'].join(', ')} FROM (${inner}) ${suppress}`;

  const outerSelect = [...dims.map((d) => d.out), ...plan.metrics.map((m) => `${METRIC_SQL[m]} AS m_${m}`)];
  const orderAlias = (name: string) => {
    const i = plan.dimensions.indexOf(name);
    return i >= 0 ? `o${i}` : `m_${name}`;
  };
  const order = [...plan.orderBy.map(([n, dir]) => `${orderAlias(n)} ${dir.toUpperCase()}`), ...dims.map((d) => `${d.out} ASC`)];
  // An empty (no dimensions) aggregate over no rows still yields one row of zeros, like Plausible.
  const sql = `
    SELECT ${outerSelect.join(', ')}
    FROM (${middle})
    ${dims.length ? `GROUP BY ${dims.map((d) => d.out).join(', ')}` : ''}
    ${!dims.length && suppress ? 'HAVING count() > 0' : ''}
    ${dims.length ? `ORDER BY ${order.join(', ')}` : ''}
    LIMIT {limit:UInt32} OFFSET {offset:UInt32}`;
  return { sql, params };
}
