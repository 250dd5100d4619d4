// Hash routing, written by hand: six signed-in views and two link targets (setup, invite) are a
// parse function and a hashchange listener. A router library would be more to learn and ship than
// this file. The hash keeps the app a set of static files the server serves as they are.
//
// Nothing sensitive goes in the hash (it stays in the history): an address looked up in the
// security view lives in the view's memory only. The setup and invite tokens arrive in the hash
// because that is the link people are sent; they are single-use.
import type { View } from './auth.ts';

export type Route =
  | { name: Exclude<View, 'goals'> }
  /** The goals of one site (`#/goals/example.com`), or of the first of the user's sites (`site` ''). */
  | { name: 'goals'; site: string }
  /** The realtime view: reached from the header's current visitors, not a tab of its own. */
  | { name: 'realtime' }
  | { name: 'setup'; token: string }
  | { name: 'invite'; token: string }
  | { name: 'signin' }
  /** Nothing chosen yet: the first view the user may see. */
  | { name: 'home' }
  | { name: 'unknown'; path: string };

const VIEW_NAMES: readonly string[] = ['overview', 'campaigns', 'security', 'users', 'account'];

export function parseHash(hash: string): Route {
  // A view's choices ride after "?" (lib/viewUrl.ts); the route is the part before it.
  const path = hash.replace(/^#\/?/, '').split('?')[0]!;
  const [first = '', ...rest] = path.split('/');
  if (first === '') return { name: 'home' };
  if ((first === 'setup' || first === 'invite') && rest.length === 1 && rest[0]) return { name: first, token: decodeURIComponent(rest[0]) };
  if (first === 'signin' && rest.length === 0) return { name: 'signin' };
  if (first === 'realtime' && rest.length === 0) return { name: 'realtime' };
  if (VIEW_NAMES.includes(first) && rest.length === 0) return { name: first as Exclude<View, 'goals'> };
  if (first === 'goals' && rest.length <= 1) return { name: 'goals', site: safeDecode(rest[0] ?? '') };
  return { name: 'unknown', path };
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** The hash's query part (after "?", without it): what a statistics view was showing. */
export function hashQuery(hash: string): string {
  const at = hash.indexOf('?');
  return at < 0 ? '' : hash.slice(at + 1);
}

export const router = $state<{ route: Route; query: string }>({ route: parseHash(location.hash), query: hashQuery(location.hash) });

window.addEventListener('hashchange', () => {
  router.route = parseHash(location.hash);
  router.query = hashQuery(location.hash);
});

/**
 * Writes a view's choices into the address without a history entry or a hashchange, so the
 * address bar can be bookmarked or sent as it is while the back button still leaves the view.
 */
export function replaceQuery(path: string, query: string): void {
  const hash = `#/${path}${query ? `?${query}` : ''}`;
  if (location.hash === hash) return;
  history.replaceState(history.state, '', hash);
  router.query = query;
}

/** Goes to a route; replace keeps a redirect (e.g. past a used invite link) out of the back button. */
export function navigate(path: string, { replace = false } = {}): void {
  const hash = `#/${path}`;
  if (location.hash === hash) return;
  if (replace) {
    history.replaceState(history.state, '', hash);
    router.route = parseHash(hash);
    router.query = hashQuery(hash);
  } else {
    location.hash = hash;
  }
}
