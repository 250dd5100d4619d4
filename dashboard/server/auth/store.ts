// Accounts, login sessions and API keys in ClickHouse (both modes: one store to back up).
// ReplacingMergeTree rows with a version: every change inserts the whole row again, reads take
// the latest with FINAL (these tables hold hundreds of rows, so FINAL costs nothing), and
// deleting an account removes every version of its rows with a synchronous ALTER ... DELETE.
//
// A short read cache (CACHE_MS, 2 s; LRU of 10,000 users / sessions / keys) keeps a page load's
// dozen requests from reading the same row a dozen times. Writes through this store update it at
// once, so in one process (embedded mode) a role change or a disabled account counts on the very
// next request; another dashboard process sees it within CACHE_MS.
import { LRUCache } from 'lru-cache';
import type { Store } from '../../../schema/client.ts';
import { API_KEYS_TABLE, LOGIN_SESSIONS_TABLE, USERS_TABLE } from '../../../schema/cubes.ts';
import { isKeyScope, isRole, type KeyScope, type Role } from './roles.ts';
import { fromChTime as fromCh, nextRowVersion as nextVersion, toChTime as toCh } from '../../../schema/settings-rows.ts';

export const CACHE_MS = 2_000;
const CACHE_MAX = 10_000;

export type Sites = 'all' | string[];

export interface UserRecord {
  id: string;
  email: string;
  passwordHash: string;
  roles: Role[];
  sites: Sites;
  enabled: boolean;
  /** Sealed (SecretBox) base32 secret, '' when none. */
  totpSecret: string;
  totpEnabled: boolean;
  /** Sealed secret being set up, '' when none; becomes totpSecret when a code from it is confirmed. */
  totpPending: string;
  totpLastStep: number;
  recoveryCodes: string[];
  inviteHash: string;
  inviteExpiresAt: number;
  createdAt: number;
  lastLoginAt: number | null;
}

export interface SessionRecord {
  id: string;
  tokenHash: string;
  userId: string;
  mfa: boolean;
  enrolOnly: boolean;
  device: string;
  createdAt: number;
  lastSeenAt: number;
  ended: boolean;
}

export interface ApiKeyRecord {
  id: string;
  userId: string;
  name: string;
  secretHash: string;
  scopes: KeyScope[];
  sites: Sites;
  createdAt: number;
  lastUsedAt: number | null;
  revoked: boolean;
}

type Cached<T> = { at: number; value: T | undefined };



const sitesToRow = (sites: Sites) => ({ all_sites: sites === 'all' ? 1 : 0, sites: sites === 'all' ? [] : sites });
const sitesFromRow = (all: unknown, sites: string[]): Sites => (Number(all) === 1 ? 'all' : sites);

export class AccountStore {
  private readonly users = new LRUCache<string, Cached<UserRecord>>({ max: CACHE_MAX });
  private readonly sessions = new LRUCache<string, Cached<SessionRecord>>({ max: CACHE_MAX });
  private readonly keys = new LRUCache<string, Cached<ApiKeyRecord>>({ max: CACHE_MAX });

  constructor(
    readonly store: Store,
    private readonly clock: () => number = Date.now,
  ) {}

