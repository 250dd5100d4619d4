// Which dimensions the server can combine. Storage holds aggregates only, in a few deliberate
// cubes, so a breakdown can only be filtered by dimensions of its own cube: acquisition (source,
// channel, referrer, UTM) x country x time is one cube; devices x country another; pages and
// entry pages are cubes of their own that know nothing about where a visit came from or its
// country. The UI only asks what a cube can answer.
import type { AcquisitionDimension, Dimension, Filter } from './api.ts';

export const ACQUISITION_DIMENSIONS: readonly AcquisitionDimension[] = [
  'visit:source',
  'visit:channel',
  'visit:referrer',
  'visit:utm_source',
  'visit:utm_medium',
  'visit:utm_campaign',
  'visit:utm_content',
  'visit:utm_term',
];

function isAcquisitionDimension(dimension: Dimension): dimension is AcquisitionDimension {
  return (ACQUISITION_DIMENSIONS as readonly Dimension[]).includes(dimension);
}

export const COUNTRY_DIMENSIONS: readonly Dimension[] = ['visit:country', 'visit:country_name'];

const isCountryDimension = (d: Dimension) => COUNTRY_DIMENSIONS.includes(d);
const isTechDimension = (d: Dimension) => d === 'visit:device' || d === 'visit:browser' || d === 'visit:os';

/**
 * A breakdown over acquisition dimensions or countries (or none, or only time, or goals) can
 * take the acquisition and country filters: the custom-event cube that counts goals keeps the
 * visit's acquisition and country.
 */
export function acceptsAcquisitionFilters(dimensions: readonly Dimension[]): boolean {
  return dimensions.every((d) => isAcquisitionDimension(d) || isCountryDimension(d) || d.startsWith('time:') || d === 'event:goal');
}

/**
 * The filters a one-dimension breakdown can take: all of them where acquisition filters apply;
 * only the country ones for devices, browsers and OS (the tech cube keeps the country); none for
 * pages and entry pages.
 */
export function applicableFilters(dimension: Dimension, filters: readonly Filter[]): Filter[] {
  if (acceptsAcquisitionFilters([dimension])) return [...filters];
  if (isTechDimension(dimension)) return filters.filter((f) => isCountryDimension(f[1]));
  return [];
}

/** Goals combine with the same dimensions: acquisition and time (not pages, entry pages or devices). */
export const acceptsGoalFilter = acceptsAcquisitionFilters;

/** The goal a drill-down filter picked, if any (an "is" filter on event:goal). */
export function goalFilterOf(filters: readonly Filter[]): string | null {
  const found = filters.find((f) => f[1] === 'event:goal' && f[0] === 'is');
  return found?.[2][0] ?? null;
}

/** Human name of a dimension, for filter chips and column headers. */
export const DIMENSION_LABELS: Record<Dimension, string> = {
  'visit:source': 'Source',
  'visit:channel': 'Channel',
  'visit:referrer': 'Referrer',
  'visit:utm_source': 'UTM source',
  'visit:utm_medium': 'UTM medium',
  'visit:utm_campaign': 'Campaign',
  'visit:utm_content': 'UTM content',
  'visit:utm_term': 'UTM term',
  'event:page': 'Page',
  'visit:entry_page': 'Entry page',
  'visit:exit_page': 'Exit page',
  'visit:device': 'Device',
  'visit:browser': 'Browser',
  'visit:os': 'Operating system',
  'visit:country': 'Country',
  'visit:country_name': 'Country',
  'event:goal': 'Goal',
  'time:minute': 'Minute',
  'time:hour': 'Hour',
  'time:day': 'Day',
  'time:week': 'Week',
  'time:month': 'Month',
};

const countryNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** A country's English name from its ISO code (the server answers "(not set)" for unknown ones). */
export function countryName(code: string): string {
  if (!/^[A-Z]{2}$/.test(code)) return code;
  try {
    return countryNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** How an empty dimension value reads: the server stores "no source" and "no campaign" as ''. */
export function displayValue(dimension: Dimension, value: string): string {
  if (dimension === 'visit:country') return countryName(value);
  // Device classes are stored as lower-case keys ("desktop", "mobile").
  if (dimension === 'visit:device' && value !== '') return value[0]!.toUpperCase() + value.slice(1);
  if (value !== '') return value;
  if (dimension === 'visit:source') return 'Direct / None';
  if (dimension === 'visit:referrer') return '(no referrer)';
  if (dimension === 'visit:utm_campaign') return '(none)';
  if (dimension.startsWith('visit:utm_')) return '(not set)';
  return '(none)';
}
