import { z } from 'zod';
import { CUBE_DIMENSIONS, type CubeName } from '../../../schema/cubes.ts';
import { addDays, localDate } from '../../../schema/dates.ts';
import { DEFAULT_HOURLY_RETENTION_DAYS } from '../../../schema/retention.ts';
import { countedAtIngestion, goalEventName } from '../../../schema/goals.ts';
import { SPEND_METRICS, spendPlanProblem } from './spend.ts';
import { DATE_PRESETS, isIsoDate, resolvePreset, type DateRange } from './date-range.ts';
import { bucketCount, comparisonRange, comparisonSchema, MAX_TIME_LABELS, type Comparison } from './comparisons.ts';
import { CUBE_METRICS, DERIVED_COLUMNS, DIMENSIONS, EXIT_PAGE_METRICS, GOAL_METRICS, METRICS, PROP_COLUMN, PROP_PREFIX, TIME_DIMENSIONS, type Metric, type TimeDimension } from './dimensions.ts';

/** A query the API refuses, with the sentence the caller sees (400). */
export class StatsQueryError extends Error {}

const FILTER_OPS = ['is', 'is_not', 'contains'] as const;
export type FilterOp = (typeof FILTER_OPS)[number];

const requestSchema = z.object({
  site_id: z.string().min(1).max(255),
  metrics: z.array(z.string()).min(1, 'metrics must name at least one metric').max(METRICS.length),
  date_range: z.union([z.enum(DATE_PRESETS), z.tuple([z.string(), z.string()])]),
  dimensions: z.array(z.string()).max(4).default([]),
  filters: z.array(z.tuple([z.string(), z.string(), z.array(z.string().max(2048)).min(1).max(100)])).max(20).default([]),
  order_by: z.array(z.tuple([z.string(), z.enum(['asc', 'desc'])])).max(5).optional(),
  pagination: z
    .object({ limit: z.number().int().min(1).max(10_000).default(10_000), offset: z.number().int().min(0).max(1_000_000).default(0) })
    .default({ limit: 10_000, offset: 0 }),
  // Plausible's other include flags (imports, time_labels, total_rows) are accepted and ignored, as before.
  include: z.object({ comparisons: comparisonSchema.nullable().optional() }).optional(),
});

export type StatsRequest = z.infer<typeof requestSchema>;

export interface Filter {
  op: FilterOp;
  dimension: string;
  column: string;
  values: string[];
}

/** A validated query, ready to become SQL. */
export interface QueryPlan {
  site: string;
  timeZone: string;
  metrics: Metric[];
  cube: CubeName;
  /**
   * minute: the minute cubes (realtime, time:minute). hour: the hour cubes (time:hour).
   * day: closed local days from the day cubes, the rest (today, not yet closed) from the hour cubes.
   */
  grain: 'minute' | 'hour' | 'day';
  range: DateRange;
  dimensions: string[];
  /** Per dimension: its cube column, or its time bucket. */
  dimensionColumns: Array<{ name: string; column?: string; time?: TimeDimension }>;
  filters: Filter[];
  orderBy: Array<[string, 'asc' | 'desc']>;
  limit: number;
  offset: number;
  /**
   * With event:goal: the site's goals as the event cubes hold them: the name each is booked under
   * (its event name, or its reserved name for goals counted at ingestion), its display name and
   * its revenue currency ('' for none).
   */
  goals?: { names: string[]; display: string[]; currency: string[] };
  /** With event:props:<key>: the key (one per query). */
  propKey?: string;
  /** Notes for meta.warnings (goals counted only since their creation). */
  warnings: string[];
  /** visit:exit_page is a dimension or a filter: the pages cube read through its exits (sql.ts). */
  exitPage?: boolean;
  /** include.comparisons: the earlier period each row is compared with (run.ts, comparisons.ts). */
  comparison?: Comparison;
}

/** A site's goal, as far as the planner needs it (schema/goals.ts). */
export interface PlannerGoal {
  id: string;
  type: 'event' | 'page' | 'scroll';
  displayName: string;
  eventName: string;
  props: Record<string, string>;
  currency: string;
  createdAt: number;
}

function zodMessage(err: z.ZodError): string {
  const issue = err.issues[0]!;
  const path = issue.path.join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}

/**
 * Which cube answers when several hold the dimensions asked for: the visit cubes first, the
 * custom-event cube (which also holds the acquisition columns) only when an event dimension needs it.
 */
const CUBE_PREFERENCE: CubeName[] = ['acquisition', 'tech', 'entry_pages', 'pages', 'event_names', 'event_tech', 'event_entry_pages', 'event_props'];