  private async select<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const rs = await this.store.client.query({ query, query_params: params, format: 'JSONEachRow' });
    return rs.json<T>();
  }

  private async insert(table: string, row: Record<string, unknown>): Promise<void> {
    await this.store.client.insert({ table: this.store.table(table), values: [{ ...row, version: nextVersion() }], format: 'JSONEachRow' });
  }

  private fresh<T>(entry: Cached<T> | undefined): boolean {
    return entry !== undefined && this.clock() - entry.at < CACHE_MS && this.clock() >= entry.at;
  }

  // ---- users

  async userCount(): Promise<number> {
    const [row] = await this.select<{ n: string }>(`SELECT count() AS n FROM ${this.store.table(USERS_TABLE)} FINAL`);
    return Number(row?.n ?? 0);
  }

  async getUser(id: string): Promise<UserRecord | undefined> {
    const cached = this.users.get(id);
    if (this.fresh(cached)) return cached!.value;
    const [row] = await this.select<UserRow>(`SELECT * FROM ${this.store.table(USERS_TABLE)} FINAL WHERE id = {id:String}`, { id });
    const user = row ? userFromRow(row) : undefined;
    this.users.set(id, { at: this.clock(), value: user });
    return user;
  }

  /** By email, case-insensitively (emails are stored lower-cased). */
  async findUserByEmail(email: string): Promise<UserRecord | undefined> {
    const [row] = await this.select<UserRow>(`SELECT * FROM ${this.store.table(USERS_TABLE)} FINAL WHERE email = {email:String} LIMIT 1`, {
      email: normaliseEmail(email),
    });
    return row ? userFromRow(row) : undefined;
  }

  async findUserByInvite(inviteHash: string): Promise<UserRecord | undefined> {
    if (!inviteHash) return undefined;
    const [row] = await this.select<UserRow>(`SELECT * FROM ${this.store.table(USERS_TABLE)} FINAL WHERE invite_hash = {h:String} LIMIT 1`, { h: inviteHash });
    return row ? userFromRow(row) : undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.select<UserRow>(`SELECT * FROM ${this.store.table(USERS_TABLE)} FINAL ORDER BY created_at, id`);
    return rows.map(userFromRow);
  }

  async saveUser(user: UserRecord): Promise<void> {
    await this.insert(USERS_TABLE, {
      id: user.id,
      email: normaliseEmail(user.email),
      password_hash: user.passwordHash,
      roles: user.roles,
      ...sitesToRow(user.sites),
      enabled: user.enabled ? 1 : 0,
      totp_secret: user.totpSecret,
      totp_enabled: user.totpEnabled ? 1 : 0,
      totp_pending: user.totpPending,
      totp_last_step: user.totpLastStep,
      recovery_codes: user.recoveryCodes,
      invite_hash: user.inviteHash,
      invite_expires_at: toCh(user.inviteExpiresAt),
      created_at: toCh(user.createdAt),
      last_login_at: user.lastLoginAt === null ? null : toCh(user.lastLoginAt),
    });
    this.users.set(user.id, { at: this.clock(), value: user });
  }

  /**
   * Removes the account and everything it owns: every version of its user row (email, password
   * hash, TOTP secret, recovery codes), its sessions and its keys. Synchronous mutations, so the
   * rows are gone from every read when this returns.
   */
  async deleteUser(id: string): Promise<void> {
    for (const table of [USERS_TABLE, LOGIN_SESSIONS_TABLE, API_KEYS_TABLE]) {
      const column = table === USERS_TABLE ? 'id' : 'user_id';
      await this.store.client.command({
        query: `ALTER TABLE ${this.store.table(table)} DELETE WHERE ${column} = {id:String}`,
        query_params: { id },
        clickhouse_settings: { mutations_sync: '2' },
      });
    }
    this.users.delete(id);
    for (const [k, v] of this.sessions.entries()) if (v.value?.userId === id) this.sessions.delete(k);
    for (const [k, v] of this.keys.entries()) if (v.value?.userId === id) this.keys.delete(k);
  }

  // ---- login sessions

  async getSession(tokenHash: string): Promise<SessionRecord | undefined> {
    const cached = this.sessions.get(tokenHash);
    if (this.fresh(cached)) return cached!.value;
    const [row] = await this.select<SessionRow>(`SELECT * FROM ${this.store.table(LOGIN_SESSIONS_TABLE)} FINAL WHERE token_hash = {h:String} LIMIT 1`, {
      h: tokenHash,
    });
    const session = row ? sessionFromRow(row) : undefined;
    // A last-seen time this process knows and has not yet written wins over the stored one.
    if (session && cached?.value && cached.value.id === session.id) session.lastSeenAt = Math.max(session.lastSeenAt, cached.value.lastSeenAt);
    this.sessions.set(tokenHash, { at: this.clock(), value: session });
    return session;
  }

  async listSessions(userId: string): Promise<SessionRecord[]> {
    const rows = await this.select<SessionRow>(
      `SELECT * FROM ${this.store.table(LOGIN_SESSIONS_TABLE)} FINAL WHERE user_id = {u:String} AND ended = 0 ORDER BY created_at DESC`,
      { u: userId },
    );
    return rows.map((r) => {
      const s = sessionFromRow(r);
      const known = this.sessions.get(s.tokenHash)?.value;
      if (known) s.lastSeenAt = Math.max(s.lastSeenAt, known.lastSeenAt);
      return s;
    });
  }

  async saveSession(session: SessionRecord): Promise<void> {
    await this.insert(LOGIN_SESSIONS_TABLE, {
      id: session.id,
      token_hash: session.tokenHash,
      user_id: session.userId,
      mfa: session.mfa ? 1 : 0,
      enrol_only: session.enrolOnly ? 1 : 0,
      device: session.device,
      created_at: toCh(session.createdAt),
      last_seen_at: toCh(session.lastSeenAt),
      ended: session.ended ? 1 : 0,
    });
    this.sessions.set(session.tokenHash, { at: this.clock(), value: session });
  }

  /** Remembers a newer last-seen time in the cache only (written later by the session manager). */
  touchSession(session: SessionRecord): void {
    const cached = this.sessions.get(session.tokenHash);
    if (cached?.value) cached.value.lastSeenAt = Math.max(cached.value.lastSeenAt, session.lastSeenAt);
  }

  // ---- API keys

  async getKey(id: string): Promise<ApiKeyRecord | undefined> {
    const cached = this.keys.get(id);
    if (this.fresh(cached)) return cached!.value;
    const [row] = await this.select<KeyRow>(`SELECT * FROM ${this.store.table(API_KEYS_TABLE)} FINAL WHERE id = {id:String}`, { id });
    const key = row ? keyFromRow(row) : undefined;
    if (key && cached?.value) key.lastUsedAt = Math.max(key.lastUsedAt ?? 0, cached.value.lastUsedAt ?? 0) || null;
    this.keys.set(id, { at: this.clock(), value: key });
    return key;
  }

  async listKeys(userId: string): Promise<ApiKeyRecord[]> {
    const rows = await this.select<KeyRow>(
      `SELECT * FROM ${this.store.table(API_KEYS_TABLE)} FINAL WHERE user_id = {u:String} AND revoked = 0 ORDER BY created_at DESC`,
      { u: userId },
    );
    return rows.map(keyFromRow);
  }

  async saveKey(key: ApiKeyRecord): Promise<void> {
    await this.insert(API_KEYS_TABLE, {
      id: key.id,
      user_id: key.userId,
      name: key.name,
      secret_hash: key.secretHash,
      scopes: key.scopes,
      ...sitesToRow(key.sites),
      created_at: toCh(key.createdAt),
      last_used_at: key.lastUsedAt === null ? null : toCh(key.lastUsedAt),
      revoked: key.revoked ? 1 : 0,
    });
    this.keys.set(key.id, { at: this.clock(), value: key });
  }
}

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  roles: string[];
  all_sites: number | string;
  sites: string[];
  enabled: number | string;
  totp_secret: string;
  totp_enabled: number | string;
  totp_pending: string;
  totp_last_step: number | string;
  recovery_codes: string[];
  invite_hash: string;
  invite_expires_at: string;
  created_at: string;
  last_login_at: string | null;
}

