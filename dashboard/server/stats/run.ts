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
  // conversion_rate divides by the visitors of the whole range (no goal, no dimension).
  let total = 0;
  if (plan.metrics.includes('conversion_rate')) {
    const whole: QueryPlan = { ...plan, cube: 'acquisition', metrics: ['visitors'], dimensions: [], dimensionColumns: [], filters: [], goals: undefined, orderBy: [], limit: 1, offset: 0 };
    const built = buildQuery(store, whole, minVisitors, closed);
    const rs = await store.client.query({ query: built.sql, query_params: built.params, format: 'JSONEachRow' });
    total = Number((await rs.json<Record<string, string | number>>())[0]?.m_visitors ?? 0);
  }
  const { sql, params } = buildQuery(store, plan, minVisitors, closed, total);
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
