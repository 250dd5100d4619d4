// Goals and allowed prop keys of a site (migration 006): written by the dashboard
// (dashboard/server/goals), read by the dashboard and the collector. Latest row wins (FINAL).
import type { Store } from './client.ts';
import { GOALS_TABLE, SITE_PROPS_TABLE } from './cubes.ts';
import { fromChTime as fromCh, nextRowVersion as nextVersion, toChTime as toCh } from './settings-rows.ts';

export type GoalType = 'event' | 'page' | 'scroll';

export interface Goal {
  site: string;
  id: string;
  type: GoalType;
  displayName: string;
  /** event goals */
  eventName: string;
  /** event goals: up to 3 prop conditions, key -> value */
  props: Record<string, string>;
  /** page and scroll goals: a path pattern (collector/goals/path-pattern.ts) */
  path: string;
  /** scroll goals: 1-100 */
  threshold: number;
  /** event goals: ISO 4217 currency of their revenue, '' for none */
  currency: string;
  createdAt: number;
}



interface GoalRow {
  site: string;
  id: string;
  type: string;
  display_name: string;
  event_name: string;
  prop_keys: string[];
  prop_values: string[];
  path: string;
  threshold: number | string;
  currency: string;
  created_at: string;
}

/** The goals of one site (or of every site), oldest first, without the deleted ones. */
export async function listGoals(store: Store, site?: string): Promise<Goal[]> {
  const rs = await store.client.query({
    query: `SELECT * FROM ${store.table(GOALS_TABLE)} FINAL WHERE deleted = 0 ${site === undefined ? '' : 'AND site = {site:String}'} ORDER BY site, created_at, version`,
    query_params: site === undefined ? {} : { site },
    format: 'JSONEachRow',
  });
  return (await rs.json<GoalRow>()).map((r) => ({
    site: r.site,
    id: r.id,
    type: r.type as GoalType,
    displayName: r.display_name,
    eventName: r.event_name,
    props: Object.fromEntries(r.prop_keys.map((k, i) => [k, r.prop_values[i] ?? ''])),
    path: r.path,
    threshold: Number(r.threshold),
    currency: r.currency,
    createdAt: fromCh(r.created_at),
  }));
}

export async function saveGoal(store: Store, goal: Goal, deleted = false): Promise<void> {
  await store.client.insert({
    table: store.table(GOALS_TABLE),
    values: [
      {
        site: goal.site,
        id: goal.id,
        type: goal.type,
        display_name: goal.displayName,
        event_name: goal.eventName,
        prop_keys: Object.keys(goal.props),
        prop_values: Object.values(goal.props),
        path: goal.path,
        threshold: goal.threshold,
        currency: goal.currency,
        created_at: toCh(goal.createdAt),
        deleted: deleted ? 1 : 0,
        version: nextVersion(),
      },
    ],
    format: 'JSONEachRow',
  });
}

/** The prop keys a site allows to be aggregated (none unless set). */
export async function allowedProps(store: Store, site: string): Promise<string[]> {
  const rs = await store.client.query({
    query: `SELECT allowed FROM ${store.table(SITE_PROPS_TABLE)} FINAL WHERE site = {site:String}`,
    query_params: { site },
    format: 'JSONEachRow',
  });
  return (await rs.json<{ allowed: string[] }>())[0]?.allowed ?? [];
}

export async function setAllowedProps(store: Store, site: string, allowed: string[], now: number): Promise<void> {
  await store.client.insert({
    table: store.table(SITE_PROPS_TABLE),
    values: [{ site, allowed, updated_at: toCh(now), version: nextVersion() }],
    format: 'JSONEachRow',
  });
}

/**
 * The name under which the collector books the conversions of a goal it evaluates at ingestion
 * (page, scroll and prop-condition goals) into the event cubes. Beacon event names can never
 * start with \x01 (collector/goals/event-names.ts strips control characters), so these never
 * collide with a custom event, and `event:name` leaves them out.
 */
export const GOAL_NAME_PREFIX = '\x01goal:';
export const goalEventName = (id: string) => GOAL_NAME_PREFIX + id;

/** Whether a goal is counted at ingestion (from its creation) rather than over the event history. */
export const countedAtIngestion = (g: Pick<Goal, 'type' | 'props'>) => g.type !== 'event' || Object.keys(g.props).length > 0;

/** All sites' allowed prop keys. */
export async function allAllowedProps(store: Store): Promise<Map<string, string[]>> {
  const rs = await store.client.query({ query: `SELECT site, allowed FROM ${store.table(SITE_PROPS_TABLE)} FINAL`, format: 'JSONEachRow' });
  return new Map((await rs.json<{ site: string; allowed: string[] }>()).map((r) => [r.site, r.allowed]));
}
