// The security API: the abuse buffer's full addresses for security staff, behind their own keys.
// Mounted by the collector's admin listener at /admin, and by the dashboard at /api/security over
// the in-process buffer or fanned out to the collectors (dashboard/server/security/remote.ts).
// Every call is audited before its answer leaves, and an audit log that cannot be written stops
// the call: looking at or erasing someone's address without a trace is what this API must never allow.
import type { AuditEntry as SchemaAuditEntry } from '../../../schema/audit-log.ts';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { parseIpParam } from '../address.ts';
import type { AbuseOperations } from '../types.ts';
import { bearerToken, keyMatcher } from './auth.ts';
import { CollectorsUnavailable, PageTooDeep, type CollectorError, type EraseReport } from './errors.ts';
import { keyId } from './key-id.ts';

export type SecurityAction = 'abuse.flagged' | 'abuse.ip.get' | 'abuse.ip.erase' | 'abuse.summary';

/**
 * schema/audit-log.ts's entry, narrowed to this API's actions. Outcomes: ok | erased | not_held |
 * bad_request | unauthorized | forbidden | collectors_unavailable | error; keyId 'none' when no
 * valid key was given; ip only on authorised calls that name a valid address.
 */
export type AuditEntry = SchemaAuditEntry & { action: SecurityAction };

export interface SecurityRoutesDeps {
  /** In-process buffer (localAbuseOperations) or RemoteAbuseOperations over COLLECTOR_ADMIN_URLS. */
  operations: AbuseOperations & { eraseDetailed?: (ip: string) => Promise<EraseReport> };
  securityApiKeys: string[];
  /** Recognised only to tell their holders why they are refused (403 instead of 401). */
  statsApiKeys: string[];
  audit?: (entry: AuditEntry) => Promise<void> | void;
  /** Operational lines (never an address). */
  log?: (line: string) => void;
  /**
   * Who may call, when the caller is more than a key: the dashboard passes signed-in users
   * (security role, second factor passed) and users' own keys through here. Default: the
   * security keys above, and a stats key refused with 403.
   */
  authorize?: (c: Context) => Authorization | Promise<Authorization>;
}

/** The answer of an authorize hook: the caller's audit identity, or why they are refused. */
export type Authorization =
  | { ok: true; keyId: string; userId?: string }
  | { ok: false; status: 401 | 403; error: string; keyId: string; userId?: string };

type Env = { Variables: { keyId: string; userId?: string } };
type Status = 200 | 400 | 401 | 403 | 404 | 500 | 502 | 503;

const AUDIT_DOWN = 'audit log unavailable; the call was not carried out';
/** Largest `limit` of a flagged page (the dashboard's fan-out asks each collector for at most this). */
export const MAX_LIMIT = 500;
const MAX_PAGE = 100_000;

