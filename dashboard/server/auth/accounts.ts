// What people can do with accounts, independent of HTTP: sign in (password, then TOTP), the
// first admin's setup link, invitations, user changes, API keys, export and deletion. The routes
// (routes.ts, users-routes.ts) and the CLI (scripts/users.ts) both call this, and every act
// that the issue names is audited here, before it is carried out.
import { LRUCache } from 'lru-cache';
import type { AuditEntry } from '../../../schema/audit-log.ts';
import { normaliseDomain } from '../../../schema/sites.ts';
import { hashPassword, passwordProblem, prepareDummyHash, verifyPassword } from './passwords.ts';
import { KEY_SCOPES, permissionsOf, requiresTotp, ROLES, type KeyScope, type LifetimeSettings, type Permission, type Role } from './roles.ts';
import type { SecretBox } from './secret-box.ts';
import { SessionManager } from './sessions.ts';
import { AccountStore, normaliseEmail, type ApiKeyRecord, type SessionRecord, type Sites, type UserRecord } from './store.ts';
import { LoginThrottle } from './throttle.ts';
import { newId, newToken, sameDigest, sha256 } from './tokens.ts';
import { acceptTotp, hashRecoveryCode, looksLikeRecoveryCode, matchRecoveryCode, newRecoveryCodes, newTotpSecret, otpauthUri } from './totp.ts';

export const SETUP_LINK_MS = 60 * 60_000;
export const INVITE_MS = 7 * 24 * 60 * 60_000;
/** How often a key's last-used time is written at most (like a session's last request). */
const KEY_TOUCH_WRITE_MS = 60_000;

/** A refusal with the HTTP status and the sentence the person sees. */
export class AuthError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

export const WRONG_CREDENTIALS = 'wrong email or password';
export const AUDIT_DOWN = 'audit log unavailable; nothing was done';

/**
 * Writes an audit row before the act it records; an act that cannot be audited is refused with
 * 503 (looking at or changing accounts and settings without a trace must never happen).
 */
export async function auditOrRefuse(audit: (entry: AuditEntry) => Promise<void>, entry: AuditEntry, log: (line: string) => void): Promise<void> {
  try {
    await audit(entry);
  } catch (err) {
    log(`audit log unavailable (${err instanceof Error ? err.name : 'error'}); refused ${entry.action}`);
    throw new AuthError(503, AUDIT_DOWN);
  }
}

/**
 * Runs the tasks given to it one at a time, in order: creations that check a unique value (an
 * email, a goal's name) and then write it must not interleave within the process.
 */
export function oneAtATime(): <T>(task: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return (task) => {
    const run = last.then(task);
    last = run.catch(() => {});
    return run;
  };
}

/** Who is acting, for the audit log: a signed-in user, or the operator at the CLI. */
export interface Actor {
  userId: string;
  keyId: string;
}

/** Where a sign-in comes from: the client's full address (audited truncated and hashed only) and its network. */
export interface ClientInfo {
  ip?: string;
  network: string;
  device: string;
}

export type LoginResult =
  | { kind: 'signed-in'; user: UserRecord; token: string; session: SessionRecord }
  | { kind: 'totp-setup'; user: UserRecord; token: string; session: SessionRecord; otpauthUri: string };

export interface AccountsDeps {
  accounts: AccountStore;
  box: SecretBox;
  lifetimes: LifetimeSettings;
  audit: (entry: AuditEntry) => Promise<void>;
  now: () => number;
  log: (line: string) => void;
}

export class Accounts {
  readonly store: AccountStore;
  readonly sessions: SessionManager;
  readonly throttle: LoginThrottle;
  readonly now: () => number;
  private setup?: { hash: string; expiresAt: number };
  /** When each key's last use was last written (bounded like the session manager's). */
  private readonly keyWritten = new LRUCache<string, number>({ max: 10_000 });
  /** Account creations run one at a time, so two at once cannot both take one email. */
  private readonly creating = oneAtATime();

