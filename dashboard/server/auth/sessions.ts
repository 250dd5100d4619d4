// Login sessions (ASVS 5.0 V7): a random 256-bit token in the cookie, only its SHA-256 stored; a
// new token at every sign-in; idle and absolute lifetimes from the user's roles (roles.ts), which
// are looked up on every request, so a role change moves the limits at once.
//
// Sliding renewal without a ClickHouse write per request: the last-seen time is kept in memory
// and written at most once a minute per session (TOUCH_WRITE_MS). After a restart a session is
// judged by the last written time, which is at most a minute old, so it can only end early.
import { LRUCache } from 'lru-cache';
import { lifetimeOf, requiresTotp, type LifetimeSettings } from './roles.ts';
import type { AccountStore, SessionRecord, UserRecord } from './store.ts';
import { newId, newToken, sha256 } from './tokens.ts';

export const TOUCH_WRITE_MS = 60_000;

export type SessionCheck =
  | { ok: true; session: SessionRecord; user: UserRecord }
  | { ok: false; reason: 'unknown' | 'ended' | 'expired' | 'user-gone' | 'disabled' | 'mfa-missing' };

export class SessionManager {
  /** When each session's last-seen time was last written (bounded like the store's cache). */
  private readonly written = new LRUCache<string, number>({ max: 10_000 });

  constructor(
    private readonly accounts: AccountStore,
    private readonly lifetimes: LifetimeSettings,
    private readonly now: () => number,
    private readonly log: (line: string) => void,
  ) {}

  /** Starts a session; returns the token for the cookie (never stored, never logged). */
  async create(user: UserRecord, opts: { mfa: boolean; enrolOnly: boolean; device: string }): Promise<{ token: string; session: SessionRecord }> {
    const token = newToken();
    const at = this.now();
    const session: SessionRecord = {
      id: newId('ses'),
      tokenHash: sha256(token),
      userId: user.id,
      mfa: opts.mfa,
      enrolOnly: opts.enrolOnly,
      device: opts.device,
      createdAt: at,
      lastSeenAt: at,
      ended: false,
    };
    await this.accounts.saveSession(session);
    this.written.set(session.tokenHash, at);
    return { token, session };
  }

  /** When this session ends if its user stays idle, and at the latest. */
  expiry(session: SessionRecord, user: UserRecord): { idleAt: number; maxAt: number; at: number } {
    const life = lifetimeOf(user.roles, this.lifetimes);
    const idleAt = session.lastSeenAt + life.idleMs;
    const maxAt = session.createdAt + life.maxMs;
    return { idleAt, maxAt, at: Math.min(idleAt, maxAt) };
  }

  /** The session of a cookie token, checked against its user as they are now; renews it. */
  async check(token: string): Promise<SessionCheck> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { ok: false, reason: 'unknown' };
    const session = await this.accounts.getSession(sha256(token));
    if (!session) return { ok: false, reason: 'unknown' };
    if (session.ended) return { ok: false, reason: 'ended' };
    const user = await this.accounts.getUser(session.userId);
    if (!user) return { ok: false, reason: 'user-gone' };
    if (!user.enabled) return { ok: false, reason: 'disabled' };
    const now = this.now();
    if (now >= this.expiry(session, user).at) return { ok: false, reason: 'expired' };
    // A role that needs a second factor, given to someone whose session never passed one: the
    // session may still enrol (if they have no TOTP yet) but cannot be a full session.
    // (A copy: the stored session stays as it is, so giving the role back restores it.)
    let view = session;
    if (!session.mfa && !session.enrolOnly && requiresTotp(user.roles)) {
      if (user.totpEnabled) return { ok: false, reason: 'mfa-missing' };
      view = { ...session, enrolOnly: true };
    }
    const storedLastSeen = session.lastSeenAt;
    session.lastSeenAt = now;
    view.lastSeenAt = now;
    this.accounts.touchSession(session);
    const lastWritten = this.written.get(session.tokenHash) ?? storedLastSeen;
    if (now - lastWritten >= TOUCH_WRITE_MS) {
      this.written.set(session.tokenHash, now);
      this.accounts.saveSession({ ...session }).catch((err) => this.log(`auth: could not record a session's last request (${err instanceof Error ? err.name : 'error'})`));
    }
    return { ok: true, session: view, user };
  }

  async end(session: SessionRecord): Promise<void> {
    await this.accounts.saveSession({ ...session, ended: true });
    this.written.delete(session.tokenHash);
  }

  /** Ends every session of a user (but `keepId`); how many ended. */
  async endAll(userId: string, keepId?: string): Promise<number> {
    let n = 0;
    for (const s of await this.accounts.listSessions(userId)) {
      if (s.id === keepId) continue;
      await this.end(s);
      n++;
    }
    return n;
  }

  /** Upgrades an enrolment-only session to a full one (after TOTP confirmation). */
  async promote(session: SessionRecord): Promise<void> {
    await this.accounts.saveSession({ ...session, mfa: true, enrolOnly: false });
    Object.assign(session, { mfa: true, enrolOnly: false });
  }
}
