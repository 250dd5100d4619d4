import type { Store } from './client.ts';

export interface Site {
  domain: string;
  timezone: string;
}

/** Registered sites, newest settings of each. */
export async function listSites(store: Store): Promise<Site[]> {
  const rs = await store.client.query({
    query: `SELECT domain, timezone FROM ${store.table('sites')} FINAL ORDER BY domain`,
    format: 'JSONEachRow',
  });
  return rs.json<Site>();
}

/** Registers sites, or updates their time zone; a domain is stored lower-cased without "www.". */
export async function upsertSites(store: Store, sites: Site[]): Promise<void> {
  if (sites.length === 0) return;
  const version = Date.now();
  await store.client.insert({
    table: store.table('sites'),
    values: sites.map((s) => ({ domain: normaliseDomain(s.domain), timezone: s.timezone, version })),
    format: 'JSONEachRow',
  });
}

export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/^www\./, '');
}