  constructor(private readonly deps: AccountsDeps) {
    this.store = deps.accounts;
    this.now = deps.now;
    this.sessions = new SessionManager(deps.accounts, deps.lifetimes, deps.now, deps.log);
    this.throttle = new LoginThrottle(deps.now);
    prepareDummyHash();
  }

  /** Writes the audit row first; an act that cannot be audited is refused (503). */
  private audit(entry: AuditEntry): Promise<void> {
    return auditOrRefuse(this.deps.audit, entry, (line) => this.deps.log(`auth: ${line}`));
  }

  // ---- first admin

  /** A one-time setup token (valid one hour) while no user exists; undefined once one does. */
  async newSetupToken(): Promise<string | undefined> {
    if ((await this.store.userCount()) > 0) return undefined;
    const token = newToken();
    this.setup = { hash: sha256(token), expiresAt: this.now() + SETUP_LINK_MS };
    return token;
  }

  async setupRequired(): Promise<boolean> {
    return (await this.store.userCount()) === 0;
  }

  /**
   * Link tokens (setup, invitations) cannot be guessed (256 bits), but wrong ones are throttled
   * per network like failed sign-ins, so that nobody can fill the audit log with refusals.
   */
  private refuseIfThrottled(link: string, client: ClientInfo): void {
    const wait = this.throttle.retryAfter(link, client.network);
    if (wait > 0) throw new AuthError(429, `too many invalid links; try again in ${wait} seconds`, wait);
  }

  /** Creates the first admin from the setup link's token. */
  async completeSetup(token: string, email: string, password: string, client: ClientInfo): Promise<UserRecord> {
    this.refuseIfThrottled('setup-link', client);
    const s = this.setup;
    const valid = s !== undefined && this.now() < s.expiresAt && sameDigest(sha256(token), s.hash);
    if (!valid || (await this.store.userCount()) > 0) {
      this.throttle.failed('setup-link', client.network);
      await this.audit({ keyId: 'setup-link', action: 'auth.setup', ip: client.ip, outcome: 'invalid_token', status: 403 });
      throw new AuthError(403, 'this setup link is not valid (it works once, for one hour, while no account exists); restart telmark for a new one');
    }
    const user = await this.createUser({ email, password, roles: ['admin'], sites: 'all' }, { userId: '', keyId: 'setup-link' });
    this.setup = undefined;
    return user;
  }

  // ---- users

  /**
   * Creates a user, with a password (CLI, setup) or as an invitation (no password yet: the
   * returned token goes into a one-time link). Refuses a taken email and a weak password.
   */
  createUser(input: { email: string; password?: string; roles: Role[]; sites: Sites }, actor: Actor): Promise<UserRecord & { inviteToken?: string }> {
    return this.creating(() => this.createUserNow(input, actor));
  }

  private async createUserNow(
    input: { email: string; password?: string; roles: Role[]; sites: Sites },
    actor: Actor,
  ): Promise<UserRecord & { inviteToken?: string }> {
    const email = checkEmail(input.email);
    checkRoles(input.roles);
    const sites = checkSites(input.sites);
    if (await this.store.findUserByEmail(email)) throw new AuthError(409, 'a user with this email exists already');
    let passwordHash = '';
    if (input.password !== undefined) {
      const problem = passwordProblem(input.password, [email]);
      if (problem) throw new AuthError(400, problem);
      passwordHash = await hashPassword(input.password);
    }
    const inviteToken = input.password === undefined ? newToken() : undefined;
    const now = this.now();
    const user: UserRecord = {
      id: newId('u'),
      email,
      passwordHash,
      roles: [...new Set(input.roles)],
      sites,
      enabled: true,
      totpSecret: '',
      totpEnabled: false,
      totpPending: '',
      totpLastStep: 0,
      recoveryCodes: [],
      inviteHash: inviteToken ? sha256(inviteToken) : '',
      inviteExpiresAt: inviteToken ? now + INVITE_MS : 0,
      createdAt: now,
      lastLoginAt: null,
    };
    await this.audit({ ...actor, action: inviteToken ? 'user.invite' : 'user.create', subjectId: user.id, outcome: 'ok', status: 201, detail: describeAccess(user) });
    await this.store.saveUser(user);
    return inviteToken ? { ...user, inviteToken } : user;
  }

