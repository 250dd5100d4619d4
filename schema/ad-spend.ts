// Ad spend rows (migration 009): written by the dashboard's import (dashboard/server/spend) and
// the CLI (scripts/spend.ts), read by the Stats API. Newest version per key wins (FINAL).
import type { Store } from './client.ts';
import { AD_SPEND_TABLE } from './cubes.ts';
import { nextRowVersion, toChTime } from './settings-rows.ts';

export interface SpendRow {
  /** The site's local day, YYYY-MM-DD. */
  day: string;
  utmSource: string;
  utmCampaign: string;
  /** '' when the import names none. */
  utmMedium: string;
  /** Exact decimal text, e.g. "123.45". */
  amount: string;
  currency: string;
  clicks: number | null;
  impressions: number | null;
}

/** The key a re-import replaces (the campaign case-insensitively, as it meets the visits). */
export const spendKey = (r: Pick<SpendRow, 'day' | 'utmSource' | 'utmCampaign' | 'utmMedium'>) => [r.day, r.utmSource, r.utmCampaign.toLowerCase(), r.utmMedium].join('\x1f');

interface Stored {
  date: string;
  utm_source: string;
  utm_campaign: string;
  utm_medium: string;
  amount: string;
  currency: string;
  clicks: string | null;
  impressions: string | null;
}

const toRow = (r: Stored): SpendRow => ({
  day: r.date,
  utmSource: r.utm_source,
  utmCampaign: r.utm_campaign,
  utmMedium: r.utm_medium,
  amount: r.amount,
  currency: r.currency,
  clicks: r.clicks === null ? null : Number(r.clicks),
  impressions: r.impressions === null ? null : Number(r.impressions),
});

/** The site's spend rows from..to (inclusive, local days), oldest first. */
export async function listSpend(store: Store, site: string, from: string, to: string): Promise<SpendRow[]> {
  const rs = await store.client.query({
    query: `SELECT toString(day) AS date, utm_source, utm_campaign, utm_medium, toString(amount) AS amount, currency, clicks, impressions
            FROM ${store.table(AD_SPEND_TABLE)} FINAL
            WHERE site = {site:String} AND day BETWEEN {from:Date} AND {to:Date} AND deleted = 0
            ORDER BY date, utm_source, campaign_key, utm_medium`,
    query_params: { site, from, to },
    format: 'JSONEachRow',
  });
  return (await rs.json<Stored>()).map(toRow);
}

/** Writes rows (a row whose key exists replaces it); `deleted` writes tombstones for those keys. */
export async function saveSpend(store: Store, site: string, rows: SpendRow[], now: number, deleted = false): Promise<void> {
  if (rows.length === 0) return;
  const version = nextRowVersion();
  await store.client.insert({
    table: store.table(AD_SPEND_TABLE),
    values: rows.map((r) => ({
      site,
      day: r.day,
      utm_source: r.utmSource,
      utm_campaign: r.utmCampaign,
      campaign_key: r.utmCampaign.toLowerCase(),
      utm_medium: r.utmMedium,
      amount: r.amount,
      currency: r.currency,
      clicks: r.clicks,
      impressions: r.impressions,
      imported_at: toChTime(now),
      deleted: deleted ? 1 : 0,
      version,
    })),
    format: 'JSONEachRow',
  });
}
