// The collector's admin listener: the security API over this collector's abuse buffer, for
// security staff and for the dashboard's proxy. It answers with full client IPs, so it listens
// apart from the public collector, on loopback by default (COLLECTOR_ADMIN_HOST), and every route
// under /admin needs a security API key.
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { securityRoutes } from '../abuse/api/routes.ts';
import type { AuditEntry } from '../../schema/audit-log.ts';
import type { AbuseConfig } from '../abuse/config.ts';
import type { AbuseOperations } from '../abuse/types.ts';

export interface AdminAppDeps {
  operations: AbuseOperations;
  securityApiKeys: string[];
  statsApiKeys: string[];
  /** Writes the audit row before the action; a rejection makes the route answer 503 and do nothing. */
  audit: (entry: AuditEntry) => Promise<void> | void;
  log?: (line: string) => void;
}

/**
 * The abuse buffer as seen when it is off (ABUSE_MAX_IPS=0): the routes still answer, with an empty
 * buffer (summary held 0 and max_ips 0, every address 404 "not held"), so a dashboard fanning out
 * to collectors treats an off collector like one that holds nothing.
 */
export function disabledAbuseOperations(config: Pick<AbuseConfig, 'ttlS' | 'maxAgeS' | 'thresholds'>): AbuseOperations {
  return {
    flagged: (page, limit) => ({ results: [], meta: { page, limit, total: 0 } }),
    get: () => undefined,
    erase: () => false,
    summary: () => ({
      held: 0,
      flagged: 0,
      max_ips: 0,
      memory_bytes: 0,
      oldest_entry_age_s: 0,
      ttl_s: config.ttlS,
      max_age_s: config.maxAgeS,
      evicted_total: 0,
      expired_total: 0,
      erased_total: 0,
      thresholds: { ...config.thresholds },
    }),
  };
}

/** /admin/abuse/* (the security API), /healthz; JSON everywhere, including 404 and 500. */
export function createAdminApp(deps: AdminAppDeps): Hono {
  const app = new Hono();
  app.use('*', secureHeaders());
  app.use('*', async (c, next) => {
    // Answers name full IP addresses: no cache, proxy or browser may keep them.
    c.header('cache-control', 'no-store');
    await next();
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.route(
    '/admin',
    securityRoutes({
      operations: deps.operations,
      securityApiKeys: deps.securityApiKeys,
      statsApiKeys: deps.statsApiKeys,
      audit: deps.audit,
      log: deps.log,
    }),
  );
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  // Never echo internals: a message could carry an address from the path.
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    deps.log?.(`collector admin: internal error on ${c.req.method} ${c.req.routePath}`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