  async acceptInvite(token: string, password: string, client: ClientInfo): Promise<UserRecord> {
    this.refuseIfThrottled('invite-link', client);
    const user = typeof token === 'string' && token.length >= 32 ? await this.store.findUserByInvite(sha256(token)) : undefined;
    if (!user || !user.inviteHash || this.now() >= user.inviteExpiresAt) {
      this.throttle.failed('invite-link', client.network);
      await this.audit({ keyId: 'invite-link', action: 'auth.invite.accept', ip: client.ip, outcome: 'invalid_token', status: 403 });
      throw new AuthError(403, 'this invitation is not valid (it works once and ends after 7 days); ask an admin for a new one');
    }
    const problem = passwordProblem(password, [user.email]);
    if (problem) throw new AuthError(400, problem);
    await this.audit({ keyId: 'invite-link', userId: user.id, action: 'auth.invite.accept', ip: client.ip, outcome: 'ok', status: 200 });
    const updated = { ...user, passwordHash: await hashPassword(password), inviteHash: '', inviteExpiresAt: 0 };
    await this.store.saveUser(updated);
    return updated;
  }

  async updateUser(id: string, change: { roles?: Role[]; sites?: Sites; enabled?: boolean; resetTotp?: boolean }, actor: Actor): Promise<UserRecord> {
    const user = await this.requireUser(id);
    const next: UserRecord = { ...user };
    const said: string[] = [];
    if (change.roles !== undefined) {
      checkRoles(change.roles);
      next.roles = [...new Set(change.roles)];
      said.push(`roles: ${user.roles.join(',') || '-'} -> ${next.roles.join(',') || '-'}`);
    }
    if (change.sites !== undefined) {
      next.sites = checkSites(change.sites);
      said.push(`sites: ${sitesText(user.sites)} -> ${sitesText(next.sites)}`);
    }
    if (change.enabled !== undefined) {
      next.enabled = change.enabled;
      said.push(change.enabled ? 'enabled' : 'disabled');
    }
    if (change.resetTotp) {
      Object.assign(next, { totpSecret: '', totpEnabled: false, totpPending: '', totpLastStep: 0, recoveryCodes: [] });
      said.push('second factor reset');
    }
    if (id === actor.userId && (!next.roles.includes('admin') || !next.enabled)) {
      throw new AuthError(400, 'you cannot remove your own admin role or disable yourself (another admin can)');
    }
    if (isActiveAdmin(user) && !isActiveAdmin(next)) await this.keepAnAdmin(id);
    if (said.length === 0) throw new AuthError(400, 'nothing to change: give roles, sites, enabled or reset_totp');
    await this.audit({ ...actor, action: 'user.update', subjectId: id, outcome: 'ok', status: 200, detail: said.join('; ') });
    await this.store.saveUser(next);
    // Disabling ends the sessions (checks refuse them at once anyway, since the user is read per request).
    if (change.enabled === false || change.resetTotp) await this.sessions.endAll(id);
    return next;
  }

  /** Removes the account and all its personal data; audit rows keep only the opaque id. */
  async deleteUser(id: string, actor: Actor): Promise<void> {
    const user = await this.requireUser(id);
    if (isActiveAdmin(user)) await this.keepAnAdmin(id);
    await this.audit({ ...actor, action: id === actor.userId ? 'account.delete' : 'user.delete', subjectId: id, outcome: 'ok', status: 200 });
    await this.store.deleteUser(id);
  }

  /** The person closes their own account (password asked again). */
  async deleteOwnAccount(user: UserRecord, password: string, actor: Actor): Promise<void> {
    await this.requirePassword(user, password);
    await this.deleteUser(user.id, actor);
  }

  async endSessionsOf(id: string, actor: Actor): Promise<number> {
    await this.requireUser(id);
    await this.audit({ ...actor, action: 'user.sessions.end', subjectId: id, outcome: 'ok', status: 200 });
    return this.sessions.endAll(id);
  }

