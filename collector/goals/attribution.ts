// Which acquisition a conversion is credited to. As in Plausible, a custom event belongs to its
// visit's acquisition (source, channel, referrer, UTM). One improvement, the default of Google
// Analytics ("last non-direct click"): a visit that arrives Direct, from a visitor who came from a
// non-direct source earlier the same day, credits its conversions to that earlier source, so an
// ad click that leads to a purchase two hours later, typed in directly, still counts for the ad.
//
// The memory: per site and daily visitor key, the last non-direct acquisition seen, in an LRU of
// at most MAX_ATTRIBUTION_ENTRIES (100,000; about 300 bytes each, ~30 MB when full; the least
// recently seen visitor is forgotten first, and their later Direct conversions then count as
// Direct, as in Plausible). In memory only; the key holds the daily salt, so it cannot match
// anything after UTC midnight, and nothing of it is ever written anywhere.
import { LRUCache } from 'lru-cache';
import type { Acquisition } from '../classify/types.ts';

export const MAX_ATTRIBUTION_ENTRIES = 100_000;

export const isDirect = (a: Acquisition) => a.channel === 'Direct';

export class LastNonDirect {
  private readonly memory: LRUCache<string, Acquisition>;

  constructor(max = MAX_ATTRIBUTION_ENTRIES) {
    this.memory = new LRUCache<string, Acquisition>({ max });
  }

  get size(): number {
    return this.memory.size;
  }

  /** Notes a visit's entry acquisition (non-direct ones only). */
  visitOpened(key: string, entry: Acquisition): void {
    if (!isDirect(entry)) this.memory.set(key, entry);
  }

  /** The acquisition a conversion in a visit that entered with `entry` is credited to. */
  creditFor(key: string, entry: Acquisition): Acquisition {
    if (!isDirect(entry)) return entry;
    return this.memory.get(key) ?? entry;
  }
}