function userFromRow(r: UserRow): UserRecord {
  return {
    id: r.id,
    email: r.email,
    passwordHash: r.password_hash,
    roles: r.roles.filter(isRole),
    sites: sitesFromRow(r.all_sites, r.sites),
    enabled: Number(r.enabled) === 1,
    totpSecret: r.totp_secret,
    totpEnabled: Number(r.totp_enabled) === 1,
    totpPending: r.totp_pending,
    totpLastStep: Number(r.totp_last_step),
    recoveryCodes: r.recovery_codes,
    inviteHash: r.invite_hash,
    inviteExpiresAt: fromCh(r.invite_expires_at),
    createdAt: fromCh(r.created_at),
    lastLoginAt: r.last_login_at === null ? null : fromCh(r.last_login_at),
  };
}

interface SessionRow {
  id: string;
  token_hash: string;
  user_id: string;
  mfa: number | string;
  enrol_only: number | string;
  device: string;
  created_at: string;
  last_seen_at: string;
  ended: number | string;
}

function sessionFromRow(r: SessionRow): SessionRecord {
  return {
    id: r.id,
    tokenHash: r.token_hash,
    userId: r.user_id,
    mfa: Number(r.mfa) === 1,
    enrolOnly: Number(r.enrol_only) === 1,
    device: r.device,
    createdAt: fromCh(r.created_at),
    lastSeenAt: fromCh(r.last_seen_at),
    ended: Number(r.ended) === 1,
  };
}

interface KeyRow {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  scopes: string[];
  all_sites: number | string;
  sites: string[];
  created_at: string;
  last_used_at: string | null;
  revoked: number | string;
}

function keyFromRow(r: KeyRow): ApiKeyRecord {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    secretHash: r.secret_hash,
    scopes: r.scopes.filter(isKeyScope),
    sites: sitesFromRow(r.all_sites, r.sites),
    createdAt: fromCh(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : fromCh(r.last_used_at),
    revoked: Number(r.revoked) === 1,
  };
}
