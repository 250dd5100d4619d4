import { Hono, type MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Store } from '../../schema/client.ts';
import { errorLine } from '../../schema/errors.ts';
import { listSites, normaliseDomain, type Site } from '../../schema/sites.ts';
import { securityRoutes, type SecurityRoutesDeps } from '../../collector/abuse/api/routes.ts';
import { planQuery, StatsQueryError } from './stats/query.ts';
import { runQuery } from './stats/run.ts';

export interface DashboardAppDeps {
  store: Store;
  statsApiKeys: string[];
  privacyMinVisitors: number;
  /** How long hour cubes are kept (time:hour queries cannot reach further back). */
  hourlyRetentionDays?: number;
  /** Static files of the built Svelte app (Node: @hono/node-server serveStatic). */
  staticFiles?: MiddlewareHandler;
  isReady: () => boolean;
  /** Where site pages reach the collector, for the install snippet the dashboard shows. */
  collectorUrl?: string;
  log: (line: string) => void;
  now?: () => number;
  /**
   * The security API at /api/security, behind SECURITY_API_KEYS: the collector's abuse buffer
   * in-process (embedded mode) or fanned out to COLLECTOR_ADMIN_URLS. Absent: no such routes.
   */
  security?: Pick<SecurityRoutesDeps, 'operations' | 'securityApiKeys' | 'audit'>;
}

/** The dashboard server: Stats API v2 subset, site list, the Svelte app. Read-only on ClickHouse. */
export function createDashboardApp(deps: DashboardAppDeps): Hono {
  const now = deps.now ?? Date.now;
  const app = new Hono();
  app.use('*', secureHeaders());

  const auth = bearerAuth({
    token: deps.statsApiKeys,
    noAuthenticationHeader: { message: { error: 'missing Authorization: Bearer <stats API key>' } },
    invalidAuthenticationHeader: { message: { error: 'Authorization header must be "Bearer <stats API key>"' } },
    invalidToken: { message: { error: 'invalid stats API key' } },
  });
  // Mounted before the stats key check: its handlers answer without calling next(), and they
  // check their own keys (a stats key gets 403 there).
  if (deps.security) app.route('/api/security', securityRoutes({ ...deps.security, statsApiKeys: deps.statsApiKeys, log: deps.log }));
  app.use('/api/*', (c, next) => (c.req.path.startsWith('/api/security/') ? next() : auth(c, next)));

  // Site settings change rarely; a short cache keeps every query from reading them again.
  let sitesCache: { at: number; sites: Site[] } | undefined;
  const sites = async (): Promise<Site[]> => {
    if (!sitesCache || now() - sitesCache.at > 10_000) sitesCache = { at: now(), sites: await listSites(deps.store) };
    return sitesCache.sites;
  };

  app.get('/api/sites', async (c) => c.json({ sites: await sites(), ...(deps.collectorUrl ? { collector_url: deps.collectorUrl } : {}) }));

  app.post('/api/v2/query', async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'body is not valid JSON' }, 400);
    }
    const siteId = typeof body === 'object' && body !== null ? (body as { site_id?: unknown }).site_id : undefined;
    const site = typeof siteId === 'string' ? (await sites()).find((s) => s.domain === normaliseDomain(siteId)) : undefined;
    try {
      const plan = planQuery(body, site, now(), deps.hourlyRetentionDays);
      return c.json(await runQuery(deps.store, plan, deps.privacyMinVisitors));
    } catch (err) {
      if (err instanceof StatsQueryError) return c.json({ error: err.message }, 400);
      throw err;
    }
  });

  app.get('/healthz', (c) => (deps.isReady() ? c.json({ status: 'ok' }) : c.json({ status: 'starting' }, 503)));

  if (deps.staticFiles) app.use('/*', deps.staticFiles);

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    // Middleware (bearer auth) answers 401/400 by throwing an HTTPException carrying its response.
    if (err instanceof HTTPException) return err.getResponse();
    deps.log(`dashboard: query failed: ${errorLine(err)}`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
