import type { Store } from '../../../schema/client.ts';
import { buildQuery } from './sql.ts';
import { realtimeMinutes } from './date-range.ts';
import type { QueryPlan } from './query.ts';
import { PROP_PREFIX, VISIT_CUBE_OF } from './dimensions.ts';
import { money, type Money } from './money.ts';
import type { StatsContext } from './context-cache.ts';
import { joinKey, SPEND_METRICS, spendByGroup, spendFigures, type TrafficFacts } from './spend.ts';
import type { Metric } from './dimensions.ts';
import { pairRows, type Comparison, type Row as ComparedRow } from './comparisons.ts';

export interface StatsResponse {
  /**
   * A metric is null where it cannot be worked out (the group conversion rate of "(other)", the
   * revenue of a goal without a currency); revenue metrics are Plausible's money objects.
   */
  results: ComparedRow[];
  meta: Record<string, unknown>;
  query: Record<string, unknown>;
}

/** Runs a planned query and shapes the answer like Plausible's Stats API v2. */
export async function runQuery(
  store: Store,
  plan: QueryPlan,
  minVisitors: number,
  /** Closed days and cached rate denominators (context-cache.ts). */
  context: StatsContext,
): Promise<StatsResponse> {
  return plan.comparison ? runCompared(store, plan, plan.comparison, minVisitors, context) : runPeriod(store, plan, minVisitors, context);
}

/**
 * include.comparisons: the query over its own range and over the earlier one, side by side (two
 * independent answers, each k-anonymous on its own), then paired row by row (comparisons.ts).
 * Both run unpaged (at most 10,000 rows, the pagination ceiling), so that every row shown finds
 * its earlier counterpart among the earlier period's first 10,000 rows in the same order, and
 * a time series can get its empty buckets; the page is cut afterwards.
 */
async function runCompared(store: Store, plan: QueryPlan, comparison: Comparison, minVisitors: number, context: StatsContext): Promise<StatsResponse> {
  const whole: QueryPlan = { ...plan, comparison: undefined, limit: 10_000, offset: 0 };
  const [main, earlier] = await Promise.all([
    runPeriod(store, whole, minVisitors, context),
    runPeriod(store, { ...whole, range: comparison.range }, minVisitors, context),
  ]);
  let rows = pairRows(plan, main.results, earlier.results, comparison.range);
  // Empty buckets were appended: put them in the query's order.
  if (rows.length > main.results.length) sortRows(plan, rows);
  rows = rows.slice(plan.offset, plan.offset + plan.limit);
  return {
    results: rows,
    meta: { ...main.meta, comparison_date_range: [comparison.range.from, comparison.range.to] },
    query: { ...main.query, pagination: { limit: plan.limit, offset: plan.offset }, include: { comparisons: comparison.request } },
  };
}

type Row = StatsResponse['results'][number];

/** Orders rows by the plan's order_by, then by their dimensions (nulls last), as the SQL does. */
function sortRows(plan: QueryPlan, rows: Row[], order: Array<[string, 'asc' | 'desc']> = plan.orderBy): void {
  const sortValue = (r: Row, name: string): number | string | null => {
    const d = plan.dimensions.indexOf(name);
    if (d >= 0) return r.dimensions[d]!;
    const v = r.metrics[plan.metrics.indexOf(name as Metric)];
    return v === null || v === undefined ? null : typeof v === 'number' ? v : v.value;
  };
  rows.sort((a, b) => {
    for (const [name, dir] of [...order, ...plan.dimensions.map((d): [string, 'asc' | 'desc'] => [d, 'asc'])]) {
      const x = sortValue(a, name);
      const y = sortValue(b, name);
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      const c = x < y ? -1 : 1;
      return dir === 'asc' ? c : -c;
    }
    return 0;
  });
}

