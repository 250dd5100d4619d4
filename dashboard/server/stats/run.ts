import type { Store } from '../../../schema/client.ts';
import { closedDays } from '../../../schema/day-closings.ts';
import { buildQuery } from './sql.ts';
import type { QueryPlan } from './query.ts';

export interface StatsResponse {
  results: Array<{ metrics: number[]; dimensions: string[] }>;
  meta: Record<string, unknown>;
  query: Record<string, unknown>;
}

/** Runs a planned query and shapes the answer like Plausible's Stats API v2. */
export async function runQuery(store: Store, plan: QueryPlan, minVisitors: number): Promise<StatsResponse> {
  // The range's local days that the day closer has folded into the day cubes.
  const closed = plan.grain === 'day' ? await closedDays(store, plan.site, plan.range.from, plan.range.to) : [];
  const { sql, params } = buildQuery(store, plan, minVisitors, closed);
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
      days_from_day_cubes: closed.length,
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
