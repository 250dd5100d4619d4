// The collector's view of each site's goals and allowed prop keys (written by the dashboard,
// schema/goals.ts). Event goals without prop conditions need nothing here: they are evaluated at
// query time over the event-name cubes. Page, scroll and prop-condition goals are evaluated here,
// per event, and their conversions booked under the goal's reserved name (goalEventName), so they
// count from the moment the collector knows them: within GOALS_REFRESH_MS of their creation, or at
// once when the dashboard runs in the same process (it calls refresh() after a change).
//
// Memory: the goals and keys of every site, compiled; a site has at most MAX_GOALS_PER_SITE goals
// (dashboard/server/goals/routes.ts) and at most 30 allowed keys.
import type { Store } from '../../schema/client.ts';
import { allAllowedProps, countedAtIngestion, goalEventName, listGoals } from '../../schema/goals.ts';
import { compilePathPattern } from './path-pattern.ts';

export const GOALS_REFRESH_MS = 10_000;

export interface PageGoal {
  name: string;
  matches: (path: string) => boolean;
}
export interface ScrollGoal extends PageGoal {
  threshold: number;
}
export interface PropGoal {
  name: string;
  eventName: string;
  conditions: Array<[key: string, value: string]>;
}

export interface CompiledSiteGoals {
  page: PageGoal[];
  scroll: ScrollGoal[];
  /** Event goals with prop conditions, by event name. */
  props: Map<string, PropGoal[]>;
  allowedProps: Set<string>;
}

const NONE: CompiledSiteGoals = { page: [], scroll: [], props: new Map(), allowedProps: new Set() };

export class SiteGoals {
  private bySite = new Map<string, CompiledSiteGoals>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store) {}

  get(site: string): CompiledSiteGoals {
    return this.bySite.get(site) ?? NONE;
  }

  async refresh(): Promise<void> {
    const [goals, allowed] = await Promise.all([listGoals(this.store), allAllowedProps(this.store)]);
    const next = new Map<string, CompiledSiteGoals>();
    const of = (site: string) => {
      let s = next.get(site);
      if (!s) next.set(site, (s = { page: [], scroll: [], props: new Map(), allowedProps: new Set(allowed.get(site) ?? []) }));
      return s;
    };
    for (const [site] of allowed) of(site);
    for (const g of goals) {
      if (!countedAtIngestion(g)) continue;
      const s = of(g.site);
      const name = goalEventName(g.id);
      if (g.type === 'page') s.page.push({ name, matches: compilePathPattern(g.path) });
      else if (g.type === 'scroll') s.scroll.push({ name, matches: compilePathPattern(g.path), threshold: g.threshold });
      else {
        const list = s.props.get(g.eventName) ?? [];
        list.push({ name, eventName: g.eventName, conditions: Object.entries(g.props) });
        s.props.set(g.eventName, list);
      }
    }
    this.bySite = next;
  }

  startRefreshing(intervalMs = GOALS_REFRESH_MS, onError: (err: unknown) => void = () => {}): void {
    this.timer = setInterval(() => this.refresh().catch(onError), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
