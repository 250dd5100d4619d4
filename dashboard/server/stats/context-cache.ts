// What every Stats API query reads before it runs: the site's closed days (which part of the
// range the day cubes serve), and for goal and prop queries the site's goals and allowed prop
// keys. Each was a ClickHouse round trip in series before the query itself; they change rarely,
// so they are kept here for a short while.
//
// Why stale entries are harmless:
// - Closed days only ever grow. A day closed after the entry was read is served from the hour
//   cubes, which still hold it (they keep HOURLY_RETENTION_DAYS, far longer than CLOSED_DAYS_TTL_MS).
// - Goals and allowed props: this process drops a site's entry when it changes them
//   (invalidateSettings); another dashboard process sees the change within SETTINGS_TTL_MS.
//
// - Rate denominators (the visitors a goal query divides by: of the range, of each campaign…) are
//   the costliest part of a goal query (a second aggregation over the visit cubes). They are kept
//   for DENOMINATORS_TTL_MS under a key naming everything they depend on, including the store's
//   data version where this process knows it (npm start: every flush bumps it, so a cached
//   denominator never outlives the data it was computed from). Without it (a dashboard process
//   apart from the collectors), they may lag the data by up to DENOMINATORS_TTL_MS, about one
//   flush interval: the numerators are always fresh.
//
// - Spend groups (the imported ad spend of a query's range, grouped like the query) are kept for
//   SPEND_TTL_MS under a key naming the site, range, dimensions and filters. An import or delete
//   through this process's API drops them at once (invalidateSpend); one through the CLI (another
//   process) shows within SPEND_TTL_MS.
//
// Bounds: at most MAX_SITES sites per cache (least recently used dropped first); per site, its
// closed days (at most RETENTION_MONTHS of dates), its goals (at most 100) and keys (at most 30);
// at most MAX_DENOMINATORS denominator entries of at most MAX_DENOMINATOR_GROUPS groups each
// (larger answers are not kept); at most MAX_SPEND_ENTRIES spend answers of at most
// MAX_DENOMINATOR_GROUPS groups each (larger answers are not kept).
import { LRUCache } from 'lru-cache';
import type { Store } from '../../../schema/client.ts';
import { DAY_CLOSINGS_TABLE } from '../../../schema/cubes.ts';
import { allowedProps, listGoals, type Goal } from '../../../schema/goals.ts';

export const CLOSED_DAYS_TTL_MS = 60_000;
export const SETTINGS_TTL_MS = 10_000;
export const DENOMINATORS_TTL_MS = 10_000;
export const SPEND_TTL_MS = 10_000;
const MAX_SPEND_ENTRIES = 500;
const MAX_SITES = 1000;
const MAX_DENOMINATORS = 500;
export const MAX_DENOMINATOR_GROUPS = 1000;

/** What runQuery reads besides the cubes (the cache below, or a plain pass-through). */
export interface StatsContext {
  closedDays(site: string, from: string, to: string): Promise<string[]>;
  /** `load()`'s answer, or a recent one for the same key; `size` says how big an answer is (big ones are not kept). */
  denominators<T>(key: string, load: () => Promise<T>, size: (value: T) => number): Promise<T>;
  /** The same for a query's spend groups (not tied to the data version: flushes do not change spend). */
  spend<T>(key: string, load: () => Promise<T>, size: (value: T) => number): Promise<T>;
}

export class StatsContextCache implements StatsContext {
  private readonly closed = new LRUCache<string, Promise<string[]>>({ max: MAX_SITES, ttl: CLOSED_DAYS_TTL_MS });
  private readonly goals = new LRUCache<string, Promise<Goal[]>>({ max: MAX_SITES, ttl: SETTINGS_TTL_MS });
  private readonly props = new LRUCache<string, Promise<string[]>>({ max: MAX_SITES, ttl: SETTINGS_TTL_MS });

  private readonly rates = new LRUCache<string, Promise<unknown>>({ max: MAX_DENOMINATORS, ttl: DENOMINATORS_TTL_MS });
  private readonly spent = new LRUCache<string, Promise<unknown>>({ max: MAX_SPEND_ENTRIES, ttl: SPEND_TTL_MS });

  constructor(
    private readonly store: Store,
    /** The store's data version, where this process knows it (bumped by every insert). */
    private readonly dataVersion?: () => number,
  ) {}

  denominators<T>(key: string, load: () => Promise<T>, size: (value: T) => number): Promise<T> {
    return this.shared(this.rates, `${this.dataVersion?.() ?? ''}\x1e${key}`, load, size);
  }

  spend<T>(key: string, load: () => Promise<T>, size: (value: T) => number): Promise<T> {
    return this.shared(this.spent, key, load, size);
  }

  /** One load in flight per key, shared; a failed or too large answer is not kept. */
  private shared<T>(cache: LRUCache<string, Promise<unknown>>, key: string, load: () => Promise<T>, size: (value: T) => number): Promise<T> {
    const hit = cache.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const entry = load();
    cache.set(key, entry);
    entry.then((v) => size(v) > MAX_DENOMINATOR_GROUPS && cache.delete(key), () => cache.delete(key));
    return entry;
  }

  /** The local days from..to (inclusive) of a site that are folded into the day cubes, ascending. */
  async closedDays(site: string, from: string, to: string): Promise<string[]> {
    const all = await this.cached(this.closed, site, () => this.allClosedDays(site));
    return all.filter((d) => d >= from && d <= to);
  }

  siteGoals(site: string): Promise<Goal[]> {
    return this.cached(this.goals, site, () => listGoals(this.store, site));
  }

  allowedProps(site: string): Promise<string[]> {
    return this.cached(this.props, site, () => allowedProps(this.store, site));
  }

  /** After a goal or allowed-props change in this process. */
  invalidateSettings(site?: string): void {
    if (site === undefined) {
      this.goals.clear();
      this.props.clear();
    } else {
      this.goals.delete(site);
      this.props.delete(site);
    }
  }

  /** After ad spend changed in this process. */
  invalidateSpend(): void {
    this.spent.clear();
  }

  /** After a day closing in this process (so the day cubes serve the day at once). */
  invalidateClosedDays(): void {
    this.closed.clear();
  }

  /** One read in flight per site; a failed read is not kept. */
  private cached<T>(cache: LRUCache<string, Promise<T>>, site: string, load: () => Promise<T>): Promise<T> {
    let entry = cache.get(site);
    if (!entry) {
      entry = load();
      cache.set(site, entry);
      entry.catch(() => cache.delete(site));
    }
    return entry;
  }

  private async allClosedDays(site: string): Promise<string[]> {
    const rs = await this.store.client.query({
      query: `SELECT toString(day) AS d FROM ${this.store.table(DAY_CLOSINGS_TABLE)} FINAL WHERE site = {site:String} ORDER BY day`,
      query_params: { site },
      format: 'JSONEachRow',
    });
    return (await rs.json<{ d: string }>()).map((r) => r.d);
  }
}
