// The collector's view of each site's goals, funnels and allowed prop keys (written by the
// dashboard, schema/goals.ts and schema/funnels.ts). Event goals without prop conditions are not
// booked here: they are evaluated at query time over the event-name cubes; they are compiled only
// so that funnel steps (collector/goals/funnels.ts) can tell which goals an event meets. Page,
// scroll and prop-condition goals are evaluated here, per event, and their conversions booked
// under the goal's reserved name (goalEventName), so they count from the moment the collector
// knows them: within GOALS_REFRESH_MS of their creation, or at once when the dashboard runs in the
// same process (it calls refresh() after a change). Funnels likewise.
//
// Memory: the goals, funnels and keys of every site, compiled; a site has at most
// MAX_GOALS_PER_SITE goals (dashboard/server/goals/routes.ts), MAX_FUNNELS_PER_SITE funnels
// (dashboard/server/funnels/routes.ts) and at most 30 allowed keys.
import type { Store } from '../../schema/client.ts';
import { listFunnels } from '../../schema/funnels.ts';
import { allAllowedProps, countedAtIngestion, goalEventName, listGoals } from '../../schema/goals.ts';
import { compilePathPattern } from './path-pattern.ts';

export const GOALS_REFRESH_MS = 10_000;

export interface PageGoal {
  id: string;
  name: string;
  matches: (path: string) => boolean;
}
export interface ScrollGoal extends PageGoal {
  threshold: number;
}
export interface PropGoal {
  id: string;
  name: string;
  eventName: string;
  conditions: Array<[key: string, value: string]>;
}

export interface CompiledSiteGoals {
  page: PageGoal[];
  scroll: ScrollGoal[];
  /** Event goals with prop conditions, by event name. */
  props: Map<string, PropGoal[]>;
  /** Event goals without prop conditions, by event name: their ids, for funnel steps only (not booked here). */
  events: Map<string, string[]>;
  /** Funnels: their steps' goal ids, in order. */
  funnels: CompiledFunnel[];
  allowedProps: Set<string>;
}

export interface CompiledFunnel {
  id: string;
  steps: string[];
}

/** A site with no goals, funnels or allowed props (optionally with these allowed keys). */
export const noSiteGoals = (allowed: Iterable<string> = []): CompiledSiteGoals => ({ page: [], scroll: [], props: new Map(), events: new Map(), funnels: [], allowedProps: new Set(allowed) });
const NONE: CompiledSiteGoals = noSiteGoals();

export class SiteGoals {
  private bySite = new Map<string, CompiledSiteGoals>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store) {}

  get(site: string): CompiledSiteGoals {
    return this.bySite.get(site) ?? NONE;
  }

  async refresh(): Promise<void> {
    const [goals, allowed, funnels] = await Promise.all([listGoals(this.store), allAllowedProps(this.store), listFunnels(this.store)]);
    const next = new Map<string, CompiledSiteGoals>();
    const of = (site: string) => {
      let s = next.get(site);
      if (!s) next.set(site, (s = noSiteGoals(allowed.get(site))));
      return s;
    };
    for (const [site] of allowed) of(site);
    for (const g of goals) {
      const s = of(g.site);
      const { id } = g;
      if (!countedAtIngestion(g)) {
        s.events.set(g.eventName, [...(s.events.get(g.eventName) ?? []), id]);
        continue;
      }
      const name = goalEventName(id);
      if (g.type === 'page') s.page.push({ id, name, matches: compilePathPattern(g.path) });
      else if (g.type === 'scroll') s.scroll.push({ id, name, matches: compilePathPattern(g.path), threshold: g.threshold });
      else {
        const list = s.props.get(g.eventName) ?? [];
        list.push({ id, name, eventName: g.eventName, conditions: Object.entries(g.props) });
        s.props.set(g.eventName, list);
      }
    }
    for (const f of funnels) of(f.site).funnels.push({ id: f.id, steps: f.stepGoalIds });
    this.bySite = next;
  }

  startRefreshing(intervalMs = GOALS_REFRESH_MS, onError: (err: unknown) => void = () => {}, onRefreshed: () => void = () => {}): void {
    this.timer = setInterval(() => this.refresh().then(onRefreshed, onError), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
