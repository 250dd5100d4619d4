// What the statistics views share: the site, the date range (a preset or a custom from–to), the
// time chart's granularity, the comparison and the filters, so going from the Overview to
// Campaigns and back keeps them. They live in the address too (lib/viewUrl.ts): a reload or a
// bookmark opens the same view.
import { untrack } from 'svelte';
import type { DateRange, Filter, Site, SitesResponse, StatsClient } from './api.ts';
import { isForbidden, messageOf } from './http.ts';
import { DEFAULT_PRESET, rangeOf, type CompareMode, type Granularity, type RangeChoice } from './dateRanges.ts';
import { replaceQuery, router } from './router.svelte.ts';
import { decodeView, encodeView } from './viewUrl.ts';

export const selection = $state<{
  siteId: string;
  range: RangeChoice;
  /** The time chart's buckets; null: the range's default. */
  granularity: Granularity | null;
  /** The earlier period the Overview compares with; null: none. */
  compare: CompareMode | null;
  /** The Overview's drill-down filters (they belong to one site's traffic). */
  filters: Filter[];
}>({ siteId: '', range: { preset: DEFAULT_PRESET }, granularity: null, compare: null, filters: [] });

/** The chosen range as the Stats API takes it. */
export const selectedRange = (): DateRange => rangeOf(selection.range);

/**
 * Keeps the selection and the address in step for one view (call during component
 * initialisation): what the address names is applied when the view opens and whenever the
 * address changes (a pasted link, back and forward); every later choice is written back.
 */
export function useSelectionInUrl(view: 'overview' | 'campaigns', { withFilters }: { withFilters: boolean }): void {
  $effect(() => {
    const found = decodeView(router.query);
    untrack(() => {
      // Only what differs is assigned: every assignment reloads the panels that read it.
      const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
      if (found.site !== undefined && found.site !== selection.siteId) {
        selection.siteId = found.site;
        selection.filters = [];
      }
      if (found.range && !same(found.range, selection.range)) selection.range = found.range;
      if (router.query) {
        // A link names everything it wants: what it leaves out is off.
        if (selection.granularity !== (found.granularity ?? null)) selection.granularity = found.granularity ?? null;
        if (selection.compare !== (found.compare ?? null)) selection.compare = found.compare ?? null;
        if (withFilters && !same(found.filters ?? [], selection.filters)) selection.filters = found.filters ?? [];
      }
    });
  });
  $effect(() => {
    // Read so that an address without choices (a menu link) gets them written back.
    void router.query;
    const query = encodeView(
      { site: selection.siteId, range: selection.range, granularity: selection.granularity, compare: selection.compare, filters: selection.filters },
      withFilters,
    );
    untrack(() => replaceQuery(view, query));
  });
}

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
  /** How far back the server keeps hours (the time chart offers hours only there). */
  hourlyRetentionDays: number | undefined;
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
  const list = $state<SiteList>({ sites: [], collectorUrl: undefined, realtime: undefined, hourlyRetentionDays: undefined, loaded: false, error: '', forbidden: '' });
  $effect(() => {
    const controller = new AbortController();
    client.sites(controller.signal).then(
      (answer) => {
        list.sites = answer.sites;
        list.collectorUrl = answer.collector_url;
        list.realtime = answer.realtime;
        list.hourlyRetentionDays = answer.hourly_retention_days;
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
