import { listSites, normaliseDomain, upsertSites, type Site } from '../schema/sites.ts';
import type { Store } from '../schema/client.ts';

/**
 * The collector's read-only view of registered sites, held in memory so the beacon path never
 * waits on ClickHouse; refreshed every minute so a site added elsewhere is picked up.
 */
export class SiteRegistry {
  private sites = new Map<string, Site>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store) {}

  async seed(entries: string[], defaultTimezone: string): Promise<void> {
    const existing = new Set((await listSites(this.store)).map((s) => s.domain));
    const fresh = entries
      .map((e) => {
        const [domain = '', tz] = e.split('@');
        return { domain: normaliseDomain(domain), timezone: tz ?? defaultTimezone, explicitTz: tz !== undefined };
      })
      // A site already registered keeps its settings unless SITES names a time zone for it.
      .filter((s) => !existing.has(s.domain) || s.explicitTz)
      .map(({ domain, timezone }) => ({ domain, timezone }));
    await upsertSites(this.store, fresh);
  }

  async refresh(): Promise<void> {
    const next = new Map<string, Site>();
    for (const s of await listSites(this.store)) next.set(s.domain, s);
    this.sites = next;
  }

  startRefreshing(intervalMs = 60_000, onError: (err: unknown) => void = () => {}, onRefreshed: () => void = () => {}): void {
    this.timer = setInterval(() => this.refresh().then(onRefreshed, onError), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The registered site for a beacon's domain field (case and "www." ignored), or undefined. */
  get(domain: string): Site | undefined {
    return this.sites.get(normaliseDomain(domain));
  }

  all(): Site[] {
    return [...this.sites.values()];
  }
}