/** One period's answer (the query as planned, comparisons aside). */
async function runPeriod(store: Store, plan: QueryPlan, minVisitors: number, context: StatsContext): Promise<StatsResponse> {
  if (plan.metrics.some((m) => SPEND_METRICS.includes(m))) return runWithSpend(store, plan, minVisitors, context);
  // The range's local days that the day closer has folded into the day cubes.
  const closed = plan.grain === 'day' ? await context.closedDays(plan.site, plan.range.from, plan.range.to) : [];
  // The goal rates divide by visitors the goal query cannot see: of the whole range
  // (conversion_rate) and of each row's group (group_conversion_rate). All run at once.
  const [rows, { total, groups }, queryTotal] = await Promise.all([
    select(store, buildQuery(store, plan, minVisitors, closed)),
    rateDenominators(store, plan, closed, context),
    plan.metrics.includes('percentage') ? queryVisitors(store, plan, closed) : Promise.resolve(0),
  ]);
  const currencyOf = revenueCurrency(plan);
  const metricWarnings: Record<string, { code: string; warning: string }> = {};
  let otherCurrency = 0;
  const results = rows.map((r) => {
    const dimensions = plan.dimensions.map((_, i) => String(r[`o${i}`] ?? ''));
    otherCurrency += Number(r.x_revenue_other ?? 0);
    return {
      metrics: plan.metrics.map((m): number | Money | null => {
        const raw = r[`m_${m}`];
        if (m === 'total_revenue' || m === 'average_revenue') {
          const currency = currencyOf(dimensions);
          return currency && raw !== null && raw !== undefined ? money(String(raw), currency) : null;
        }
        if (raw === null) return null;
        const v = Number(raw ?? 0);
        if (m === 'conversion_rate') return total > 0 ? Math.round((10_000 * v) / total) / 100 : 0;
        if (m === 'percentage') return queryTotal > 0 ? Math.round((10_000 * v) / queryTotal) / 100 : 0;
        if (m !== 'group_conversion_rate') return v;
        // Converting visitors of the row / visitors of the same group (campaign, source, …).
        const group = dimensions.includes('(other)') ? undefined : groups!.get(groupKey(plan, dimensions));
        return group ? Math.round((10_000 * v) / group) / 100 : null;
      }),
      dimensions,
    };
  });
  for (const m of plan.metrics.filter((m) => m === 'total_revenue' || m === 'average_revenue')) {
    const warning = revenueWarning(plan);
    if (warning) metricWarnings[m] = warning;
    else if (otherCurrency > 0) {
      metricWarnings[m] = {
        code: 'revenue_in_other_currencies',
        warning: `${otherCurrency} conversion(s) carried revenue in another currency than their goal's; those amounts are kept apart, not converted (telmark fetches no exchange rates)`,
      };
    }
  }
  return {
    results,
    meta: {
      time_zone: plan.timeZone,
      cube: plan.cube,
      granularity: plan.grain,
      days_from_day_cubes: closed.length,
      privacy_min_visitors: minVisitors,
      // The window's first and last minute buckets, so a chart can show the quiet minutes as zero.
      ...(plan.range.realtime && plan.range.since !== undefined ? { realtime_minutes: realtimeMinutes(plan.range.since, plan.timeZone) } : {}),
      ...(plan.warnings.length ? { warnings: plan.warnings } : {}),
      ...(Object.keys(metricWarnings).length ? { metric_warnings: metricWarnings } : {}),
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
 * The goal rates' denominators, over the visit cube behind the query, in one statement (each
 * query costs ClickHouse a planning pass of several ms):
 * - conversion_rate: the visitors of the same query without goal filters and without dimensions
 *   (the whole range, under the query's other filters), as Plausible defines it;
 * - group_conversion_rate: the visitors of each row's group, i.e. the same query with the event,
 *   goal and prop dimensions and filters left out (a campaign's visitors, converted or not).
 * k = 1: these are only divided by, never shown.
 */
async function rateDenominators(store: Store, plan: QueryPlan, closed: string[], context: StatsContext): Promise<{ total: number; groups?: Map<string, number> }> {
  const wantTotal = plan.metrics.includes('conversion_rate');
  const wantGroups = plan.metrics.includes('group_conversion_rate');
  if (!wantTotal && !wantGroups) return { total: 0 };
  // Everything the answer depends on (the goal and its filters do not take part).
  const key = JSON.stringify([
    plan.site,
    plan.cube,
    plan.grain,
    plan.range,
    plan.timeZone,
    plan.dimensionColumns.filter((d) => !isEventDimension(d.name)),
    plan.filters.filter((f) => !isEventDimension(f.dimension)),
    closed,
    wantTotal,
    wantGroups,
  ]);
  return context.denominators(key, () => computeDenominators(store, plan, closed, wantTotal, wantGroups), (v) => v.groups?.size ?? 1);
}

async function computeDenominators(store: Store, plan: QueryPlan, closed: string[], wantTotal: boolean, wantGroups: boolean): Promise<{ total: number; groups?: Map<string, number> }> {
  const keep = plan.dimensionColumns.map((d) => !isEventDimension(d.name));
  const visits: QueryPlan = {
    ...plan,
    cube: visitCube(plan),
    propKey: undefined,
    metrics: ['visitors'],
    filters: plan.filters.filter((f) => !isEventDimension(f.dimension)),
    goals: undefined,
    orderBy: [],
    limit: 10_000,
    offset: 0,
  };
  const groupDims = plan.dimensionColumns.filter((_, i) => keep[i]);
  const parts: string[] = [];
  let params: Record<string, unknown> = {};
  /** Adds one query as a UNION ALL member tagged `kind`; both members share their parameters (same site, range, filters). */
  const add = (kind: 'total' | 'group', p: QueryPlan) => {
    const built = buildQuery(store, p, 1, closed);
    const dims = groupDims.map((_, i) => (kind === 'group' ? `o${i}` : `'' AS o${i}`));
    parts.push(`SELECT '${kind}' AS kind, ${[...dims, 'm_visitors'].join(', ')} FROM (${built.sql})`);
    params = { ...params, ...built.params };
  };
  if (wantTotal) add('total', { ...visits, dimensions: [], dimensionColumns: [] });
  if (wantGroups) add('group', { ...visits, dimensions: plan.dimensions.filter((_, i) => keep[i]), dimensionColumns: groupDims });
  let total = 0;
  const groups = new Map<string, number>();
  for (const r of await select(store, { sql: parts.join(' UNION ALL '), params })) {
    if (r.kind === 'total') {
      total = Number(r.m_visitors ?? 0);
      continue;
    }
    let j = 0;
    const values = plan.dimensions.map((d) => (isEventDimension(d) ? '' : String(r[`o${j++}`] ?? '')));
    groups.set(values.join('\x1f'), Number(r.m_visitors ?? 0));
  }
  return { total, groups: wantGroups ? groups : undefined };
}

/** percentage's denominator: the visitors of the same query without dimensions (its filters kept). */
async function queryVisitors(store: Store, plan: QueryPlan, closed: string[]): Promise<number> {
  const whole: QueryPlan = { ...plan, metrics: ['visitors'], dimensions: [], dimensionColumns: [], orderBy: [], limit: 1, offset: 0 };
  return Number((await select(store, buildQuery(store, whole, 1, closed)))[0]?.m_visitors ?? 0);
}

/** The visit cube that holds the visitors behind an event-cube query (the visitors of its rows' groups). */
const visitCube = (plan: QueryPlan) => VISIT_CUBE_OF[plan.cube] ?? plan.cube;

/** Dimensions that name an event, a goal or a prop: the group of a goal row is everything else. */
const isEventDimension = (d: string) => d === 'event:goal' || d === 'event:name' || d.startsWith(PROP_PREFIX);

/** The row's dimension values that define its group (its acquisition and time). */
function groupKey(plan: QueryPlan, values: string[]): string {
  return plan.dimensions.map((d, i) => (isEventDimension(d) ? '' : values[i])).join('\x1f');
}

/**
 * The currency of a row's revenue: with event:goal as a dimension, the row's goal's; otherwise
 * the one currency of the goals in the query (none, or several: null, see revenueWarning).
 */
function revenueCurrency(plan: QueryPlan): (dimensions: string[]) => string | undefined {
  const goals = plan.goals;
  if (!goals) return () => undefined;
  const goalDim = plan.dimensions.indexOf('event:goal');
  if (goalDim >= 0) return (dims) => goals.currency[goals.display.indexOf(dims[goalDim]!)] || undefined;
  const currencies = inScopeCurrencies(plan);
  return () => (currencies.length === 1 ? currencies[0] : undefined);
}

/** The distinct revenue currencies of the goals a query counts (those its goal filters name, or all). */
function inScopeCurrencies(plan: QueryPlan): string[] {
  const goals = plan.goals!;
  let names = goals.display;
  for (const f of plan.filters.filter((f) => f.dimension === 'event:goal')) {
    if (f.op === 'is') names = names.filter((n) => f.values.includes(n));
    else if (f.op === 'is_not') names = names.filter((n) => !f.values.includes(n));
    else names = names.filter((n) => f.values.some((v) => n.toLowerCase().includes(v.toLowerCase())));
  }
  return [...new Set(names.map((n) => goals.currency[goals.display.indexOf(n)]!).filter(Boolean))];
}

/** Plausible's metric_warnings for revenue that cannot be shown. */
function revenueWarning(plan: QueryPlan): { code: string; warning: string } | undefined {
  const currencies = inScopeCurrencies(plan);
  // Per goal (event:goal as a dimension), each row has its goal's currency: several are fine.
  if (plan.dimensions.includes('event:goal')) {
    return currencies.length ? undefined : { code: 'no_revenue_goals_matching', warning: 'Revenue metrics are null: no goal in the query has a revenue currency.' };
  }
  if (currencies.length === 0) return { code: 'no_revenue_goals_matching', warning: 'Revenue metrics are null: no goal in the query has a revenue currency.' };
  if (currencies.length > 1) {
    return { code: 'revenue_goals_with_different_currencies', warning: `Revenue metrics are null: the goals in the query use different currencies (${currencies.join(', ')}), which telmark does not convert.` };
  }
  return undefined;
}

/**
 * A query with spend metrics: the traffic side through the cubes (with the conversions and
 * revenue the spend metrics divide), the spend side from the imports, joined in full (a campaign
 * with spend and no visits shows, and one with visits and no spend), then ordered and paged here.
 */
async function runWithSpend(store: Store, plan: QueryPlan, minVisitors: number, context: StatsContext): Promise<StatsResponse> {
  const wanted = plan.metrics.filter((m) => !SPEND_METRICS.includes(m));
  const helpers: Metric[] = [];
  if (plan.metrics.includes('cpa') && !wanted.includes('events')) helpers.push('events');
  if (plan.metrics.includes('roas') && !wanted.includes('total_revenue')) helpers.push('total_revenue');
  if (!wanted.includes('visitors')) helpers.push('visitors');
  // The groups' visitors come with the traffic query's own denominators (one statement, shared
  // through the context's cache, even while in flight).
  if (!wanted.includes('group_conversion_rate')) helpers.push('group_conversion_rate');
  const trafficMetrics = [...wanted, ...helpers];
  const inner: QueryPlan = { ...plan, metrics: trafficMetrics, orderBy: [], limit: 10_000, offset: 0 };
  const closed = await context.closedDays(plan.site, plan.range.from, plan.range.to);
  // Visitors of every group (k = 1, divided by only): who had visits at all, and cost_per_visitor.
  const [traffic, spend, groups] = await Promise.all([
    runPeriod(store, inner, minVisitors, context),
    // Spend depends on the site, range, spend dimensions and spend filters only (not on the data
    // version: flushes never change it); kept briefly, dropped when this process imports spend.
    context.spend(
      JSON.stringify([plan.site, plan.range.from, plan.range.to, plan.dimensionColumns.map((d) => d.time ?? d.name), plan.filters.filter((f) => f.dimension !== 'event:goal')]),
      () => spendByGroup(store, plan),
      (v) => v.length,
    ),
    rateDenominators(store, inner, closed, context).then((d) => {
      const byKey = new Map<string, number>();
      for (const [key, visitors] of d.groups ?? []) byKey.set(joinKey(plan, key.split('\x1f')), visitors);
      return byKey;
    }),
  ]);
  const at = (m: Metric) => trafficMetrics.indexOf(m);
  const rows: Row[] = [];
  const warnings = new Map<string, { code: string; warning: string }>();
  const spendByKey = new Map(spend.map((g) => [joinKey(plan, g.values), g]));
  const used = new Set<string>();
  const figures = (row: Row | undefined, values: string[], key: string): Row => {
    const g = used.has(key) ? undefined : spendByKey.get(key);
    if (g) used.add(key);
    const folded = values.includes('(other)');
    // Visitors of the row's group (converted or not): shown through cost_per_visitor only when the
    // group is not under PRIVACY_MIN_VISITORS (spend / cost_per_visitor would give the count away).
    const groupVisitors = groups.get(key) ?? 0;
    const visible = !folded && groupVisitors >= minVisitors;
    const revenue = row && at('total_revenue') >= 0 ? (row.metrics[at('total_revenue')] as { value: number; currency: string } | null) : null;
    const facts: TrafficFacts = {
      groupVisitors: visible ? groupVisitors : undefined,
      conversions: row && at('events') >= 0 ? (row.metrics[at('events')] as number) : row ? undefined : 0,
      revenue: revenue ? { amount: String(revenue.value), currency: revenue.currency } : undefined,
    };
    const { values: spent, warnings: w } = spendFigures(plan.metrics, g, facts);
    for (const [m, warning] of w) if (!warnings.has(m)) warnings.set(m, warning);
    // A spend-only row: no visits at all, or (under a goal filter) visits without a conversion:
    // zeros; visits too few to show: null (they are in "(other)").
    const hidden = !row && groupVisitors > 0 && !visible;
    return {
      dimensions: row?.dimensions ?? values,
      metrics: plan.metrics.map((m) => {
        if (SPEND_METRICS.includes(m)) return spent[m] ?? null;
        if (row) return row.metrics[at(m)] ?? null;
        if (hidden || m === 'total_revenue' || m === 'average_revenue') return null;
        if (m === 'group_conversion_rate') return groupVisitors > 0 ? 0 : null;
        return 0;
      }),
    };
  };
  for (const row of traffic.results) rows.push(figures(row, row.dimensions, joinKey(plan, row.dimensions)));
  for (const g of spend) {
    const key = joinKey(plan, g.values);
    if (!used.has(key)) rows.push(figures(undefined, g.values, key));
  }
  const order = plan.orderBy.length ? plan.orderBy : [[plan.metrics.includes('spend') ? 'spend' : plan.metrics[0]!, 'desc'] as [string, 'asc' | 'desc']];
  sortRows(plan, rows, order);
  const metricWarnings = { ...((traffic.meta.metric_warnings as Record<string, unknown> | undefined) ?? {}), ...Object.fromEntries(warnings) };
  return {
    results: rows.slice(plan.offset, plan.offset + plan.limit),
    meta: { ...traffic.meta, spend_rows_joined: spend.length, ...(Object.keys(metricWarnings).length ? { metric_warnings: metricWarnings } : {}) },
    query: { ...traffic.query, metrics: plan.metrics, order_by: plan.orderBy, pagination: { limit: plan.limit, offset: plan.offset } },
  };
}
