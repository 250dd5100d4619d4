// Funnel progress (issue 9 §3), worked out at ingestion and booked as aggregate deltas, like
// sessions. A visitor advances to step n+1 of a funnel when an event meets the goal of step n+1
// after they reached step n, the same UTC day: the daily-salted visitor key is the only thing that
// ties two events of one person together, and it changes at UTC midnight, so "the same day" is
// all a funnel can ever mean here (the same rule that lets us forget visitors every night).
// A step met out of order (step 3 before step 2) does nothing; reaching step 1 again does nothing;
// one event advances a funnel by at most one step.
//
// What is booked: for each step reached, one row in the funnel_steps cube (funnel, step, and the
// acquisition the visitor was credited with at step 1: source, channel, utm_campaign) with the
// daily visitor key as the sketch's visitor, so a step's `visitors` are the unique visitors who
// reached it. No per-visitor path is ever stored.
//
// The memory: per site, daily visitor key and funnel, the highest step reached today and the
// acquisition at step 1, in an LRU of at most MAX_FUNNEL_ENTRIES (100,000; about 250 bytes each,
// ~25 MB when full; the least recently advanced progress is forgotten first, and that visitor then
// starts the funnel afresh: later steps undercount, never overcount). Only visitors who reached
// step 1 of some funnel have an entry. In memory only; the key holds the daily salt, so it cannot
// match anything after UTC midnight (and an entry from an earlier UTC day is ignored anyway).
import { LRUCache } from 'lru-cache';
import type { CompiledFunnel } from './site-goals.ts';

export const MAX_FUNNEL_ENTRIES = 100_000;

const DAY_MS = 86_400_000;

interface Progress {
  /** UTC day number of the progress. */
  day: number;
  /** Highest step reached (1-based). */
  step: number;
  /** source, channel, utm_campaign at step 1. */
  acquisition: readonly [string, string, string];
}

/** A step just reached, to be booked into the funnel_steps cube. */
export interface FunnelAdvance {
  funnelId: string;
  /** 1-based */
  step: number;
  acquisition: readonly [string, string, string];
}

export class FunnelProgress {
  private readonly memory: LRUCache<string, Progress>;

  constructor(max = MAX_FUNNEL_ENTRIES) {
    this.memory = new LRUCache<string, Progress>({ max });
  }

  get size(): number {
    return this.memory.size;
  }

  /**
   * The steps an event that meets the goals `met` makes this visitor reach. `visitor` is site and
   * daily visitor key; `acquisition` is asked for only when a visitor reaches step 1.
   */
  advance(visitor: string, funnels: readonly CompiledFunnel[], met: ReadonlySet<string>, atMs: number, acquisition: () => readonly [string, string, string]): FunnelAdvance[] {
    if (met.size === 0) return [];
    const out: FunnelAdvance[] = [];
    const day = Math.floor(atMs / DAY_MS);
    for (const f of funnels) {
      // Cheap test first: does the event meet any of this funnel's steps at all?
      if (!f.steps.some((g) => met.has(g))) continue;
      const key = `${visitor}\x1f${f.id}`;
      let p = this.memory.get(key);
      if (p && p.day !== day) p = undefined;
      const reached = p?.step ?? 0;
      if (reached >= f.steps.length || !met.has(f.steps[reached]!)) continue;
      if (p) {
        p.step = reached + 1;
      } else {
        p = { day, step: 1, acquisition: acquisition() };
        this.memory.set(key, p);
      }
      out.push({ funnelId: f.id, step: p.step, acquisition: p.acquisition });
    }
    return out;
  }
}
