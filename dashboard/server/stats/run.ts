import type { Store } from '../../../schema/client.ts';
import { DAY_CLOSINGS_TABLE } from '../../../schema/cubes.ts';
import { buildQuery } from './sql.ts';
import type { QueryPlan } from './query.ts';

export interface StatsResponse {
  results: Array<{ metrics: number[]; dimensions: string[] }>;
  meta: Record<string, unknown>;
  query: Record<string, unknown>;
}

/** Runs a planned query and shapes the answer like Plausible's Stats API v2. */
export async function runQuery(store: Store, plan: QueryPlan, minVisitors: number): Promise<StatsResponse> {
  const closedDays = plan.grain === 'day' ? await closedDaysIn(store, plan) : [];
  const { sql, params } = buildQuery(store, plan, minVisitors, closedDays);
  const rs = await store.client.query({ query: sql, query_params: params, format: 'JSONEachRow' });
  const rows = await rs.json<Record<string, string | number>>();
  const results = rows.map((r) => ({
    metrics: plan.metrics.map((m) => Number(r[`m_${m}`] ?? 0)),
    dimensions: plan.dimensions.map((_, i) => String(r[`o${i}`] ?? '')),
  }));
  return {
    results,
    meta: {
      time_zone: plan.timeZone,
      cube: plan.cube,
      granularity: plan.grain,
      days_from_day_cubes: closedDays.length,
      privacy_min_visitors: minVisitors,
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

/** The range's local days that the day closer has folded into the day cubes. */
async function closedDaysIn(store: Store, plan: QueryPlan): Promise<string[]> {
  const rs = await store.client.query({
    query: `SELECT toString(day) AS d FROM ${store.table(DAY_CLOSINGS_TABLE)} FINAL WHERE site = {site:String} AND day BETWEEN {from:Date} AND {to:Date}`,
    query_params: { site: plan.site, from: plan.range.from, to: plan.range.to },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ d: string }>()).map((r) => r.d);
}
