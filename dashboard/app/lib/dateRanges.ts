// Date-range presets (the Stats API's own names) and the time bucket that suits each one.
import type { DatePreset, TimeDimension } from './api.ts';

export const DATE_PRESETS: readonly { value: DatePreset; label: string }[] = [
  { value: 'day', label: 'Today' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: 'month', label: 'This month' },
  { value: '6mo', label: 'Last 6 months' },
  { value: '12mo', label: 'Last 12 months' },
  { value: 'year', label: 'This year' },
  { value: 'all', label: 'All time' },
];

export const DEFAULT_PRESET: DatePreset = '7d';

export function isDatePreset(value: string): value is DatePreset {
  return DATE_PRESETS.some((p) => p.value === value);
}

/** Hours for one day, days up to a month; beyond that a daily line gets too noisy to read. */
export function timeBucketFor(preset: DatePreset): TimeDimension {
  switch (preset) {
    case 'day':
      return 'time:hour';
    case '7d':
    case '30d':
    case 'month':
      return 'time:day';
    case '6mo':
    case '12mo':
    case 'year':
      return 'time:week';
    case 'all':
      return 'time:month';
  }
}
