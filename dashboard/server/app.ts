import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { AuditEntry } from '../../schema/audit-log.ts';
import type { Store } from '../../schema/client.ts';
import { errorLine } from '../../schema/errors.ts';
import { parseClientJson } from '../../schema/text.ts';
import { listSites, normaliseDomain, type Site } from '../../schema/sites.ts';
import { DEFAULT_HOURLY_RETENTION_DAYS } from '../../schema/retention.ts';
import { securityRoutes, type Authorization, type SecurityRoutesDeps } from '../../collector/abuse/api/routes.ts';
import { AuthError, type Accounts } from './auth/accounts.ts';
import type { ClientIp } from './auth/client.ts';
import type { CookiePolicy } from './auth/cookie.ts';
import { jsonOnly, sameOrigin } from './auth/csrf.ts';
import { canSeeSite, principalMiddleware, requires, type AuthEnv, type Principal } from './auth/principal.ts';
import { authRoutes } from './auth/routes.ts';
import { usersRoutes } from './auth/users-routes.ts';
import { goalsRoutes } from './goals/routes.ts';
import { funnelsRoutes } from './funnels/routes.ts';
import { planQuery, StatsQueryError } from './stats/query.ts';
import { PROP_PREFIX } from './stats/dimensions.ts';
import { runQuery, type StatsResponse } from './stats/run.ts';
import { StatsContextCache } from './stats/context-cache.ts';
import { spendRoutes } from './spend/routes.ts';
import { exportRoutes } from './export/routes.ts';
import { realtimeRoutes } from './stats/realtime-routes.ts';
import type { Freshness } from './stats/realtime.ts';
import { shareCookieKey } from './share/cookie.ts';
import { shareDoor } from './share/door.ts';
import { SharedLinks } from './share/links.ts';
import { sharedLinksRoutes } from './share/routes.ts';

export interface DashboardAppDeps {
  /** Closed days, goals and allowed props as the Stats API reads them (made here when absent). */
  statsContext?: StatsContextCache;
  /** After a goal or allowed-props change (start-all: the collector in this process reloads them). */
  goalsChanged?: () => Promise<void>;
  store: Store;
  /** Accounts, sessions, TOTP and users' keys (dashboard/server/auth). */
  accounts: Accounts;
  /** The operator's keys for automation (STATS_API_KEYS, SECURITY_API_KEYS). */
  statsApiKeys: string[];
  securityApiKeys: string[];
  cookies: CookiePolicy;
  /** The client's address (TRUSTED_PROXIES applied), for the sign-in throttle and the audit log. */
  clientIp: ClientIp;
  /** DASHBOARD_PUBLIC_URL: the dashboard as people reach it (invite links). */
  publicUrl?: string;
  /** The audit log (site settings changes; accounts audit through `accounts`). */
  audit: (entry: AuditEntry) => Promise<void>;
  privacyMinVisitors: number;
  /**
   * How fresh the figures are (ABUSE_HOLD_MS and FLUSH_INTERVAL_MS of the collector) and how often
   * the dashboard re-reads realtime figures; GET /api/sites passes it on as `realtime`.
   */
  freshness?: Freshness;
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
   * The security API at /api/security for security staff (session with a second factor, or a
   * key with the security scope): the collector's abuse buffer in-process (embedded mode) or
   * fanned out to COLLECTOR_ADMIN_URLS. Absent: no such routes.
   */
  security?: Pick<SecurityRoutesDeps, 'operations' | 'audit'>;
  /** AUTH_SECRET_KEY: the share cookie's signing key is derived from it (absent: a random one, this process only). */
  authSecretKey?: string;
}

/**
 * The dashboard server: accounts and sessions, the Stats API v2 subset, the site list, the
 * security API, the Svelte app. Every /api route declares the permission it needs (requires).
 */
