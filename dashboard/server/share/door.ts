// /share/*: where a shared link's visitor arrives, and the only door their browser has.
//
//   GET  /share/{token}      the link: swaps the token for the share cookie and redirects to
//                            /share/ (303), so the token leaves the address bar at once;
//                            404 for an unknown, revoked or expired link.
//   GET  /share/, /share/assets/*   the dashboard app (it sees its path and runs in share mode).
//   GET  /share/api/link     which site and label, whether the password is still asked for.
//   POST /share/api/password {"password"}: throttled like sign-ins; right → the cookie opens.
//   *    /share/api/...      an allow-list of what the read-only Overview needs (sites, the Stats
//                            API, the site's goals), run as the link's principal (statistics of
//                            its one site); anything else is 404.
//
// Every answer here carries Referrer-Policy: no-referrer, so neither the link nor anything the
// page loads tells another origin where it came from; and Cache-Control: no-store except for the
// app's hashed assets.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { normaliseDomain } from '../../../schema/sites.ts';
import { clientInfo, type ClientIp } from '../auth/client.ts';
import { cookieMode, type CookiePolicy } from '../auth/cookie.ts';
import { AuthError } from '../auth/accounts.ts';
import { callAs, type AuthEnv, type Principal } from '../auth/principal.ts';
import { body } from '../auth/routes.ts';
import { readShareCookie, setShareCookie, SHARE_COOKIE_MS, type ShareCookieOptions, type ShareGrant } from './cookie.ts';
import type { SharedLink, SharedLinks } from './links.ts';

export interface ShareDoorDeps {
  links: SharedLinks;
  cookies: CookiePolicy;
  cookie: ShareCookieOptions;
  clientIp: ClientIp;
  now: () => number;
  /** Runs a request through the dashboard app itself (its /api routes, its static files). */
  dispatch: (request: Request, c: Context) => Response | Promise<Response>;
  /** The app's files are served (not in an app built without them). */
  staticFiles: boolean;
}

/** What a link's visitor may reach under /share/api: what the read-only Overview reads, nothing that changes anything. */
export const SHARE_ALLOWED: readonly { method: string; path: RegExp }[] = [
  { method: 'GET', path: /^\/api\/sites$/ },
  { method: 'POST', path: /^\/api\/v2\/query$/ },
  { method: 'GET', path: /^\/api\/v1\/sites\/[^/]+\/goals$/ },
  // The Overview's "Export CSV": the same statistics as a zip (its own site only, as above).
  { method: 'GET', path: /^\/api\/v1\/sites\/[^/]+\/export$/ },
];

export const LINK_GONE = 'no such shared link (it may have been revoked or have expired)';

