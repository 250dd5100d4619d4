// CSRF defence for cookie-authenticated calls (ASVS 5.0 V3.5). Three layers:
// 1. Hono's csrf middleware refuses a form-encoded or text/plain POST from another origin (the
//    only cross-site requests a browser sends without asking first).
// 2. State-changing calls take application/json only (415 otherwise), so a cross-site page can
//    only send them after a CORS preflight, which this server never approves. The one exception,
//    the ad-spend import, also takes text/csv: not a CORS-safelisted type either, so the same
//    preflight stands in the way.
// 3. A cookie-authenticated state change whose Origin (or Sec-Fetch-Site) says it came from
//    another site is refused, whatever its content type.
// Bearer-key calls carry no ambient credential, so only rule 2 applies to them.
import type { Context, MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import type { AuthEnv } from './principal.ts';

const SAFE = /^(GET|HEAD|OPTIONS)$/;
/** Routes that take a body other than JSON, and which (preflighted) type. */
const CSV_ROUTE = /^\/api\/v1\/sites\/[^/]+\/ad-spend$/;
const honoCsrf = csrf();

export const jsonOnly: MiddlewareHandler<AuthEnv> = async (c, next) => {
  if (SAFE.test(c.req.method)) return next();
  if (!needsCheck(c)) return next();
  const type = c.req.header('content-type');
  const hasBody = c.req.header('content-length') !== undefined && c.req.header('content-length') !== '0';
  // DELETE usually has no body; any body a state change carries must be JSON.
  const csv = c.req.method === 'POST' && CSV_ROUTE.test(c.req.path) && /^text\/csv\b/i.test(type ?? '');
  if (!csv && (type !== undefined || hasBody || c.req.method !== 'DELETE') && !/^application\/json\b/i.test(type ?? '')) {
    return c.json({ error: 'state-changing calls take a JSON body: send Content-Type: application/json' }, 415);
  }
  return next();
};

/**
 * A caller with no valid credential gets the route's 401 first (it says what is missing); the
 * sign-in routes themselves are for callers without one, and are always checked.
 */
function needsCheck(c: Context<AuthEnv>): boolean {
  return c.get('principal') !== undefined || c.req.path.startsWith('/api/auth/');
}

/** Rule 3 (and Hono's csrf): for calls that may carry the cookie, i.e. without a Bearer key. */
export const sameOrigin: MiddlewareHandler<AuthEnv> = async (c, next) => {
  if (SAFE.test(c.req.method) || c.req.header('authorization') !== undefined || !needsCheck(c)) return next();
  const origin = c.req.header('origin');
  const site = c.req.header('sec-fetch-site');
  const own = new URL(c.req.url);
  // Behind a proxy the URL the server sees may differ in scheme or port from what the browser
  // used, so compare the host the browser asked for (Host header) with the Origin's host.
  const host = c.req.header('host') ?? own.host;
  let foreign = false;
  if (origin !== undefined) {
    try {
      foreign = origin === 'null' || new URL(origin).host !== host;
    } catch {
      foreign = true;
    }
  } else if (site !== undefined) {
    foreign = site !== 'same-origin' && site !== 'none';
  }
  if (foreign) return c.json({ error: 'this request came from another site (Origin does not match); refused' }, 403);
  return honoCsrf(c, next);
};
