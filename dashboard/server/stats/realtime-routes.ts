// GET /api/v1/stats/realtime/visitors?site_id=…: Plausible's Stats API v1 realtime route, which
// answers a bare number (the dashboard's header polls it too). For every reader of the site's
// statistics (`stats:read`, session or key); a site outside the caller's answers 404 like a site
// that does not exist.
import { Hono } from 'hono';
import { z } from 'zod';
import type { Store } from '../../../schema/client.ts';
import { normaliseDomain, type Site } from '../../../schema/sites.ts';
import { AuthError } from '../auth/accounts.ts';
import { canSeeSite, requires, type AuthEnv } from '../auth/principal.ts';
import { currentVisitors } from './realtime.ts';

export interface RealtimeRoutesDeps {
  store: Store;
  /** The registered sites (cached by the caller). */
  sites: () => Promise<Site[]>;
  now: () => number;
}

const QUERY = z.object({ site_id: z.string().min(1, 'is required').max(255, 'must be at most 255 characters') });

export function realtimeRoutes(deps: RealtimeRoutesDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.get('/realtime/visitors', requires('stats:read'), async (c) => {
    const parsed = QUERY.safeParse(c.req.query());
    if (!parsed.success) return c.json({ error: `site_id: ${parsed.error.issues[0]?.message ?? 'is required'}` }, 400);
    const domain = normaliseDomain(parsed.data.site_id);
    const site = (await deps.sites()).find((s) => s.domain === domain);
    if (!site || !canSeeSite(c.get('principal')!, site.domain)) throw new AuthError(404, `no site "${domain.slice(0, 253)}" among yours`);
    return c.json(await currentVisitors(deps.store, site.domain, deps.now()));
  });
  return app;
}
