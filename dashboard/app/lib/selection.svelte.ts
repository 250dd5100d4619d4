// What the statistics views share: the site and the date range chosen, so going from the
// Overview to Campaigns and back keeps them. Held in memory for the tab, like the filters.
import type { DatePreset } from './api.ts';
import { DEFAULT_PRESET } from './dateRanges.ts';

export const selection = $state<{ siteId: string; preset: DatePreset }>({ siteId: '', preset: DEFAULT_PRESET });

/** The chosen site if it is among `domains`, else the first of them (or '' for none). */
export function settleSite(domains: readonly string[]): string {
  if (!domains.includes(selection.siteId)) selection.siteId = domains[0] ?? '';
  return selection.siteId;
}