export function securityRoutes(deps: SecurityRoutesDeps): Hono<Env> {
  const ops = deps.operations;
  const log = deps.log ?? (() => {});
  const isSecurityKey = keyMatcher(deps.securityApiKeys);
  const isStatsKey = keyMatcher(deps.statsApiKeys);
  const app = new Hono<Env>();

  /** Writes the entry; false (and a log line) when the audit log refused it. */
  const audited = async (entry: AuditEntry): Promise<boolean> => {
    if (!deps.audit) return true;
    try {
      await deps.audit(entry);
      return true;
    } catch (err) {
      log(`security API: audit log unavailable (${err instanceof Error ? err.name : 'error'}); refused ${entry.action}`);
      return false;
    }
  };

  /** Audits the call's outcome, then answers with it (or 503 if it could not be audited). */
  const answer = async (c: Context<Env>, entry: AuditEntry, body: unknown): Promise<Response> => {
    if (!(await audited(entry))) return c.json({ error: AUDIT_DOWN }, 503);
    return c.json(body, entry.status as Status);
  };

  /** An operation that threw, as an audited answer. Messages here never carry an address. */
  const failure = (c: Context<Env>, who: Omit<AuditEntry, 'outcome' | 'status'>, err: unknown): Promise<Response> => {
    if (err instanceof CollectorsUnavailable) {
      log(`security API: ${who.action}: ${err.message}`);
      const body: { error: string; errors: CollectorError[] } = { error: err.message, errors: err.errors };
      return answer(c, { ...who, outcome: 'collectors_unavailable', status: 502 }, body);
    }
    if (err instanceof PageTooDeep) return answer(c, { ...who, outcome: 'bad_request', status: 400 }, { error: err.message });
    log(`security API: ${who.action} failed (${err instanceof Error ? err.name : 'error'})`);
    return answer(c, { ...who, outcome: 'error', status: 500 }, { error: 'internal error' });
  };

  /**
   * Security keys only. Refusals are audited too (without the address: an unauthenticated caller
   * should not be able to write addresses into the audit log), but an audit failure does not
   * change them: nothing was going to be done anyway.
   */
  const byKey = (c: Context): Authorization => {
    const header = c.req.header('authorization');
    const key = bearerToken(header);
    if (key !== undefined && isSecurityKey(key)) return { ok: true, keyId: keyId(key) };
    if (key !== undefined && isStatsKey(key)) return { ok: false, status: 403, keyId: keyId(key), error: 'this key may read statistics but not use the security API' };
    const error =
      header === undefined
        ? 'missing Authorization: Bearer <security API key>'
        : key === undefined
          ? 'Authorization header must be "Bearer <security API key>"'
          : 'invalid security API key';
    return { ok: false, status: 401, keyId: 'none', error };
  };
  const authorize = deps.authorize ?? byKey;

  /**
   * Security keys (or the dashboard's signed-in security staff) only. Refusals are audited too
   * (without the address: an unauthenticated caller should not be able to write addresses into
   * the audit log), but an audit failure does not change them: nothing was going to be done anyway.
   */
  const guard = (action: SecurityAction): MiddlewareHandler<Env> => async (c, next) => {
    const verdict = await authorize(c);
    if (verdict.ok) {
      c.set('keyId', verdict.keyId);
      c.set('userId', verdict.userId);
      return next();
    }
    await audited({ keyId: verdict.keyId, userId: verdict.userId, action, outcome: verdict.status === 403 ? 'forbidden' : 'unauthorized', status: verdict.status });
    if (verdict.status === 401) c.header('WWW-Authenticate', 'Bearer realm="telmark security API"');
    return c.json({ error: verdict.error }, verdict.status);
  };

  // Full addresses must not linger in browser or proxy caches.
  app.use('*', async (c, next) => {
    await next();
    c.res.headers.set('cache-control', 'no-store');
  });

  app.get('/abuse/flagged', guard('abuse.flagged'), async (c) => {
    const who = { keyId: c.get('keyId'), userId: c.get('userId'), action: 'abuse.flagged' as const };
    const page = wholeNumber(c.req.query('page'), 'page', 1, MAX_PAGE);
    const limit = wholeNumber(c.req.query('limit'), 'limit', 50, MAX_LIMIT);
    for (const v of [page, limit]) if (typeof v === 'string') return answer(c, { ...who, outcome: 'bad_request', status: 400 }, { error: v });
    let result: unknown;
    try {
      result = await ops.flagged(page as number, limit as number);
    } catch (err) {
      return failure(c, who, err);
    }
    return answer(c, { ...who, outcome: 'ok', status: 200 }, result);
  });

  /**
   * The :ip routes' common first half: the address from the path and what is held about it, or the
   * audited answer that ends the call (400 malformed, 404 not held, or the lookup's failure).
   */
  const lookUp = async (c: Context<Env>, action: 'abuse.ip.get' | 'abuse.ip.erase'): Promise<Response | { who: Omit<AuditEntry, 'outcome' | 'status'> & { ip: string }; record: unknown }> => {
    const base = { keyId: c.get('keyId'), userId: c.get('userId'), action };
    const ip = parseIpParam(c.req.param('ip')!);
    if (ip === null) return answer(c, { ...base, outcome: 'bad_request', status: 400 }, { error: badIpMessage(c.req.param('ip')!) });
    const who = { ...base, ip };
    let record: unknown;
    try {
      record = await ops.get(ip);
    } catch (err) {
      return failure(c, who, err);
    }
    if (record === undefined) return answer(c, { ...who, outcome: 'not_held', status: 404 }, { error: 'not held' });
    return { who, record };
  };

  app.get('/abuse/ips/:ip', guard('abuse.ip.get'), async (c) => {
    const found = await lookUp(c, 'abuse.ip.get');
    if (found instanceof Response) return found;
    return answer(c, { ...found.who, outcome: 'ok', status: 200 }, found.record);
  });

  app.delete('/abuse/ips/:ip', guard('abuse.ip.erase'), async (c) => {
    // The outcome is decided before anything is erased, so it can be audited first: an erase
    // the audit log refused must not have happened.
    const found = await lookUp(c, 'abuse.ip.erase');
    if (found instanceof Response) return found;
    const { who } = found;
    if (!(await audited({ ...who, outcome: 'erased', status: 200 }))) return c.json({ error: AUDIT_DOWN }, 503);
    let report: EraseReport;
    try {
      report = ops.eraseDetailed ? await ops.eraseDetailed(who.ip) : { erased: await ops.erase(who.ip) };
    } catch (err) {
      // Already audited as erased; the answer says what really happened.
      log(`security API: abuse.ip.erase was audited but failed (${err instanceof Error ? err.name : 'error'})`);
      if (err instanceof CollectorsUnavailable) return c.json({ error: err.message, errors: err.errors }, 502);
      return c.json({ error: 'internal error' }, 500);
    }
    // Not erased after all: the entry ended by itself between the check and the erase.
    if (!report.erased) return c.json({ error: 'not held' }, 404);
    return c.json(report, 200);
  });

  app.get('/abuse/summary', guard('abuse.summary'), async (c) => {
    const who = { keyId: c.get('keyId'), userId: c.get('userId'), action: 'abuse.summary' as const };
    let summary: unknown;
    try {
      summary = await ops.summary();
    } catch (err) {
      return failure(c, who, err);
    }
    return answer(c, { ...who, outcome: 'ok', status: 200 }, summary);
  });

  app.onError((err, c) => {
    log(`security API: ${c.req.method} failed (${err.name})`);
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}

/** A query parameter as a whole number in [1, max], or the error naming it. */
function wholeNumber(text: string | undefined, name: string, fallback: number, max: number): number | string {
  if (text === undefined || text === '') return fallback;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  return n >= 1 && n <= max ? n : `${name} must be a whole number from 1 to ${max}`;
}

/**
 * The malformed path parameter, quoted back when it cannot hold an address: "203.0.113.7:80" or
 * "2001:db8::1/64" are refused, but their text contains a full address, so they are not echoed.
 */
function badIpMessage(raw: string): string {
  const looksLikeAddress = /\d{1,3}(\.\d{1,3}){3}/.test(raw) || /:.*:/.test(raw);
  return raw.length <= 64 && !looksLikeAddress ? `${JSON.stringify(raw)} is not an IP address` : 'the address in the path is not an IP address';
}