/** The cubes that store a column (a derived one, such as the goal's name or the exit page, by the column it reads). */
function cubesHolding(column: string): CubeName[] {
  const stored = DERIVED_COLUMNS[column] ?? column;
  return CUBE_PREFERENCE.filter((c) => (CUBE_DIMENSIONS[c] as readonly string[]).includes(stored));
}

/** Cubes of custom events and goal conversions (their names include goals' reserved names). */
export const EVENT_CUBES: readonly CubeName[] = ['event_names', 'event_tech', 'event_entry_pages', 'event_props'];

function cubeList(): string {
  return CUBE_PREFERENCE.map((c) => `${c} (${dimensionsIn(c).join(', ')})`).join('; ');
}

/** The Stats API dimensions a cube can answer. */
function dimensionsIn(cube: CubeName): string[] {
  return Object.entries(DIMENSIONS)
    .filter(([, d]) => cubesHolding(d.column).includes(cube))
    .map(([name]) => name);
}

/**
 * Checks a Stats API v2 request against what telmark stores. The site's time zone comes from
 * the caller (site settings), `now` makes presets testable.
 */
export function planQuery(
  body: unknown,
  site: { domain: string; timezone: string } | undefined,
  now: number,
  hourlyRetentionDays = DEFAULT_HOURLY_RETENTION_DAYS,
  siteGoals: PlannerGoal[] = [],
  allowedProps: string[] = [],
): QueryPlan {
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) throw new StatsQueryError(zodMessage(parsed.error));
  const req = parsed.data;
  if (!site) throw new StatsQueryError(`site_id: unknown site "${req.site_id}"`);

  for (const m of req.metrics) {
    if (!(METRICS as readonly string[]).includes(m)) {
      throw new StatsQueryError(`metrics: unknown metric "${m}"; supported: ${METRICS.join(', ')}`);
    }
  }
  const metrics = [...new Set(req.metrics)] as Metric[];

  const dimensionColumns: QueryPlan['dimensionColumns'] = [];
  /** Each non-time dimension or filter, with the cubes that hold its column. */
  const wanted: Array<{ name: string; cubes: CubeName[] }> = [];
  let propKey: string | undefined;
  /** A dimension's column: a listed one, or event:props:<key> for a key the site allows. */
  const dimensionInfo = (d: string, where: string): { column: string } | undefined => {
    if (!d.startsWith(PROP_PREFIX)) return DIMENSIONS[d];
    const key = d.slice(PROP_PREFIX.length);
    if (!allowedProps.includes(key)) {
      throw new StatsQueryError(
        `${where}: the prop key "${key.slice(0, 300)}" is not aggregated on this site: only the keys the site allows are kept ` +
          `(PUT /api/v1/sites/{site}/props); allowed: ${allowedProps.length ? allowedProps.join(', ') : 'none'}`,
      );
    }
    if (propKey !== undefined && propKey !== key) throw new StatsQueryError(`${where}: one prop key per query (${propKey} and ${key})`);
    propKey = key;
    return { column: PROP_COLUMN };
  };
  for (const d of req.dimensions) {
    if ((TIME_DIMENSIONS as readonly string[]).includes(d)) {
      dimensionColumns.push({ name: d, time: d as TimeDimension });
      continue;
    }
    const info = dimensionInfo(d, 'dimensions');
    if (!info) {
      throw new StatsQueryError(`dimensions: unknown dimension "${d}"; supported: ${[...Object.keys(DIMENSIONS), `${PROP_PREFIX}<key>`, ...TIME_DIMENSIONS].join(', ')}`);
    }
    wanted.push({ name: d, cubes: cubesHolding(info.column) });
    dimensionColumns.push({ name: d, column: info.column });
  }
  if (new Set(req.dimensions).size !== req.dimensions.length) throw new StatsQueryError('dimensions: a dimension is listed twice');
  if (dimensionColumns.filter((d) => d.time).length > 1) throw new StatsQueryError('dimensions: at most one time dimension');

  const filters: Filter[] = req.filters.map(([op, dimension, values]) => {
    if (!(FILTER_OPS as readonly string[]).includes(op)) {
      throw new StatsQueryError(`filters: unknown operator "${op}"; supported: ${FILTER_OPS.join(', ')}`);
    }
    const info = dimensionInfo(dimension, 'filters');
    if (!info) throw new StatsQueryError(`filters: cannot filter on "${dimension}"; filterable: ${[...Object.keys(DIMENSIONS), `${PROP_PREFIX}<key>`].join(', ')}`);
    wanted.push({ name: dimension, cubes: cubesHolding(info.column) });
    return { op: op as FilterOp, dimension, column: info.column, values };
  });

  // Spend is kept per day and campaign: say so before any cube's own refusal.
  if (metrics.some((m) => SPEND_METRICS.includes(m))) {
    const problem = spendPlanProblem({ dimensionColumns, filters, metrics });
    if (problem) throw new StatsQueryError(problem);
  }

  // The one cube that holds every dimension and filter asked for (the first in CUBE_PREFERENCE).
  const possible = CUBE_PREFERENCE.filter((c) => wanted.every((w) => w.cubes.includes(c)));
  if (possible.length === 0) {
    const names = [...new Set(wanted.map((w) => w.name))];
    throw new StatsQueryError(
      `${names.join(' and ')} cannot be combined in one query: telmark stores only aggregates, ` +
        `kept in separate cubes, and cannot cross them after the fact (privacy by design). ` +
        `Dimensions and filters that can be combined: ${cubeList()}; time dimensions go with any of them.`,
    );
  }
  const cube: CubeName = possible[0]!;
  /** What was asked for, for the messages below. */
  const asked = [...new Set(wanted.map((w) => w.name))].join(', ') || 'the totals';
  // Exits are booked as +1/-1 as a visit moves on: only summed counters can take a step back, so
  // exit pages stand alone (with time) and offer only what sums give (dimensions.ts EXIT_PAGE_METRICS).
  const exitPage = wanted.some((w) => w.name === 'visit:exit_page');
  if (exitPage) {
    const others = [...new Set(wanted.filter((w) => w.name !== 'visit:exit_page').map((w) => w.name))];
    if (others.length) {
      throw new StatsQueryError(
        `visit:exit_page cannot be combined with ${others.join(', ')}: a visit's exit page is booked per page alone, as the visit moves on; use it with time dimensions only`,
      );
    }
    for (const m of metrics) {
      if (!EXIT_PAGE_METRICS.includes(m)) {
        throw new StatsQueryError(
          `metric "${m}" is not available with visit:exit_page: exits are booked as +1/-1 as a visit moves from page to page, and visitor counts cannot be taken back; ` +
            `exit pages count ${EXIT_PAGE_METRICS.join(', ')} (visits = the visits that ended on the page)`,
        );
      }
    }
  } else if (metrics.includes('exit_rate')) {
    throw new StatsQueryError('metrics: exit_rate needs visit:exit_page as a dimension or a filter');
  }
  for (const m of exitPage ? [] : metrics) {
    if (GOAL_METRICS.includes(m) && !EVENT_CUBES.includes(cube)) throw new StatsQueryError(`metrics: ${m} needs event:goal as a dimension or a filter`);
    if (!CUBE_METRICS[cube].includes(m) && EVENT_CUBES.includes(cube)) {
      throw new StatsQueryError(`metric "${m}" is not available with ${asked}: custom events, goals and props count ${CUBE_METRICS[cube].join(', ')}`);
    }
    if (!CUBE_METRICS[cube].includes(m) && (m === 'scroll_depth' || m === 'time_on_page')) {
      throw new StatsQueryError(`metric "${m}" is a page metric: use it with event:page (as a dimension or a filter) and no visit dimension`);
    }
    if (!CUBE_METRICS[cube].includes(m)) {
      throw new StatsQueryError(
        `metric "${m}" is not available with ${asked}: visits are attributes of a visit's entry page, ` +
          `so per-page figures are ${CUBE_METRICS[cube].join(', ')}; use visit:entry_page for visit metrics by page`,
      );
    }
  }

  let range: DateRange;
  if (typeof req.date_range === 'string') {
    range = resolvePreset(req.date_range, site.timezone, now);
  } else {
    const [from, to] = req.date_range;
    if (!isIsoDate(from) || !isIsoDate(to)) throw new StatsQueryError('date_range: dates must be YYYY-MM-DD');
    if (from > to) throw new StatsQueryError('date_range: the start date is after the end date');
    range = { from, to };
  }
  const minuteDimension = dimensionColumns.some((d) => d.time === 'time:minute');
  const wantsMinutes = range.realtime || minuteDimension;
  if (minuteDimension && !range.realtime && range.from !== range.to) {
    throw new StatsQueryError('dimensions: time:minute is kept for 48 hours; use it with date_range "day" or "realtime"');
  }

  let comparison: Comparison | undefined;
  const compareWith = req.include?.comparisons;
  if (compareWith) {
    if (range.realtime || minuteDimension) throw new StatsQueryError('include.comparisons: not available for realtime or time:minute; compare whole days');
    if (req.date_range === 'all') throw new StatsQueryError('include.comparisons: the range "all" has no earlier period; choose a range');
    if (compareWith.mode === 'custom') {
      const [from, to] = compareWith.date_range;
      if (!isIsoDate(from) || !isIsoDate(to)) throw new StatsQueryError('include.comparisons.date_range: dates must be YYYY-MM-DD');
      if (from > to) throw new StatsQueryError('include.comparisons.date_range: the start date is after the end date');
    }
    comparison = { request: compareWith, range: comparisonRange(compareWith, range, localDate(now, site.timezone)) };
    const time = dimensionColumns.find((d) => d.time)?.time;
    if (time && Math.max(bucketCount(range, time), bucketCount(comparison.range, time)) > MAX_TIME_LABELS) {
      throw new StatsQueryError(`include.comparisons: more than ${MAX_TIME_LABELS} ${time} buckets to pair; use a coarser time dimension`);
    }
  }
  /** The earliest day the query reads, the earlier period's included. */
  const earliest = comparison && comparison.range.from < range.from ? comparison.range.from : range.from;

  const wantsHours = dimensionColumns.some((d) => d.time === 'time:hour');
  if (wantsHours && !range.realtime) {
    const oldestHourly = addDays(localDate(now, 'UTC'), 1 - hourlyRetentionDays);
    if (earliest < oldestHourly) {
      throw new StatsQueryError(
        `dimensions: time:hour is kept for ${hourlyRetentionDays} days (HOURLY_RETENTION_DAYS); ` +
          `older data is kept per day: use time:day, or a date_range from ${oldestHourly}` +
          (range.from < oldestHourly ? '' : ` (the earlier period of include.comparisons starts ${earliest})`),
      );
    }
  }

  // Goals are evaluated at query time over the event cubes: an event goal without prop conditions
  // over its event's whole history, the others over the conversions the collector booked under
  // their reserved name since they were made (the API says so in meta.warnings).
  const warnings: string[] = [];
  let goals: QueryPlan['goals'];
  if ([...req.dimensions, ...filters.map((f) => f.dimension)].includes('event:goal')) {
    goals = {
      names: siteGoals.map((g) => (countedAtIngestion(g) ? goalEventName(g.id) : g.eventName)),
      display: siteGoals.map((g) => g.displayName),
      currency: siteGoals.map((g) => g.currency),
    };
    for (const f of filters.filter((f) => f.dimension === 'event:goal' && f.op === 'is')) {
      const unknown = f.values.filter((v) => !goals!.display.includes(v));
      if (unknown.length) throw new StatsQueryError(`filters: no goal named ${unknown.map((v) => JSON.stringify(v)).join(', ')} on this site`);
    }
    const since = (g: PlannerGoal) => localDate(g.createdAt, site.timezone);
    const late = siteGoals.filter((g) => countedAtIngestion(g) && since(g) >= earliest);
    if (late.length) warnings.push(`counting since the goal was made (page, scroll and prop-condition goals): ${late.map((g) => `${g.displayName} since ${since(g)}`).join('; ')}`);
  }
  for (const m of GOAL_METRICS) if (metrics.includes(m) && !goals) throw new StatsQueryError(`metrics: ${m} needs event:goal as a dimension or a filter`);

  if (metrics.some((m) => SPEND_METRICS.includes(m)) && (wantsHours || wantsMinutes)) {
    throw new StatsQueryError('dimensions: spend is kept per day: use time:day, time:week or time:month');
  }

  const known = new Set<string>([...metrics, ...req.dimensions]);
  for (const [name] of req.order_by ?? []) {
    if (!known.has(name)) throw new StatsQueryError(`order_by: "${name}" is neither a requested metric nor a dimension`);
  }
  const timeDim = dimensionColumns.find((d) => d.time)?.name;
  const orderBy: Array<[string, 'asc' | 'desc']> =
    req.order_by ?? (timeDim ? [[timeDim, 'asc']] : metrics.includes('visitors') ? [['visitors', 'desc']] : [[metrics[0]!, 'desc']]);

  return {
    site: site.domain,
    timeZone: site.timezone,
    metrics,
    cube,
    grain: wantsMinutes ? 'minute' : wantsHours ? 'hour' : 'day',
    range,
    dimensions: req.dimensions,
    dimensionColumns,
    filters,
    orderBy,
    limit: req.pagination.limit,
    offset: req.pagination.offset,
    goals,
    propKey,
    warnings,
    ...(exitPage ? { exitPage } : {}),
    comparison,
  };
}
