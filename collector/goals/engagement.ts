// Plausible's engagement events, booked as page metrics (never as events). Scroll depth is, per
// visit and page, the highest `sd` reported, averaged over visits: the pages cube keeps
// scroll_visits (visit-pages with a reading) and scroll_sum (the sum of their highest readings),
// booked as deltas as a visit's highest reading rises, so nothing per visit is ever stored.
// Engaged time is summed per page (engaged_ms); time on page = engaged_ms / visitors of the page.
//
// The per-visit memory (Session.pages) holds at most MAX_PAGES_PER_VISIT pages; engagement on
// further pages of the same visit still adds engaged time, but no scroll reading (counted in
// /metrics as telmark_engagement_untracked_total), so a visit cannot grow without bound.
import type { Contribution } from '../aggregator.ts';
import type { PageEngagement, Session } from '../sessions.ts';

export const MAX_PAGES_PER_VISIT = 50;

export interface EngagementBooking {
  /** The pages-cube counters to add (empty when the event changes nothing). */
  counts: Contribution;
  /** The page's state in this visit, or undefined past the bound. */
  page: PageEngagement | undefined;
}

/** What an engagement event on `path` adds, updating the visit's memory of the page. */
export function bookEngagement(session: Session, path: string, scrollDepth: number | undefined, engagedMs: number | undefined): EngagementBooking {
  const counts: Contribution = {};
  if (engagedMs) counts.engaged_ms = engagedMs;
  session.pages ??= new Map();
  let page = session.pages.get(path);
  if (!page && session.pages.size < MAX_PAGES_PER_VISIT && scrollDepth !== undefined) {
    page = { maxScroll: -1 };
    session.pages.set(path, page);
  }
  if (page && scrollDepth !== undefined && scrollDepth > page.maxScroll) {
    if (page.maxScroll < 0) {
      counts.scroll_visits = 1;
      counts.scroll_sum = scrollDepth;
    } else {
      counts.scroll_sum = scrollDepth - page.maxScroll;
    }
    page.maxScroll = scrollDepth;
  }
  return { counts, page };
}
