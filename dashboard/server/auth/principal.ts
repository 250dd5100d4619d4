// Who is calling: a signed-in user (session cookie), a user's API key, or one of the operator's
// keys from STATS_API_KEYS / SECURITY_API_KEYS. One middleware works it out for every /api/*
// request; every route then declares what it needs with `requires(permission)`, the one place
// where access is decided.
import type { Context, MiddlewareHandler } from 'hono';
import { bearerToken, keyMatcher } from '../../../collector/abuse/api/auth.ts';
import { keyId } from '../../../collector/abuse/api/key-id.ts';
import { normaliseDomain, type Site } from '../../../schema/sites.ts';
import { AuthError, type Accounts } from './accounts.ts';
import { readSessionCookie } from './cookie.ts';
import { permissionsOf, type Permission } from './roles.ts';
import type { SessionRecord, Sites, UserRecord } from './store.ts';

export type Principal =
  | { kind: 'session'; user: UserRecord; session: SessionRecord; permissions: Set<Permission>; sites: Sites; keyId: 'session' }
  | { kind: 'user-key'; user: UserRecord; permissions: Set<Permission>; sites: Sites; keyId: string }
  | { kind: 'env-key'; user?: undefined; permissions: Set<Permission>; sites: 'all'; keyId: string }
  /** Someone who opened a shared link (dashboard/server/share): statistics of its one site only. */
  | { kind: 'share'; user?: undefined; linkId: string; permissions: Set<Permission>; sites: [string]; keyId: string };

/**
 * Requests made by the share door (dashboard/server/share/door.ts) on behalf of a shared link's
 * visitor, with the principal it worked out. Keyed by the Request object that the door itself
 * creates, so no header or cookie a client sends can claim it. Entries go with their requests.
 */
const onBehalf = new WeakMap<Request, Principal>();

export function callAs(request: Request, principal: Principal): Request {
  onBehalf.set(request, principal);
  return request;
}

export type AuthVariables = {
  principal?: Principal;
  /** Why there is no principal although credentials were sent (for the 401's sentence). */
  authProblem?: string;
};
export type AuthEnv = { Variables: AuthVariables };

/** Routes an enrolment-only session may call (finishing the second-factor setup, or leaving). */
const ENROLMENT_PATHS = new Set(['/api/auth/totp/confirm', '/api/auth/me', '/api/auth/logout']);

const SESSION_ENDED: Record<string, string> = {
  unknown: 'your session has ended; sign in again',
  ended: 'your session has ended; sign in again',
  expired: 'your session has expired; sign in again',
  'user-gone': 'your session has ended; sign in again',
  disabled: 'your session has ended; sign in again',
  'mfa-missing': 'your roles now need a second factor; sign in again with your code',
};

export function principalMiddleware(accounts: Accounts, envKeys: { stats: string[]; security: string[] }): MiddlewareHandler<AuthEnv> {
  const isStatsKey = keyMatcher(envKeys.stats);
  const isSecurityKey = keyMatcher(envKeys.security);
  return async (c, next) => {
    const shared = onBehalf.get(c.req.raw);
    if (shared) {
      c.set('principal', shared);
      return next();
    }
    const header = c.req.header('authorization');
    if (header !== undefined) {
      const key = bearerToken(header);
      if (key === undefined) c.set('authProblem', 'Authorization header must be "Bearer <API key>"');
      else if (key.startsWith('tmk_')) {
        const found = await accounts.resolveKey(key);
        if (found) c.set('principal', { kind: 'user-key', user: found.user, permissions: found.permissions, sites: narrowSites(found.user.sites, found.key.sites), keyId: `ukey-${found.key.id}` });
        else c.set('authProblem', 'invalid API key');
      } else if (isSecurityKey(key)) c.set('principal', { kind: 'env-key', permissions: new Set(['security:abuse']), sites: 'all', keyId: keyId(key) });
      else if (isStatsKey(key)) c.set('principal', { kind: 'env-key', permissions: new Set(['stats:read']), sites: 'all', keyId: keyId(key) });
      else c.set('authProblem', 'invalid API key');
      return next();
    }
    const token = readSessionCookie(c);
    if (token !== undefined) {
      const check = await accounts.sessions.check(token);
      if (check.ok) {
        const permissions = check.session.enrolOnly ? new Set<Permission>() : permissionsOf(check.user.roles);
        c.set('principal', { kind: 'session', user: check.user, session: check.session, permissions, sites: check.user.sites, keyId: 'session' });
      } else c.set('authProblem', SESSION_ENDED[check.reason] ?? 'your session has ended; sign in again');
    }
    return next();
  };
}

/** A key's sites, never wider than its owner's sites now. */
function narrowSites(owner: Sites, key: Sites): Sites {
  if (owner === 'all') return key;
  if (key === 'all') return owner;
  return key.filter((s) => owner.includes(s));
}

/** 401 / 403 answer for a caller with none of `permissions`, or undefined when allowed. */
export function refusal(c: Context<AuthEnv>, ...permissions: [Permission, ...Permission[]]): Response | undefined {
  const p = c.get('principal');
  if (!p) {
    c.header('WWW-Authenticate', 'Bearer realm="telmark"');
    return c.json({ error: c.get('authProblem') ?? 'not signed in' }, 401);
  }
  if (p.kind === 'session' && p.session.enrolOnly) {
    if (ENROLMENT_PATHS.has(c.req.path)) return undefined;
    return c.json({ error: 'finish setting up your second factor first' }, 403);
  }
  if (!permissions.some((x) => p.permissions.has(x))) return c.json({ error: `your roles do not allow this (needs ${permissions.join(' or ')})` }, 403);
  return undefined;
}

/** The route guard every /api route declares: the caller needs one of `permissions`. */
export function requires(...permissions: [Permission, ...Permission[]]): MiddlewareHandler<AuthEnv> {
  return async (c, next) => refusal(c, ...permissions) ?? next();
}

/** Like requires('account') but also lets an enrolment-only session through (for the enrolment routes). */
export const signedIn: MiddlewareHandler<AuthEnv> = async (c, next) => {
  const p = c.get('principal');
  if (p?.kind === 'session' && p.session.enrolOnly && ENROLMENT_PATHS.has(c.req.path)) return next();
  return refusal(c, 'account') ?? next();
};

export function canSeeSite(p: Principal, domain: string): boolean {
  return p.sites === 'all' || p.sites.includes(domain);
}

/**
 * The site a /api/v1/sites/{site}/... route names, if the caller may see it; otherwise a 404 like
 * a site that does not exist (another customer's site name is not confirmed).
 */
export function siteOfRequest(sites: () => Promise<Site[]>): (c: Context<AuthEnv>) => Promise<Site> {
  return async (c) => {
    const domain = normaliseDomain(c.req.param('site') ?? '');
    const site = (await sites()).find((s) => s.domain === domain);
    if (!site || !canSeeSite(c.get('principal')!, site.domain)) throw new AuthError(404, `no site "${domain.slice(0, 253)}" among yours`);
    return site;
  };
}
