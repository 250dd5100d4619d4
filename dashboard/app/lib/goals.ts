// Typed client for a site's goals and allowed prop keys: the contract of
// dashboard/server/goals/routes.ts (README, "Goals and allowed props"), one function per route,
// nothing cached here. Reading the goals needs `stats:read` (every reader of the site: the
// dashboard shows their currencies and since when they count); the rest `site-settings:write`
// (admins and marketers), on the user's own sites.
import { request } from './http.ts';

export type GoalType = 'event' | 'page' | 'scroll';

interface GoalCommon {
  id: string;
  display_name: string;
  created_at: string;
  /**
   * null for event goals without prop conditions, which count over their event's whole history;
   * page, scroll and prop-condition goals count from when they were made (this instant).
   */
  counting_since: string | null;
}
export interface EventGoal extends GoalCommon {
  type: 'event';
  event_name: string;
  props: Record<string, string>;
  currency: string | null;
}
export interface PageGoal extends GoalCommon {
  type: 'page';
  path: string;
}
export interface ScrollGoal extends GoalCommon {
  type: 'scroll';
  path: string;
  threshold: number;
}
export type Goal = EventGoal | PageGoal | ScrollGoal;

/** What POST sends; display_name left out takes the default (defaultDisplayName). */
export type NewGoal =
  | { type: 'event'; event_name: string; props?: Record<string, string>; currency?: string; display_name?: string }
  | { type: 'page'; path: string; display_name?: string }
  | { type: 'scroll'; path: string; threshold: number; display_name?: string };

export const GOAL_KINDS: ReadonlyArray<{ type: GoalType; label: string }> = [
  { type: 'event', label: 'Custom event' },
  { type: 'page', label: 'Pageview' },
  { type: 'scroll', label: 'Scroll depth' },
];
export const kindLabel = (type: GoalType): string => GOAL_KINDS.find((k) => k.type === type)?.label ?? type;

/** The revenue currency of the goal with this display name, if it has one. */
export function currencyOf(goals: readonly Goal[], name: string): string | null {
  const goal = goals.find((g) => g.display_name === name);
  return goal?.type === 'event' ? goal.currency || null : null;
}

/** Whether any of these goals books revenue (then the goal tables show it). */
export const hasRevenue = (goals: readonly Goal[]): boolean => goals.some((g) => g.type === 'event' && !!g.currency);

/** The server's limits, to say them before it has to. */
export const MAX_GOAL_PROPS = 3;
export const MAX_ALLOWED_PROPS = 30;

/** The name the server gives a goal without one (as Plausible does). */
export function defaultDisplayName(goal: NewGoal): string {
  if (goal.type === 'event') return goal.event_name.trim();
  if (goal.type === 'page') return `Visit ${goal.path}`;
  return `Scroll ${goal.threshold}% on ${goal.path}`;
}

const base = (site: string) => `api/v1/sites/${encodeURIComponent(site)}`;

export const listGoals = (site: string, signal?: AbortSignal) => request<{ goals: Goal[] }>(`${base(site)}/goals`, { signal });
export const createGoal = (site: string, goal: NewGoal) => request<{ goal: Goal }>(`${base(site)}/goals`, { method: 'POST', body: goal });
export const deleteGoal = (site: string, id: string) =>
  request<{ deleted: true }>(`${base(site)}/goals/${encodeURIComponent(id)}`, { method: 'DELETE', body: {} });
export const allowedProps = (site: string, signal?: AbortSignal) => request<{ allowed: string[] }>(`${base(site)}/props`, { signal });
export const setAllowedProps = (site: string, allowed: string[]) => request<{ allowed: string[] }>(`${base(site)}/props`, { method: 'PUT', body: { allowed } });