const GONE_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><title>telmark</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:20vh auto;padding:0 1rem;color:#1f2937">
<h1 style="font-size:1.25rem">This shared link does not exist</h1>
<p>It may have been revoked or have expired. Ask whoever sent it for a new one.</p></body></html>`;

const PASSWORD = z.object({ password: z.string().max(1024) });

export function shareDoor(deps: ShareDoorDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('Referrer-Policy', 'no-referrer');
    if (!c.req.path.startsWith('/share/assets/')) c.res.headers.set('Cache-Control', 'no-store');
  });

  const secureOrRefuse = (c: Context): boolean => {
    const mode = cookieMode(c, deps.cookies);
    if ('refused' in mode) throw new AuthError(403, mode.refused.replace('signing in', 'opening a shared link'));
    return mode.secure;
  };

  /** The share cookie ends after SHARE_COOKIE_MS, or with its link if that is sooner. */
  const cookieEnd = (link: SharedLink) => Math.min(deps.now() + SHARE_COOKIE_MS, link.expiresAt ?? Infinity);

  /** The visitor's grant and its live link; undefined when the cookie is missing or its link is gone. */
  const visitor = async (c: Context): Promise<{ grant: ShareGrant; link: SharedLink } | undefined> => {
    const grant = await readShareCookie(c, deps.cookie);
    const link = grant && (await deps.links.live(grant.linkId));
    return grant && link ? { grant, link } : undefined;
  };

  /** A request made here to the app at `path` (the same method, body and headers, without the visitor's cookie). */
  const forward = async (c: Context, path: string, principal?: Principal): Promise<Response> => {
    const url = new URL(c.req.url);
    url.pathname = path;
    const headers = new Headers(c.req.raw.headers);
    headers.delete('cookie');
    headers.delete('authorization');
    const method = c.req.method;
    const text = method === 'GET' || method === 'HEAD' ? undefined : await c.req.text();
    const request = new Request(url, { method, headers, body: text });
    const answer = await deps.dispatch(principal ? callAs(request, principal) : request, c);
    // A copy: the answer's headers get ours added (above).
    return new Response(answer.body, answer);
  };

  app.get('/api/link', async (c) => {
    const v = await visitor(c);
    if (!v) return c.json({ error: LINK_GONE }, 404);
    return c.json({
      site: v.link.site,
      label: v.link.label,
      password_required: v.grant.access === 'locked',
      expires_at: v.link.expiresAt === null ? null : new Date(v.link.expiresAt).toISOString(),
    });
  });

  app.post('/api/password', async (c) => {
    if (!/^application\/json\b/i.test(c.req.header('content-type') ?? '')) return c.json({ error: 'send the password as JSON: Content-Type: application/json' }, 415);
    const origin = c.req.header('origin');
    if (origin !== undefined && (origin === 'null' || safeHost(origin) !== (c.req.header('host') ?? new URL(c.req.url).host))) {
      return c.json({ error: 'this request came from another site (Origin does not match); refused' }, 403);
    }
    const v = await visitor(c);
    if (!v) return c.json({ error: LINK_GONE }, 404);
    const { password } = await body(c, PASSWORD);
    const secure = secureOrRefuse(c);
    if (v.grant.access === 'open') return c.json({ ok: true });
    if (!(await deps.links.checkPassword(v.link, password, clientInfo(c, deps.clientIp).network))) return c.json({ error: 'wrong password' }, 401);
    await setShareCookie(c, { linkId: v.link.id, access: 'open', expiresAt: cookieEnd(v.link) }, secure, deps.cookie);
    deps.links.used(v.link);
    return c.json({ ok: true });
  });

  app.all('/api/*', async (c) => {
    const v = await visitor(c);
    if (!v) return c.json({ error: LINK_GONE }, 404);
    if (v.grant.access === 'locked') return c.json({ error: 'this shared link needs its password first' }, 401);
    const path = c.req.path.slice('/share'.length);
    if (!SHARE_ALLOWED.some((a) => a.method === c.req.method && a.path.test(path))) {
      return c.json({ error: 'a shared link reaches only the statistics of its site' }, 404);
    }
    if (path === '/api/v2/query' && !(await asksFor(c, v.link.site))) return c.json({ error: 'a shared link reaches only the statistics of its site' }, 404);
    deps.links.used(v.link);
    const principal: Principal = { kind: 'share', linkId: v.link.id, permissions: new Set(['stats:read']), sites: [v.link.site], keyId: `share-${v.link.id}` };
    return forward(c, path, principal);
  });

  app.get('/:token{[A-Za-z0-9_-]{43}}', async (c) => {
    const link = await deps.links.open(c.req.param('token'));
    if (!link) return c.html(GONE_PAGE, 404);
    const secure = secureOrRefuse(c);
    const held = await readShareCookie(c, deps.cookie);
    // Opening the link again keeps a cookie whose password was given already.
    if (!(held?.linkId === link.id && held.access === 'open')) {
      await setShareCookie(c, { linkId: link.id, access: link.passwordHash ? 'locked' : 'open', expiresAt: cookieEnd(link) }, secure, deps.cookie);
    }
    deps.links.used(link);
    // Relative, so it also works under a proxy's sub-path: /share/{token} → /share/.
    return c.redirect('./', 303);
  });

  if (deps.staticFiles) {
    // The app's page and its assets, as the app serves them at "/" (relative URLs keep them here).
    app.get('/*', async (c, next) => {
      const path = c.req.path.slice('/share'.length);
      if (path === '') return c.redirect('./share/', 301);
      if (path === '/' || path.startsWith('/assets/')) return forward(c, path);
      return next();
    });
  }

  return app;
}

/**
 * Whether a Stats API query names the link's own site. The Stats API would refuse another site
 * anyway (it is not among the principal's sites); this answers it like every other door here, 404.
 */
async function asksFor(c: Context, site: string): Promise<boolean> {
  try {
    const query = JSON.parse(await c.req.text()) as { site_id?: unknown };
    return typeof query.site_id === 'string' && normaliseDomain(query.site_id) === site;
  } catch {
    return true; // not JSON: the Stats API says what is wrong with it
  }
}

function safeHost(origin: string): string | undefined {
  try {
    return new URL(origin).host;
  } catch {
    return undefined;
  }
}
