// Data-subject requests on the public collector: a visitor asks what is held about their own IP
// address (GET /api/privacy/me) and has it erased (DELETE /api/privacy/me). The address is the
// request's own, resolved exactly as for a beacon, so nobody can ask about anyone else's.
import { Hono, type Context } from 'hono';
import type { AuditEntry } from '../../schema/audit-log.ts';
import { errorLine } from '../../schema/errors.ts';
import { addressKey } from '../abuse/address.ts';
import type { AbuseBuffer } from '../abuse/buffer.ts';
import { resolveClientIp, type TrustedProxies } from '../ip/client-ip.ts';
import { NetworkRateLimiter } from './rate-limit.ts';
import type { PrivacyStatement } from './statement.ts';

export interface PrivacyRoutesDeps {
  /** The abuse buffer; undefined when ABUSE_MAX_IPS=0 (then nothing is ever held). */
  abuse?: Pick<AbuseBuffer, 'get' | 'erase' | 'nearLimit'>;
  trustedProxies: TrustedProxies;
  /** The socket peer's address (as for beacons). */
  peerAddress: (c: Context) => string | undefined;
  /** Writes one audit row; rejects when it cannot (then nothing is done: 503). */
  audit: (entry: AuditEntry) => Promise<void>;
  /** PRIVACY_REQUESTS_PER_MIN, per /24 or /48. */
  requestsPerMin: number;
  statement: PrivacyStatement;
  log: (line: string) => void;
  now?: () => number;
}

const MESSAGES = {
  held:
    'This collector holds the record below about your IP address, in memory only, to detect abuse; it is not ' +
    'used for analytics. It ends by itself at expires_at (later if requests keep coming from the address); ' +
    'DELETE /api/privacy/me erases it now. Everyone sharing your address (an office, a mobile network) shares this record.',
  notHeld: 'This collector holds nothing about your IP address right now.',
  off: 'This collector keeps no IP addresses at all (its abuse buffer is off).',
  flagged:
    'This address is flagged for abuse, so its record is kept to protect the service (a legitimate security ' +
    'interest) and cannot be erased now. It ends by itself at expires_at if the address stays quiet; ask again then.',
  watched:
    'Requests from this address are close to the abuse limits, so its record is kept for now (erasing it would ' +
    'reset the counts that protect the service). Ask again in a few minutes, or it ends by itself at expires_at.',
  auditFailed: 'the request could not be recorded in the audit log, so nothing was done; retry shortly',
};

/**
 * GET and DELETE /me (mounted at /api/privacy). Looking yourself up never creates a record.
 * Every answered call is audited first (via 'privacy-api', key 'visitor'); a call that cannot be
 * audited is not performed (503). Calls refused by the rate limit are not audited: a flood would
 * otherwise turn into a flood of audit rows. The address is never logged.
 */
export function privacyRoutes(deps: PrivacyRoutesDeps): Hono {
  const now = deps.now ?? Date.now;
  const limiter = new NetworkRateLimiter(deps.requestsPerMin, now);
  const app = new Hono();

  // No CORS, on purpose: the address works like a cookie here, so a page on another origin that
  // could read the answer would learn which of this collector's sites its visitor used in the last
  // hour, and could erase the record. Visitors open the URL (or the collector's /privacy page)
  // themselves; a cross-origin DELETE fails its preflight.
  app.use('*', async (c, next) => {
    c.header('cache-control', 'no-store');
    await next();
  });

  /** The caller's address as the buffer keys it, or an answer when it cannot be served. */
  const caller = (c: Context): { key: string } | { response: Response } => {
    const addr = resolveClientIp(deps.peerAddress(c), { get: (name) => c.req.header(name) ?? null }, deps.trustedProxies);
    if (!addr) return { response: c.json({ error: 'could not tell which IP address this request came from' }, 400) };
    const wait = limiter.take(addr);
    if (wait !== undefined) {
      c.header('retry-after', String(wait));
      return { response: c.json({ error: `too many privacy requests from this network; retry after ${wait} s` }, 429) };
    }
    return { key: addressKey(addr) };
  };

  /** Audits before acting; false (and the 503 is the caller's to send) when the row could not be written. */
  const audited = async (entry: AuditEntry): Promise<boolean> => {
    try {
      await deps.audit(entry);
      return true;
    } catch (err) {
      // The error is ClickHouse's about a row that holds no full address; still, only its first line.
      deps.log(`privacy api: audit log write failed, request refused: ${errorLine(err)}`);
      return false;
    }
  };
  const unavailable = (c: Context) => c.json({ error: MESSAGES.auditFailed }, 503);

  app.get('/me', async (c) => {
    const who = caller(c);
    if ('response' in who) return who.response;
    // get() reads; only beacons create entries.
    const record = deps.abuse?.get(who.key);
    if (!(await audited({ keyId: 'visitor', action: 'privacy.me.get', ip: who.key, outcome: record ? 'held' : 'not-held', status: 200 }))) {
      return unavailable(c);
    }
    return c.json({
      held: record !== undefined,
      ...(record ? { record } : {}),
      message: record ? MESSAGES.held : deps.abuse ? MESSAGES.notHeld : MESSAGES.off,
      statement: deps.statement,
    });
  });

  app.delete('/me', async (c) => {
    const who = caller(c);
    if ('response' in who) return who.response;
    const action = 'privacy.me.erase';
    const refuseFlagged = (flag: { reason: string; rule: string }, expiresAt: string) =>
      c.json({ error: MESSAGES.flagged, reason: flag.reason, rule: flag.rule, expires_at: expiresAt }, 409);

    const record = deps.abuse?.get(who.key);
    if (!record) {
      if (!(await audited({ keyId: 'visitor', action, ip: who.key, outcome: 'not-held', status: 200 }))) return unavailable(c);
      return c.json({ erased: false, message: 'nothing held' });
    }
    if (record.flag) {
      if (!(await audited({ keyId: 'visitor', action, ip: who.key, outcome: 'refused-flagged', status: 409 }))) return unavailable(c);
      return refuseFlagged(record.flag, record.expires_at);
    }
    const watched = deps.abuse?.nearLimit(who.key);
    if (watched) {
      if (!(await audited({ keyId: 'visitor', action, ip: who.key, outcome: 'refused-watched', status: 409 }))) return unavailable(c);
      return c.json({ error: MESSAGES.watched, reason: watched.reason, rule: watched.rule, expires_at: record.expires_at }, 409);
    }
    if (!(await audited({ keyId: 'visitor', action, ip: who.key, outcome: 'erased', status: 200 }))) return unavailable(c);
    // The address may have been flagged while the audit row was written: look again before erasing.
    const current = deps.abuse?.get(who.key);
    if (current?.flag) {
      void audited({ keyId: 'visitor', action, ip: who.key, outcome: 'refused-flagged', status: 409 });
      return refuseFlagged(current.flag, current.expires_at);
    }
    deps.abuse?.erase(who.key);
    return c.json({ erased: true });
  });

  return app;
}
