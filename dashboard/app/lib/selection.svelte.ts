// What the statistics views share: the site and the date range chosen, so going from the
// Overview to Campaigns and back keeps them. Held in memory for the tab, like the filters.
import type { DatePreset, Site, SitesResponse, StatsClient } from './api.ts';
import { isForbidden, messageOf } from './http.ts';
import { DEFAULT_PRESET } from './dateRanges.ts';

export const selection = $state<{ siteId: string; preset: DatePreset }>({ siteId: '', preset: DEFAULT_PRESET });

/** The chosen site if it is among `domains`, else the first of them (or '' for none). */
export function settleSite(domains: readonly string[]): string {
  if (!domains.includes(selection.siteId)) selection.siteId = domains[0] ?? '';
  return selection.siteId;
}

/** The user's sites as the views need them (Overview and Campaigns share the selection). */
export interface SiteList {
  sites: Site[];
  collectorUrl: string | undefined;
  /** How fresh the figures are and how often realtime figures are re-read (the server's `realtime`). */
  realtime: SitesResponse['realtime'];
  loaded: boolean;
  error: string;
  /** The server's sentence when the user's roles do not allow statistics. */
  forbidden: string;
}

/**
 * Loads the user's sites once (GET /api/sites) and settles the shared site selection on one of
 * them. Call during component initialisation.
 */
export function useSiteList(client: StatsClient): SiteList {
  const list = $state<SiteList>({ sites: [], collectorUrl: undefined, realtime: undefined, loaded: false, error: '', forbidden: '' });
  $effect(() => {
    const controller = new AbortController();
    client.sites(controller.signal).then(
      (answer) => {
        list.sites = answer.sites;
        list.collectorUrl = answer.collector_url;
        list.realtime = answer.realtime;
        settleSite(answer.sites.map((s) => s.domain));
        list.loaded = true;
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        if (isForbidden(err)) list.forbidden = err.message;
        else list.error = messageOf(err);
        list.loaded = true;
      },
    );
    return () => controller.abort();
  });
  return list;
}