  /** Refuses a change that would leave no enabled admin (nobody could then manage users). */
  private async keepAnAdmin(leavingId: string): Promise<void> {
    const others = (await this.store.listUsers()).filter((u) => u.id !== leavingId && isActiveAdmin(u));
    if (others.length === 0) throw new AuthError(409, 'this is the last enabled admin: make someone else an admin first');
  }

  async requireUser(id: string): Promise<UserRecord> {
    const user = await this.store.getUser(id);
    if (!user) throw new AuthError(404, 'no such user');
    return user;
  }

  // ---- signing in

  async login(input: { email: string; password: string; totp?: string }, client: ClientInfo): Promise<LoginResult> {
    const account = normaliseEmail(input.email);
    const wait = this.throttle.retryAfter(account, client.network);
    if (wait > 0) throw new AuthError(429, `too many failed sign-ins; try again in ${wait} seconds`, wait);

    const user = await this.store.findUserByEmail(account);
    // Always one argon2 verification, against a dummy hash for unknown emails and pending invites.
    const passwordOk = await verifyPassword(user?.passwordHash, input.password);
    const base = { keyId: 'session', action: 'auth.login', ip: client.ip, userId: user?.id ?? '' };
    if (!user || !passwordOk || !user.enabled) {
      this.throttle.failed(account, client.network);
      await this.audit({ ...base, outcome: !user ? 'unknown_account' : !passwordOk ? 'wrong_password' : 'disabled', status: 401 });
      throw new AuthError(401, WRONG_CREDENTIALS);
    }

    if (user.totpEnabled) {
      const code = (input.totp ?? '').trim();
      if (!code) {
        await this.audit({ ...base, outcome: 'totp_required', status: 401 });
        throw new AuthError(401, 'totp required');
      }
      const next = { ...user };
      let outcome = 'ok';
      if (looksLikeRecoveryCode(code)) {
        const i = matchRecoveryCode(user.recoveryCodes, code);
        if (i >= 0) {
          next.recoveryCodes = user.recoveryCodes.filter((_, j) => j !== i);
          outcome = 'ok_recovery_code';
        } else outcome = 'wrong_recovery_code';
      } else {
        const secret = this.deps.box.open(user.totpSecret);
        const step = secret ? acceptTotp(secret, code, this.now(), user.totpLastStep) : null;
        if (step !== null) next.totpLastStep = step;
        else outcome = 'wrong_totp';
      }
      if (!outcome.startsWith('ok')) {
        this.throttle.failed(account, client.network);
        await this.audit({ ...base, outcome, status: 401 });
        throw new AuthError(401, WRONG_CREDENTIALS);
      }
      return this.signIn(next, client, { ...base, outcome }, true);
    }

    if (requiresTotp(user.roles)) {
      // First sign-in of someone whose role needs a second factor: a session that may only enrol.
      const secret = newTotpSecret();
      const next = { ...user, totpPending: this.deps.box.seal(secret) };
      await this.audit({ ...base, outcome: 'totp_setup_required', status: 200 });
      this.throttle.succeeded(account);
      await this.store.saveUser(next);
      const { token, session } = await this.sessions.create(next, { mfa: false, enrolOnly: true, device: client.device });
      return { kind: 'totp-setup', user: next, token, session, otpauthUri: otpauthUri(secret, user.email) };
    }
    return this.signIn(user, client, { ...base, outcome: 'ok' }, false);
  }

  private async signIn(user: UserRecord, client: ClientInfo, entry: Omit<AuditEntry, 'status'>, mfa: boolean): Promise<LoginResult> {
    await this.audit({ ...entry, status: 200 });
    this.throttle.succeeded(normaliseEmail(user.email));
    const next = { ...user, lastLoginAt: this.now() };
    await this.store.saveUser(next);
    const { token, session } = await this.sessions.create(next, { mfa, enrolOnly: false, device: client.device });
    return { kind: 'signed-in', user: next, token, session };
  }

