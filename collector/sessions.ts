import { LRUCache } from 'lru-cache';
import type { Acquisition, UserAgentInfo } from './classify/types.ts';
import type { ExitPage } from './exit-pages.ts';

/** What a visit remembers about its entry: every later event of the visit is counted under it. */
export interface Session {
  startedAt: number;
  lastSeenAt: number;
  /** Interactive events so far (pageviews and interactive custom events). */
  interactions: number;
  entry: Acquisition;
  entryPage: string;
  tech: UserAgentInfo;
  /** ISO country code of the visit's first event ('' unknown); its only trace of the address. */
  country: string;
  /** The visit's dimension values per visit-scoped cube, with their row-key text; fixed for the visit. */
  cubes: VisitCubes;
  /**
   * Engagement per page of the visit (collector/goals/engagement.ts): the highest scroll depth
   * reported so far and the scroll goals met. At most MAX_PAGES_PER_VISIT pages; created lazily.
   */
  pages?: Map<string, PageEngagement>;
  /** The visit's last pageview (its exit page so far); unset until the visit has a pageview (collector/exit-pages.ts). */
  exit?: ExitPage;
}

export interface PageEngagement {
  maxScroll: number;
  /** Names of the scroll goals this visit met on this page (booked once each). */
  scrollGoals?: Set<string>;
}

export type VisitCubes = Array<{ cube: 'acquisition' | 'entry_pages' | 'tech'; dims: string[]; key: string }>;

/** The deltas one event adds to its visit's counters, booked in the visit's start minute. */
export interface VisitDelta {
  session: Session;
  isNew: boolean;
  visits: number;
  bounces: number;
  /** Seconds added to the visit's duration. */
  duration: number;
}

/**
 * Live visits, keyed by site + daily visitor key, ended after SESSION_IDLE (30 min) without events.
 * Bounded to `max` entries (MAX_SESSIONS, default 200k, ~300 bytes each): when full, the least
 * recently active visit is ended early. That never corrupts counts, because every visit's counters
 * are booked as deltas the moment they change (visit +1 and bounce +1 on entry, bounce -1 on the
 * second interaction, duration as it grows, the exit moved to each new pageview: exit-pages.ts):
 * an evicted visit simply stops changing (keeping its last page as its exit), and the
 * visitor's next event opens a new visit.
 */
export class SessionStore {
  private readonly cache: LRUCache<string, Session>;

  constructor(max: number, private readonly idleMs: number) {
    this.cache = new LRUCache<string, Session>({ max });
  }

  get size(): number {
    return this.cache.size;
  }

  /** The visitor's live visit, unchanged (engagement events read it but never open or extend one). */
  peek(key: string, now: number): Session | undefined {
    const current = this.cache.get(key);
    return current && now - current.lastSeenAt <= this.idleMs ? current : undefined;
  }

  /**
   * Books one event into the visitor's visit, opening a new visit when there is none or the last
   * one went idle. `interactive` false (Plausible's `i: false`) neither ends a bounce nor extends
   * the duration.
   */
  track(
    key: string,
    now: number,
    interactive: boolean,
    open: () => Pick<Session, 'entry' | 'entryPage' | 'tech' | 'country' | 'cubes'>,
  ): VisitDelta {
    const current = this.cache.get(key);
    if (!current || now - current.lastSeenAt > this.idleMs) {
      const session: Session = { startedAt: now, lastSeenAt: now, interactions: interactive ? 1 : 0, ...open() };
      this.cache.set(key, session);
      return { session, isNew: true, visits: 1, bounces: 1, duration: 0 };
    }
    if (!interactive) return { session: current, isNew: false, visits: 0, bounces: 0, duration: 0 };
    const duration = Math.max(0, Math.round((now - current.startedAt) / 1000) - Math.round((current.lastSeenAt - current.startedAt) / 1000));
    current.interactions++;
    current.lastSeenAt = Math.max(now, current.lastSeenAt);
    return { session: current, isNew: false, visits: 0, bounces: current.interactions === 2 ? -1 : 0, duration };
  }
}
