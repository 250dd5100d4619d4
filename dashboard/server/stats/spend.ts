// Spend metrics (issue 9): the marketer's imported ad spend per day and campaign (schema/ad-spend.ts)
// joined to what telmark counted. Spend is per local day, source, campaign (and medium), so these
// metrics go with `visit:utm_campaign`, `visit:utm_source` and `time:day|week|month` only, and
// filters on the UTM fields and `event:goal`. The join is a full outer join: a campaign that spent
// without a single visit shows, and so does one with visits and no spend.
//
//   spend            sum of the imported amounts (one currency per row, else null and a warning)
//   cpa              spend / conversions of the filtered goal (events under `event:goal`)
//   cost_per_visitor spend / visitors of the row's group (all of them, converted or not)
//   roas             revenue of the filtered goal / spend, when both are in one currency
//   cpc              spend / imported clicks, where every spend row of the group has clicks
//
// k-anonymity is about visitors: spend, the marketer's own number, is always shown; a row whose
// visitors fold into "(other)" keeps its spend, and its visitor-based figures are null.
import type { Store } from '../../../schema/client.ts';
import { AD_SPEND_TABLE } from '../../../schema/cubes.ts';
import { money, type Money } from './money.ts';
import { moneyUnits, unitsToDecimal } from '../../../schema/money.ts';
import type { Metric, TimeDimension } from './dimensions.ts';
import type { QueryPlan } from './query.ts';
import { filterCondition } from './sql.ts';

export const SPEND_METRICS: readonly Metric[] = ['spend', 'cpa', 'cost_per_visitor', 'roas', 'cpc'];
/** Dimensions spend is kept by (the columns of ad_spend they read). */
export const SPEND_DIMENSIONS: Record<string, string> = { 'visit:utm_campaign': 'utm_campaign', 'visit:utm_source': 'utm_source' };
export const SPEND_FILTERS: Record<string, string> = { ...SPEND_DIMENSIONS, 'visit:utm_medium': 'utm_medium' };
const SPEND_TIME: Partial<Record<TimeDimension, string>> = {
  'time:day': 'toString(day)',
  'time:week': 'toString(toMonday(day))',
  'time:month': 'toString(toStartOfMonth(day))',
};

/** Why a plan cannot carry spend metrics, or null. */
export function spendPlanProblem(plan: Pick<QueryPlan, 'dimensionColumns' | 'filters' | 'metrics'>): string | null {
  for (const d of plan.dimensionColumns) {
    if (d.time ? !SPEND_TIME[d.time] : !SPEND_DIMENSIONS[d.name]) {
      return `spend is kept per day, source and campaign: spend metrics go with visit:utm_campaign, visit:utm_source and time:day, time:week or time:month, not ${d.name}`;
    }
  }
  for (const f of plan.filters) {
    if (f.dimension !== 'event:goal' && !SPEND_FILTERS[f.dimension]) return `filters: spend can be filtered by visit:utm_campaign, visit:utm_source, visit:utm_medium and event:goal, not ${f.dimension}`;
  }
  for (const m of ['cpa', 'roas'] as const) {
    if (plan.metrics.includes(m) && !plan.filters.some((f) => f.dimension === 'event:goal')) return `metrics: ${m} needs a goal: filter on event:goal`;
  }
  return null;
}

/** One group's spend: per currency (units of 10^-8) and the imported clicks (null if a row had none). */
export interface GroupSpend {
  values: string[];
  byCurrency: Map<string, bigint>;
  clicks: number | null;
}