  /**
   * Confirms the second factor being set up with a first code from it: it becomes the user's
   * second factor (replacing an older one when they moved to a new phone), with ten new recovery
   * codes, and the session is replaced by a full one (a new token for the new privilege).
   */
  async confirmTotp(user: UserRecord, session: SessionRecord, code: string, client: ClientInfo): Promise<{ recoveryCodes: string[]; user: UserRecord; token: string; session: SessionRecord }> {
    const secret = user.totpPending ? this.deps.box.open(user.totpPending) : null;
    if (!secret) throw new AuthError(400, 'no second factor is being set up: start with POST /api/auth/totp/setup, or sign in again');
    const step = acceptTotp(secret, String(code ?? ''), this.now(), 0);
    const base = { keyId: 'session', userId: user.id, action: user.totpEnabled ? 'auth.totp.move' : 'auth.totp.enrol', ip: client.ip };
    if (step === null) {
      await this.audit({ ...base, outcome: 'wrong_code', status: 400 });
      throw new AuthError(400, 'wrong code: type the 6 digits your app shows now');
    }
    const codes = newRecoveryCodes();
    await this.audit({ ...base, outcome: 'ok', status: 200 });
    const next: UserRecord = {
      ...user,
      totpSecret: user.totpPending,
      totpPending: '',
      totpEnabled: true,
      totpLastStep: step,
      recoveryCodes: codes.map(hashRecoveryCode),
      lastLoginAt: session.enrolOnly ? this.now() : user.lastLoginAt,
    };
    await this.store.saveUser(next);
    await this.sessions.end(session);
    const fresh = await this.sessions.create(next, { mfa: true, enrolOnly: false, device: client.device });
    return { recoveryCodes: codes, user: next, ...fresh };
  }

  /** The otpauth URI of a second factor being set up (not yet confirmed), or undefined. */
  pendingOtpauthUri(user: UserRecord): string | undefined {
    const secret = user.totpPending ? this.deps.box.open(user.totpPending) : null;
    return secret ? otpauthUri(secret, user.email) : undefined;
  }

  /**
   * Starts setting up a second factor after the password again: a first one (roles that do not
   * require it), or a move to a new phone (the current one keeps working until the new one is
   * confirmed).
   */
  async startTotp(user: UserRecord, password: string): Promise<string> {
    await this.requirePassword(user, password);
    const secret = newTotpSecret();
    await this.store.saveUser({ ...user, totpPending: this.deps.box.seal(secret) });
    return otpauthUri(secret, user.email);
  }

  async disableTotp(user: UserRecord, password: string, client: ClientInfo): Promise<void> {
    await this.requirePassword(user, password);
    if (requiresTotp(user.roles)) throw new AuthError(400, `your roles (${user.roles.join(', ')}) require a second factor`);
    await this.audit({ keyId: 'session', userId: user.id, action: 'auth.totp.disable', ip: client.ip, outcome: 'ok', status: 200 });
    await this.store.saveUser({ ...user, totpSecret: '', totpPending: '', totpEnabled: false, recoveryCodes: [] });
  }

  async newRecoveryCodes(user: UserRecord, password: string, client: ClientInfo): Promise<string[]> {
    await this.requirePassword(user, password);
    if (!user.totpEnabled) throw new AuthError(400, 'set up a second factor first');
    const codes = newRecoveryCodes();
    await this.audit({ keyId: 'session', userId: user.id, action: 'auth.recovery_codes.new', ip: client.ip, outcome: 'ok', status: 200 });
    await this.store.saveUser({ ...user, recoveryCodes: codes.map(hashRecoveryCode) });
    return codes;
  }

  /** Changes the password and ends every other session of the user. */
  async changePassword(user: UserRecord, session: SessionRecord | undefined, current: string, next: string, client: ClientInfo): Promise<number> {
    await this.requirePassword(user, current);
    const problem = passwordProblem(next, [user.email]);
    if (problem) throw new AuthError(400, problem);
    await this.audit({ keyId: 'session', userId: user.id, action: 'auth.password.change', ip: client.ip, outcome: 'ok', status: 200 });
    await this.store.saveUser({ ...user, passwordHash: await hashPassword(next) });
    return this.sessions.endAll(user.id, session?.id);
  }

