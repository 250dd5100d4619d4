// A visit's exit page is the page of its last pageview. The pages cube counts it as `exits`,
// booked the way bounces are: as deltas the moment the visit moves on, because a visit never says
// that it has ended (it just goes idle, or is evicted from the session store).
//
// Where the deltas land: the +1 on the new pageview's page and minute, the -1 on the previous
// last pageview's page and minute (its row already holds that pageview and that visitor key).
// So every minute row keeps 0 <= exits <= pageviews, and exits / pageviews is the exit rate over
// any range, never above 100 %. A visit that ends keeps its last page: nothing is booked then.
import type { Session } from './sessions.ts';

/** Where a visit's last pageview was: its page and the instant it was counted (ms). */
export interface ExitPage {
  page: string;
  at: number;
}

/**
 * Makes `page` (viewed at `at`) the visit's exit page; returns the exit to take back, if the visit
 * had one. Custom events and engagement reports never move the exit: only pageviews do.
 */
export function moveExit(session: Session, page: string, at: number): ExitPage | undefined {
  const previous = session.exit;
  session.exit = { page, at };
  return previous;
}