export function createDashboardApp(deps: DashboardAppDeps): Hono<AuthEnv> {
  const now = deps.now ?? Date.now;
  const app = new Hono<AuthEnv>();
  app.use(
    '*',
    secureHeaders({
      // The app is one bundle from this origin: no inline or third-party script, nothing framed.
      // Inline styles stay allowed (Svelte and Chart.js set style attributes); the QR code is a data: image.
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  app.use('/api/*', principalMiddleware(deps.accounts, { stats: deps.statsApiKeys, security: deps.securityApiKeys }));
  app.use('/api/*', jsonOnly);
  app.use('/api/*', sameOrigin);
  app.use('/api/*', async (c, next) => {
    await next();
    // Answers about accounts and statistics are for the person who asked, not for shared caches.
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', 'no-store');
  });

  app.route('/api/auth', authRoutes({ accounts: deps.accounts, cookies: deps.cookies, clientIp: deps.clientIp }));
  app.route('/api', usersRoutes({ accounts: deps.accounts, publicUrl: deps.publicUrl }));
  if (deps.security) {
    app.route(
      '/api/security',
      securityRoutes({ ...deps.security, securityApiKeys: deps.securityApiKeys, statsApiKeys: deps.statsApiKeys, log: deps.log, authorize: securityAuthorization }),
    );
  }

  // Site settings change rarely; a short cache keeps every query from reading them again.
  let sitesCache: { at: number; sites: Site[] } | undefined;
  const sites = async (): Promise<Site[]> => {
    if (!sitesCache || now() - sitesCache.at > 10_000) sitesCache = { at: now(), sites: await listSites(deps.store) };
    return sitesCache.sites;
  };

  const statsContext = deps.statsContext ?? new StatsContextCache(deps.store);
  const goalsChanged = async (site: string) => {
    statsContext.invalidateSettings(site);
    await deps.goalsChanged?.();
  };
  app.route('/api/v1/sites', goalsRoutes({ store: deps.store, sites, audit: deps.audit, now, log: deps.log, changed: goalsChanged }));
  app.route('/api/v1/sites', funnelsRoutes({ store: deps.store, sites, audit: deps.audit, now, log: deps.log, privacyMinVisitors: deps.privacyMinVisitors, changed: async () => deps.goalsChanged?.() }));
  app.route('/api/v1/sites', spendRoutes({ store: deps.store, sites, audit: deps.audit, now, log: deps.log, changed: () => statsContext.invalidateSpend() }));

  // Shared links (dashboard/server/share): managed under the site's settings; opened at /share/,
  // whose API forwards an allow-list of reads to this app as the link's principal.
  const sharedLinks = new SharedLinks({ store: deps.store, now, log: deps.log });
  app.route('/api/v1/sites', sharedLinksRoutes({ links: sharedLinks, sites, accounts: deps.accounts.store, audit: deps.audit, log: deps.log, publicUrl: deps.publicUrl }));
  const basePath = deps.publicUrl ? new URL(deps.publicUrl).pathname.replace(/\/+$/, '') : '';
  app.route(
    '/share',
    shareDoor({
      links: sharedLinks,
      cookies: deps.cookies,
      cookie: { key: shareCookieKey(deps.authSecretKey), path: `${basePath}/share/`, now },
      clientIp: deps.clientIp,
      now,
      dispatch: (request, c) => app.fetch(request, c.env),
      staticFiles: deps.staticFiles !== undefined,
    }),
  );

  app.get('/api/sites', requires('stats:read'), async (c) => {
    const p = c.get('principal')!;
    const visible = (await sites()).filter((s) => canSeeSite(p, s.domain));
    return c.json({
      sites: visible,
      ...(deps.collectorUrl ? { collector_url: deps.collectorUrl } : {}),
      ...(deps.freshness ? { realtime: { delay_s: deps.freshness.delayS, refresh_s: deps.freshness.refreshS } } : {}),
      hourly_retention_days: deps.hourlyRetentionDays ?? DEFAULT_HOURLY_RETENTION_DAYS,
    });
  });

  /** One Stats API query for a caller: planned (StatsQueryError for a bad one) and run. */
  const answer = async (p: Principal, body: unknown): Promise<StatsResponse> => {
    const siteId = typeof body === 'object' && body !== null ? (body as { site_id?: unknown }).site_id : undefined;
    // A site outside the caller's sites answers exactly like a site that does not exist.
    const site = typeof siteId === 'string' ? (await sites()).find((s) => s.domain === normaliseDomain(siteId) && canSeeSite(p, s.domain)) : undefined;
    const [goals, props] = await Promise.all([
      site && mentions(body, (d) => d === 'event:goal') ? statsContext.siteGoals(site.domain) : [],
      site && mentions(body, (d) => d.startsWith(PROP_PREFIX)) ? statsContext.allowedProps(site.domain) : [],
    ]);
    const plan = planQuery(body, site, now(), deps.hourlyRetentionDays, goals, props);
    return runQuery(deps.store, plan, deps.privacyMinVisitors, statsContext);
  };
  app.route('/api/v1/sites', exportRoutes({ sites, query: answer, goals: (site) => statsContext.siteGoals(site), now }));
  app.route('/api/v1/stats', realtimeRoutes({ store: deps.store, sites, now }));

  app.post('/api/v2/query', requires('stats:read'), async (c) => {
    let body: unknown;
    try {
      body = parseClientJson(await c.req.text());
    } catch {
      return c.json({ error: 'body is not valid JSON' }, 400);
    }
    try {
      return c.json(await answer(c.get('principal')!, body));
    } catch (err) {
      if (err instanceof StatsQueryError) return c.json({ error: err.message }, 400);
      throw err;
    }
  });

  app.get('/healthz', (c) => (deps.isReady() ? c.json({ status: 'ok' }) : c.json({ status: 'starting' }, 503)));

  if (deps.staticFiles) app.use('/*', deps.staticFiles);

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    if (err instanceof AuthError) {
      if (err.retryAfter !== undefined) c.header('Retry-After', String(err.retryAfter));
      return c.json({ error: err.message, ...(err.retryAfter !== undefined ? { retry_after: err.retryAfter } : {}) }, err.status);
    }
    // Middleware answers some refusals by throwing an HTTPException carrying its response.
    if (err instanceof HTTPException) return c.json({ error: err.message || 'refused' }, err.status);
    deps.log(`dashboard: ${c.req.method} ${c.req.routePath} failed: ${errorLine(err)}`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

/** Whether a Stats API request names a dimension (or filters on one) that `wanted` picks: then the settings it needs are read. */
function mentions(body: unknown, wanted: (dimension: string) => boolean): boolean {
  if (typeof body !== 'object' || body === null) return false;
  const { dimensions, filters } = body as { dimensions?: unknown; filters?: unknown };
  const named = [...(Array.isArray(dimensions) ? dimensions : []), ...(Array.isArray(filters) ? filters.map((f) => (Array.isArray(f) ? f[1] : undefined)) : [])];
  return named.some((d) => typeof d === 'string' && wanted(d));
}

/** The security API's gate in the dashboard: the principal middleware already knows the caller. */
function securityAuthorization(c: Context): Authorization {
  const p = (c as Context<AuthEnv>).get('principal');
  if (!p) return { ok: false, status: 401, keyId: 'none', error: (c as Context<AuthEnv>).get('authProblem') ?? 'not signed in' };
  const who = { keyId: p.keyId, userId: p.user?.id };
  if (p.kind === 'session' && p.session.enrolOnly) return { ok: false, status: 403, ...who, error: 'finish setting up your second factor first' };
  if (!p.permissions.has('security:abuse')) {
    const error = p.kind === 'env-key' ? 'this key may read statistics but not use the security API' : 'your roles do not allow this (needs security:abuse)';
    return { ok: false, status: 403, ...who, error };
  }
  return { ok: true, ...who };
}
