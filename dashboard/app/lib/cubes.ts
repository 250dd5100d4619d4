// Which dimensions the server can combine. Storage holds aggregates only, in a few deliberate
// cubes, so a breakdown can only be filtered by dimensions of its own cube: acquisition (source,
// channel, referrer, UTM) x time is one cube; pages, entry pages and devices are cubes of their
// own that know nothing about where a visit came from. The UI only asks what a cube can answer.
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

/**
 * A breakdown over acquisition dimensions (or none, or only time, or goals) can take the
 * acquisition filters: the custom-event cube that counts goals keeps the visit's acquisition.
 */
export function acceptsAcquisitionFilters(dimensions: readonly Dimension[]): boolean {
  return dimensions.every((d) => isAcquisitionDimension(d) || d.startsWith('time:') || d === 'event:goal');
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
  'event:goal': 'Goal',
  'time:minute': 'Minute',
  'time:hour': 'Hour',
  'time:day': 'Day',
  'time:week': 'Week',
  'time:month': 'Month',
};

/** How an empty dimension value reads: the server stores "no source" and "no campaign" as ''. */
export function displayValue(dimension: Dimension, value: string): string {
  // Device classes are stored as lower-case keys ("desktop", "mobile").
  if (dimension === 'visit:device' && value !== '') return value[0]!.toUpperCase() + value.slice(1);
  if (value !== '') return value;
  if (dimension === 'visit:source') return 'Direct / None';
  if (dimension === 'visit:referrer') return '(no referrer)';
  if (dimension === 'visit:utm_campaign') return '(none)';
  if (dimension.startsWith('visit:utm_')) return '(not set)';
  return '(none)';
}
