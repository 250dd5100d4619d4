// The cardinality caps of the free-text dimensions that reach a cube (collector/cardinality/limits.ts
// says which, how many and why). A flood of made-up values (campaigns, referrers, paths, browser
// names) from many addresses, each under every abuse limit, must not grow memory or the store
// without bound: past a dimension's daily limit a new value is counted as "(other)", so every
// event is still counted exactly once, only under a folded name. Each fold is counted in /metrics
// as telmark_values_folded_total{dimension="..."} (labels from the fixed table, never a value).
//
// Applied where a value is first booked (trackVisit opens a visit, aggregate books a page), after
// the abuse hold: an event that is dropped never takes a slot, and each event admits each of its
// values once, so the fold counter counts events that folded.
// Memory: the bound of collector/cardinality/limits.ts (worstCaseBytesPerSite() per registered
// site); every set is dropped when the first value of the next UTC day arrives.
import type { Acquisition, UserAgentInfo } from '../classify/types.ts';
import { sourceForName } from '../classify/source.ts';
import { NAMED_FAMILIES } from '../classify/user-agent.ts';
import { DailyCap } from '../goals/daily-cap.ts';
import type { Metrics } from '../metrics.ts';
import { CAPPED_DIMENSIONS, CARDINALITY_LIMITS, type CappedDimension } from './limits.ts';

export { OTHER_NAME } from '../goals/daily-cap.ts';

export const FOLDED_METRIC = 'telmark_values_folded_total';

/** The dimensions this module caps (event names and prop values have their own modules in goals/). */
type OwnDimension = Exclude<CappedDimension, 'event_name' | 'prop_value'>;

export class CardinalityCaps {
  private readonly caps: Record<OwnDimension, DailyCap>;

  constructor(private readonly metrics?: Metrics) {
    metrics?.describe(FOLDED_METRIC, 'New values counted as "(other)" because their dimension reached its daily limit per site, by dimension.');
    const caps = {} as Record<OwnDimension, DailyCap>;
    for (const d of CAPPED_DIMENSIONS) {
      // Every dimension shows in /metrics from the start, at 0.
      metrics?.inc(FOLDED_METRIC, { dimension: d }, 0);
      if (d === 'event_name' || d === 'prop_value') continue;
      const { perDay, maxChars } = CARDINALITY_LIMITS[d];
      caps[d] = new DailyCap(perDay, { maxChars, onFold: foldCounter(metrics, d) });
    }
    this.caps = caps;
  }

  /** The value to count `value` of `dimension` under, for `site` at `now`. '' (not set) always passes. */
  admit(dimension: OwnDimension, site: string, value: string, now: number): string {
    if (value === '') return value;
    return this.caps[dimension].admit(site, value, now);
  }

  /** A visit's acquisition as the cubes may keep it. Channels are a fixed list; known sources always pass. */
  acquisition(site: string, a: Acquisition, now: number): Acquisition {
    const source = a.source === '' || sourceForName(a.source) ? a.source : this.admit('source', site, a.source, now);
    const referrerHost = this.admit('referrer_host', site, a.referrerHost, now);
    const utm = {
      source: this.admit('utm_source', site, a.utm.source, now),
      medium: this.admit('utm_medium', site, a.utm.medium, now),
      campaign: this.admit('utm_campaign', site, a.utm.campaign, now),
      content: this.admit('utm_content', site, a.utm.content, now),
      term: this.admit('utm_term', site, a.utm.term, now),
    };
    const same =
      source === a.source &&
      referrerHost === a.referrerHost &&
      utm.source === a.utm.source &&
      utm.medium === a.utm.medium &&
      utm.campaign === a.utm.campaign &&
      utm.content === a.utm.content &&
      utm.term === a.utm.term;
    return same ? a : { ...a, source, referrerHost, utm };
  }

  /** A visit's browser and OS as the tech cubes may keep them (device types are a fixed list). */
  tech(site: string, ua: UserAgentInfo, now: number): UserAgentInfo {
    const browser = NAMED_FAMILIES.has(ua.browser) ? ua.browser : this.admit('browser', site, ua.browser, now);
    const os = NAMED_FAMILIES.has(ua.os) ? ua.os : this.admit('os', site, ua.os, now);
    return browser === ua.browser && os === ua.os ? ua : Object.freeze({ ...ua, browser, os });
  }

  /** Values held now, over this module's dimensions and all sites (for /metrics). */
  heldValues(): number {
    let n = 0;
    for (const cap of Object.values(this.caps)) n += cap.size;
    return n;
  }
}

/** The onFold of a dimension's cap: one more in its /metrics series. */
export function foldCounter(metrics: Metrics | undefined, dimension: CappedDimension): (() => void) | undefined {
  return metrics ? () => metrics.inc(FOLDED_METRIC, { dimension }, 1) : undefined;
}
