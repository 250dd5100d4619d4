import type { Store } from './client.ts';
import { DAY_CLOSINGS_TABLE } from './cubes.ts';

/** The local days from..to (inclusive) of a site that are folded into the day cubes. */
export async function closedDays(store: Store, site: string, from: string, to: string): Promise<string[]> {
  const rs = await store.client.query({
    query: `SELECT toString(day) AS d FROM ${store.table(DAY_CLOSINGS_TABLE)} FINAL WHERE site = {site:String} AND day BETWEEN {from:Date} AND {to:Date}`,
    query_params: { site, from, to },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ d: string }>()).map((r) => r.d);
}
