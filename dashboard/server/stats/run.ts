import type { Store } from '../../../schema/client.ts';
import { closedDays } from '../../../schema/day-closings.ts';
import { buildQuery } from './sql.ts';
import type { QueryPlan } from './query.ts';

export interface StatsResponse {
  /** A metric is null where it cannot be worked out (the group conversion rate of "(other)"). */
  results: Array<{ metrics: Array<number | null>; dimensions: string[] }>;
  meta: Record<string, unknown>;
  query: Record<string, unknown>;
}

/** Runs a planned query and shapes the answer like Plausible's Stats API v2. */
export async function runQuery(store: Store, plan: QueryPlan, minVisitors: number): Promise<StatsResponse> {
  // The range's local days that the day closer has folded into the day cubes.
  const closed = plan.grain === 'day' ? await closedDays(store, plan.site, plan.range.from, plan.range.to) : [];
  // The goal rates divide by visitors the goal query cannot see: of the whole range
  // (conversion_rate) and of each row's group (group_conversion_rate). All run at once.
  const [rows, total, groups] = await Promise.all([
    select(store, buildQuery(store, plan, minVisitors, closed)),
    plan.metrics.includes('conversion_rate') ? rangeVisitors(store, plan, closed) : Promise.resolve(0),
    plan.metrics.includes('group_conversion_rate') ? groupVisitors(store, plan, minVisitors, closed) : Promise.resolve(undefined),
  ]);
  const results = rows.map((r) => {
    const dimensions = plan.dimensions.map((_, i) => String(r[`o${i}`] ?? ''));
    return {
      metrics: plan.metrics.map((m): number | null => {
        const v = Number(r[`m_${m}`] ?? 0);
        if (m === 'conversion_rate') return total > 0 ? Math.round((10_000 * v) / total) / 100 : 0;
        if (m !== 'group_conversion_rate') return v;
        // Converting visitors of the row / visitors of the same group (campaign, source, …).
        const group = dimensions.includes('(other)') ? undefined : groups!.get(groupKey(plan, dimensions));
        return group ? Math.round((10_000 * v) / group) / 100 : null;
      }),
      dimensions,
    };
  });
  return {
    results,
    meta: {
      time_zone: plan.timeZone,
      cube: plan.cube,
      granularity: plan.grain,
      days_from_day_cubes: closed.length,
      privacy_min_visitors: minVisitors,
      ...(plan.warnings.length ? { warnings: plan.warnings } : {}),
    },
    query: {
      site_id: plan.site,
      metrics: plan.metrics,
      date_range: plan.range.realtime ? 'realtime' : [plan.range.from, plan.range.to],
      dimensions: plan.dimensions,
      filters: plan.filters.map((f) => [f.op, f.dimension, f.values]),
      order_by: plan.orderBy,
      pagination: { limit: plan.limit, offset: plan.offset },
    },
  };
}

async function select(store: Store, built: { sql: string; params: Record<string, unknown> }): Promise<Array<Record<string, string | number>>> {
  const rs = await store.client.query({ query: built.sql, query_params: built.params, format: 'JSONEachRow' });
  return rs.json<Record<string, string | number>>();
}

/**
 * conversion_rate's denominator: the visitors of the same query without goal filters and without
 * dimensions (the whole range, under the query's other filters), as Plausible defines it.
 */
async function rangeVisitors(store: Store, plan: QueryPlan, closed: string[]): Promise<number> {
  const filters = plan.filters.filter((f) => !EVENT_DIMENSIONS.has(f.dimension));
  const whole: QueryPlan = { ...plan, cube: 'acquisition', metrics: ['visitors'], dimensions: [], dimensionColumns: [], filters, goals: undefined, orderBy: [], limit: 1, offset: 0 };
  return Number((await select(store, buildQuery(store, whole, 1, closed)))[0]?.m_visitors ?? 0);
}

/** Dimensions that name an event or a goal: the group of a goal row is everything else. */
const EVENT_DIMENSIONS = new Set(['event:goal', 'event:name']);

/** The row's dimension values that define its group (its acquisition and time). */
function groupKey(plan: QueryPlan, values: string[]): string {
  return plan.dimensions.map((d, i) => (EVENT_DIMENSIONS.has(d) ? '' : values[i])).join('\x1f');
}

/**
 * Visitors per group, for group_conversion_rate: the same query over the acquisition cube, with
 * the event and goal dimensions and filters left out (a campaign's visitors, whether they
 * converted or not).
 */
async function groupVisitors(store: Store, plan: QueryPlan, minVisitors: number, closed: string[]): Promise<Map<string, number>> {
  const keep = plan.dimensionColumns.map((d) => !EVENT_DIMENSIONS.has(d.name));
  const group: QueryPlan = {
    ...plan,
    cube: 'acquisition',
    metrics: ['visitors'],
    dimensions: plan.dimensions.filter((_, i) => keep[i]),
    dimensionColumns: plan.dimensionColumns.filter((_, i) => keep[i]),
    filters: plan.filters.filter((f) => !EVENT_DIMENSIONS.has(f.dimension)),
    goals: undefined,
    orderBy: [],
    limit: 10_000,
    offset: 0,
  };
  // k = 1: the group sizes are only divided by here, never shown.
  const out = new Map<string, number>();
  for (const r of await select(store, buildQuery(store, group, 1, closed))) {
    let j = 0;
    const values = plan.dimensions.map((d) => (EVENT_DIMENSIONS.has(d) ? '' : String(r[`o${j++}`] ?? '')));
    out.set(values.join('\x1f'), Number(r.m_visitors ?? 0));
  }
  return out;
}
