// What a statistics view shows (site, range, granularity, comparison, filters) as the query part
// of the address, so a view can be bookmarked, reloaded or sent to a colleague with an account:
//   #/overview?site=example.com&range=2026-11-01..2026-11-20&granularity=week&compare=previous_period&f=is,visit:source,Google
// A filter is "operator,dimension,value[,value…]", each part percent-encoded (so a comma inside a
// value stays one value). URLSearchParams would decode those commas before the split, hence the
// few lines of parsing here. Anything unknown or malformed is ignored, never an error: an old or
// hand-edited link opens the view with its defaults for what it cannot read.
import type { Dimension, Filter, FilterOperator } from './api.ts';
import { DIMENSION_LABELS } from './cubes.ts';
import { isCompareMode, isDatePreset, isGranularity, isIsoDate, type CompareMode, type Granularity, type RangeChoice } from './dateRanges.ts';

export interface ViewChoices {
  site: string;
  range: RangeChoice;
  /** null: the range's default. */
  granularity: Granularity | null;
  /** null: no comparison. */
  compare: CompareMode | null;
  filters: Filter[];
}

const OPERATORS: readonly FilterOperator[] = ['is', 'is_not', 'contains'];
/** Bounds on what a link can carry: more filters than the Stats API takes are dropped. */
const MAX_FILTERS = 20;
const MAX_VALUES = 100;

export function encodeView(v: ViewChoices, withFilters = true): string {
  const parts: string[] = [];
  const add = (key: string, value: string) => parts.push(`${key}=${encodeURIComponent(value)}`);
  if (v.site) add('site', v.site);
  add('range', 'preset' in v.range ? v.range.preset : `${v.range.from}..${v.range.to}`);
  if (v.granularity) add('granularity', v.granularity);
  if (v.compare) add('compare', v.compare);
  if (withFilters) for (const [op, dimension, values] of v.filters) parts.push(`f=${[op, dimension, ...values].map(encodeURIComponent).join(',')}`);
  return parts.join('&');
}

/** The choices a query part names (only those it names, and only valid ones). */
export function decodeView(query: string): Partial<ViewChoices> {
  const out: Partial<ViewChoices> = {};
  const filters: Filter[] = [];
  for (const pair of query.split('&')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const key = pair.slice(0, at);
    const raw = pair.slice(at + 1);
    if (key === 'f') {
      const filter = decodeFilter(raw);
      if (filter && filters.length < MAX_FILTERS) filters.push(filter);
      continue;
    }
    const value = decode(raw);
    if (value === null) continue;
    if (key === 'site' && value) out.site = value;
    else if (key === 'range') {
      const range = decodeRange(value);
      if (range) out.range = range;
    } else if (key === 'granularity' && isGranularity(value)) out.granularity = value;
    else if (key === 'compare' && isCompareMode(value)) out.compare = value;
  }
  if (filters.length) out.filters = filters;
  return out;
}

function decode(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function decodeRange(value: string): RangeChoice | null {
  if (isDatePreset(value)) return { preset: value };
  const [from = '', to = '', ...rest] = value.split('..');
  return rest.length === 0 && isIsoDate(from) && isIsoDate(to) && from <= to ? { from, to } : null;
}

function decodeFilter(raw: string): Filter | null {
  const parts = raw.split(',').map(decode);
  const [op, dimension, ...values] = parts;
  if (!op || !dimension || values.length === 0 || values.length > MAX_VALUES || values.some((v) => v === null)) return null;
  if (!(OPERATORS as readonly string[]).includes(op) || !(dimension in DIMENSION_LABELS)) return null;
  return [op as FilterOperator, dimension as Dimension, values as string[]];
}