  /** The operator's reset from the CLI (no current password); ends every session. */
  async resetPassword(id: string, password: string, actor: Actor): Promise<void> {
    const user = await this.requireUser(id);
    const problem = passwordProblem(password, [user.email]);
    if (problem) throw new AuthError(400, problem);
    await this.audit({ ...actor, action: 'user.password.reset', subjectId: id, outcome: 'ok', status: 200 });
    await this.store.saveUser({ ...user, passwordHash: await hashPassword(password), inviteHash: '', inviteExpiresAt: 0 });
    await this.sessions.endAll(id);
  }

  private async requirePassword(user: UserRecord, password: unknown): Promise<void> {
    if (typeof password !== 'string' || !(await verifyPassword(user.passwordHash, password))) throw new AuthError(400, 'your current password is wrong');
  }

  async logout(user: UserRecord, session: SessionRecord, client: ClientInfo): Promise<void> {
    await this.audit({ keyId: 'session', userId: user.id, action: 'auth.logout', ip: client.ip, outcome: 'ok', status: 200 });
    await this.sessions.end(session);
  }

  async endOwnSession(user: UserRecord, sessionId: string): Promise<void> {
    const target = (await this.store.listSessions(user.id)).find((s) => s.id === sessionId);
    if (!target) throw new AuthError(404, 'no such session');
    await this.audit({ keyId: 'session', userId: user.id, action: 'auth.session.end', outcome: 'ok', status: 200 });
    await this.sessions.end(target);
  }

  // ---- API keys

  /** A new key for `user`; the secret is returned once and stored as its SHA-256. */
  async createKey(user: UserRecord, input: { name: string; scopes: KeyScope[]; sites: Sites }, actor: Actor): Promise<{ key: ApiKeyRecord; secret: string }> {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name || name.length > 100) throw new AuthError(400, 'name: 1 to 100 characters that say what the key is for');
    const scopes = [...new Set(input.scopes)];
    if (scopes.length === 0) throw new AuthError(400, `scopes: one or more of ${Object.keys(KEY_SCOPES).join(', ')}`);
    const granted = permissionsOf(user.roles);
    const wider = scopes.find((s) => !granted.has(KEY_SCOPES[s]));
    if (wider) throw new AuthError(403, `scope "${wider}" is wider than your roles (${user.roles.join(', ') || 'none'})`);
    const sites = checkSites(input.sites);
    if (user.sites !== 'all' && (sites === 'all' || sites.some((s) => !(user.sites as string[]).includes(s)))) {
      throw new AuthError(403, 'sites: a key may only cover sites you can see');
    }
    const id = newId('k').slice(2);
    const secret = newToken();
    const key: ApiKeyRecord = { id, userId: user.id, name, secretHash: sha256(secret), scopes, sites, createdAt: this.now(), lastUsedAt: null, revoked: false };
    await this.audit({ ...actor, action: 'key.create', subjectId: user.id, outcome: 'ok', status: 201, detail: `key ${id}: ${scopes.join(',')} on ${sitesText(sites)}` });
    await this.store.saveKey(key);
    return { key, secret: `tmk_${id}_${secret}` };
  }

  async revokeKey(user: UserRecord, id: string, actor: Actor): Promise<void> {
    const key = await this.store.getKey(id);
    if (!key || key.revoked || key.userId !== user.id) throw new AuthError(404, 'no such key');
    await this.audit({ ...actor, action: 'key.revoke', subjectId: user.id, outcome: 'ok', status: 200, detail: `key ${id}` });
    await this.store.saveKey({ ...key, revoked: true });
  }

  /**
   * The key and its owner for a presented `tmk_<id>_<secret>`, or undefined. The secret's hash is
   * compared in constant time; a key works only while its owner is enabled, and only as far as
   * the owner's roles reach now.
   */
  async resolveKey(text: string): Promise<{ key: ApiKeyRecord; user: UserRecord; permissions: Set<Permission> } | undefined> {
    const m = /^tmk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(text);
    if (!m) return undefined;
    const key = await this.store.getKey(m[1]!);
    if (!key || key.revoked || !sameDigest(sha256(m[2]!), key.secretHash)) return undefined;
    const user = await this.store.getUser(key.userId);
    if (!user || !user.enabled) return undefined;
    const granted = permissionsOf(user.roles);
    const permissions = new Set(key.scopes.map((s) => KEY_SCOPES[s]).filter((p) => granted.has(p)));
    const now = this.now();
    key.lastUsedAt = now;
    if (now - (this.keyWritten.get(key.id) ?? 0) >= KEY_TOUCH_WRITE_MS) {
      this.keyWritten.set(key.id, now);
      this.store.saveKey({ ...key }).catch(() => this.deps.log('auth: could not record a key\'s last use'));
    }
    return { key, user, permissions };
  }

  // ---- the person's own data

  /** Everything the account holds about its person, as JSON (no hashes, no secrets). */
  async exportAccount(user: UserRecord): Promise<Record<string, unknown>> {
    const [sessions, keys] = await Promise.all([this.store.listSessions(user.id), this.store.listKeys(user.id)]);
    return {
      exported_at: iso(this.now()),
      account: publicUser(user),
      second_factor: { enabled: user.totpEnabled, recovery_codes_left: user.recoveryCodes.length },
      sessions: sessions.map((s) => publicSession(s)),
      api_keys: keys.map(publicKey),
      note: 'Passwords, TOTP secrets, recovery codes, session tokens and key secrets are stored only as hashes or sealed, and are not part of this export. The audit log refers to you by your id alone.',
    };
  }
}