/** The site's spend in the plan's range, grouped by the plan's dimensions (values in their order). */
export async function spendByGroup(store: Store, plan: QueryPlan): Promise<GroupSpend[]> {
  const params: Record<string, unknown> = { site: plan.site, from: plan.range.from, to: plan.range.to };
  const dims = plan.dimensionColumns.map((d, i) => `${d.time ? SPEND_TIME[d.time]! : SPEND_DIMENSIONS[d.name]!} AS d${i}`);
  const where = ['site = {site:String}', 'day BETWEEN {from:Date} AND {to:Date}', 'deleted = 0'];
  plan.filters.forEach((f, i) => {
    let column = SPEND_FILTERS[f.dimension];
    if (!column) return;
    params[`f${i}`] = f.values;
    // Campaigns meet case-insensitively (see joinKey): filter on the lower-cased key.
    if (column === 'utm_campaign') {
      column = 'campaign_key';
      params[`f${i}`] = f.values.map((v) => v.toLowerCase());
    }
    where.push(filterCondition(column, f.op, `f${i}`));
  });
  const groupBy = [...plan.dimensionColumns.map((_, i) => `d${i}`), 'currency'].join(', ');
  const rs = await store.client.query({
    query: `SELECT ${[...dims, 'currency', 'toString(sum(amount)) AS s_amount', 'sum(ifNull(clicks, 0)) AS s_clicks', 'countIf(isNull(clicks)) AS s_no_clicks'].join(', ')}
            FROM ${store.table(AD_SPEND_TABLE)} FINAL WHERE ${where.join(' AND ')} GROUP BY ${groupBy}`,
    query_params: params,
    format: 'JSONEachRow',
  });
  const groups = new Map<string, GroupSpend>();
  for (const r of await rs.json<Record<string, string>>()) {
    const values = plan.dimensionColumns.map((_, i) => String(r[`d${i}`] ?? ''));
    const key = joinKey(plan, values);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { values, byCurrency: new Map(), clicks: 0 }));
    g.byCurrency.set(r.currency!, (g.byCurrency.get(r.currency!) ?? 0n) + moneyUnits(r.s_amount!));
    g.clicks = g.clicks === null || Number(r.s_no_clicks) > 0 ? null : g.clicks + Number(r.s_clicks);
  }
  return [...groups.values()];
}

/**
 * The key traffic and spend rows meet on. Campaigns meet case-insensitively: the collector keeps a
 * campaign's case as tagged, and ad platforms often capitalise it differently in their exports.
 */
export function joinKey(plan: Pick<QueryPlan, 'dimensionColumns'>, values: string[]): string {
  return plan.dimensionColumns.map((d, i) => (d.name === 'visit:utm_campaign' ? values[i]!.toLowerCase() : values[i])).join('\x1f');
}

/** What the traffic side knows of a row. */
export interface TrafficFacts {
  /** Visitors of the row's group (all, converted or not); undefined: folded or unknown. */
  groupVisitors?: number;
  /** Conversions (events under the goal filter). */
  conversions?: number;
  /** Revenue of the conversions, exact decimal text, and its currency. */
  revenue?: { amount: string; currency: string } | null;
}

export interface SpendFigures {
  values: Partial<Record<Metric, number | Money | null>>;
  /** metric -> warning, for meta.metric_warnings. */
  warnings: Array<[Metric, { code: string; warning: string }]>;
}

/** A money amount divided by a count, exact to 10^-8 (rounded half up). */
function divide(units: bigint, by: number): bigint {
  const n = BigInt(by);
  return (2n * units + n) / (2n * n);
}

/** The spend metrics of one row. */
export function spendFigures(metrics: readonly Metric[], spend: GroupSpend | undefined, traffic: TrafficFacts): SpendFigures {
  const values: SpendFigures['values'] = {};
  const warnings: SpendFigures['warnings'] = [];
  const currencies = spend ? [...spend.byCurrency.keys()] : [];
  const one = currencies.length === 1 ? { currency: currencies[0]!, units: spend!.byCurrency.get(currencies[0]!)! } : undefined;
  if (currencies.length > 1) {
    for (const m of metrics.filter((m) => SPEND_METRICS.includes(m))) warnings.push([m, { code: 'spend_in_different_currencies', warning: `spend of a row is in several currencies (${currencies.join(', ')}), which telmark does not convert` }]);
  }
  for (const m of metrics) {
    if (!SPEND_METRICS.includes(m)) continue;
    if (!one) {
      values[m] = null;
      continue;
    }
    const asMoney = (u: bigint) => money(unitsToDecimal(u), one.currency);
    if (m === 'spend') values[m] = asMoney(one.units);
    else if (m === 'cpa') values[m] = traffic.conversions ? asMoney(divide(one.units, traffic.conversions)) : null;
    else if (m === 'cost_per_visitor') values[m] = traffic.groupVisitors ? asMoney(divide(one.units, traffic.groupVisitors)) : null;
    else if (m === 'cpc') values[m] = spend!.clicks ? asMoney(divide(one.units, spend!.clicks)) : null;
    else if (m === 'roas') {
      const revenue = traffic.revenue;
      if (revenue === undefined || revenue === null || one.units === 0n) values[m] = null;
      else if (revenue.currency !== one.currency) {
        values[m] = null;
        warnings.push(['roas', { code: 'roas_currency_mismatch', warning: `revenue is in ${revenue.currency}, spend in ${one.currency}; telmark does not convert currencies` }]);
      } else {
        // Revenue / spend, 2 decimals, from exact units.
        values[m] = Number((moneyUnits(revenue.amount) * 100n + one.units / 2n) / one.units) / 100;
      }
    }
  }
  return { values, warnings };
}
