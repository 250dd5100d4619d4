// Funnels of a site (migration 010): written by the dashboard (dashboard/server/funnels), read by
// the dashboard and the collector (collector/goals/funnels.ts). Latest row wins (FINAL).
import type { Store } from './client.ts';
import { FUNNELS_TABLE } from './cubes.ts';
import { fromChTime as fromCh, nextRowVersion as nextVersion, toChTime as toCh } from './settings-rows.ts';

export const MIN_FUNNEL_STEPS = 2;
export const MAX_FUNNEL_STEPS = 8;

export interface Funnel {
  site: string;
  id: string;
  name: string;
  /** The goals of the steps, in order. */
  stepGoalIds: string[];
  createdAt: number;
}

interface FunnelRow {
  site: string;
  id: string;
  name: string;
  step_goal_ids: string[];
  created_at: string;
}

/** The funnels of one site (or of every site), oldest first, without the deleted ones. */
export async function listFunnels(store: Store, site?: string): Promise<Funnel[]> {
  const rs = await store.client.query({
    query: `SELECT site, id, name, step_goal_ids, toString(created_at) AS created_at FROM ${store.table(FUNNELS_TABLE)} FINAL WHERE deleted = 0 ${site === undefined ? '' : 'AND site = {site:String}'} ORDER BY site, created_at, version`,
    query_params: site === undefined ? {} : { site },
    format: 'JSONEachRow',
  });
  return (await rs.json<FunnelRow>()).map((r) => ({ site: r.site, id: r.id, name: r.name, stepGoalIds: r.step_goal_ids, createdAt: fromCh(r.created_at) }));
}

export async function saveFunnel(store: Store, funnel: Funnel, deleted = false): Promise<void> {
  await store.client.insert({
    table: store.table(FUNNELS_TABLE),
    values: [
      {
        site: funnel.site,
        id: funnel.id,
        name: funnel.name,
        step_goal_ids: funnel.stepGoalIds,
        created_at: toCh(funnel.createdAt),
        deleted: deleted ? 1 : 0,
        version: nextVersion(),
      },
    ],
    format: 'JSONEachRow',
  });
}