// ---- shapes the API returns

const iso = (ms: number) => new Date(ms).toISOString();

export function publicUser(u: UserRecord, opts: { admin?: boolean } = {}) {
  return {
    id: u.id,
    email: u.email,
    roles: u.roles,
    sites: u.sites,
    enabled: u.enabled,
    totp_enabled: u.totpEnabled,
    created_at: iso(u.createdAt),
    last_login_at: u.lastLoginAt === null ? null : iso(u.lastLoginAt),
    ...(opts.admin ? { invite_pending: u.inviteHash !== '' && !u.passwordHash } : {}),
  };
}

export function publicSession(s: SessionRecord, opts: { currentId?: string; expiresAt?: number } = {}) {
  return {
    id: s.id,
    device: s.device,
    created_at: iso(s.createdAt),
    last_seen_at: iso(s.lastSeenAt),
    ...(opts.expiresAt !== undefined ? { expires_at: iso(opts.expiresAt) } : {}),
    current: s.id === opts.currentId,
  };
}

export function publicKey(k: ApiKeyRecord) {
  return { id: k.id, name: k.name, scopes: k.scopes, sites: k.sites, created_at: iso(k.createdAt), last_used_at: k.lastUsedAt === null ? null : iso(k.lastUsedAt) };
}

// ---- input checks

function isActiveAdmin(u: UserRecord): boolean {
  return u.enabled && u.roles.includes('admin') && u.passwordHash !== '';
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{1,63}$/;

function checkEmail(email: unknown): string {
  if (typeof email !== 'string' || !EMAIL.test(email.trim()) || email.length > 320) throw new AuthError(400, 'email: an address such as name@example.com');
  return normaliseEmail(email);
}

function checkRoles(roles: unknown): asserts roles is Role[] {
  if (!Array.isArray(roles) || roles.length === 0 || roles.some((r) => typeof r !== 'string' || !Object.hasOwn(ROLES, r))) {
    throw new AuthError(400, `roles: one or more of ${Object.keys(ROLES).join(', ')}`);
  }
}

function checkSites(sites: unknown): Sites {
  if (sites === 'all') return 'all';
  if (!Array.isArray(sites) || sites.length > 1000 || sites.some((s) => typeof s !== 'string' || !/^[a-z0-9.-]{1,253}$/i.test(s.trim()))) {
    throw new AuthError(400, 'sites: "all" or a list of domains such as ["example.com"]');
  }
  return [...new Set(sites.map((s: string) => normaliseDomain(s)))];
}

const sitesText = (s: Sites) => (s === 'all' ? 'all sites' : s.join(',') || 'no site');

function describeAccess(u: UserRecord): string {
  return `roles: ${u.roles.join(',')}; sites: ${sitesText(u.sites)}`;
}
