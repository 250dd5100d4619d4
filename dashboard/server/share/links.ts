// Shared links: a read-only view of one site's statistics for someone without an account. The
// link carries a random 256-bit token (a bearer secret), of which only the SHA-256 is stored; an
// optional password is hashed like the staff's (argon2id, passwords.ts) and guessed no faster
// than a sign-in (the same throttle). A link is live until it is revoked or its expiry passes.
import { LRUCache } from 'lru-cache';
import type { Store } from '../../../schema/client.ts';
import {
  findSharedLinkByTokenHash,
  getSharedLink,
  listSharedLinks,
  recordSharedLinkUse,
  saveSharedLink,
  sharedLinkUses,
  type SharedLink,
} from '../../../schema/shared-links.ts';
import { AuthError } from '../auth/accounts.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../auth/passwords.ts';
import { LoginThrottle } from '../auth/throttle.ts';
import { newId, newToken, sameDigest, sha256 } from '../auth/tokens.ts';

export type { SharedLink };

/** The form of a link token (newToken(): 32 random bytes, base64url). */
export const SHARE_TOKEN = /^[A-Za-z0-9_-]{43}$/;
/**
 * Live links per site: a site setting, so few. Revoked and expired ones stay listed (one small
 * row each, made by people, not by traffic) and do not count.
 */
export const MAX_LINKS_PER_SITE = 100;
/** A link's last use is written to ClickHouse at most this often (it is a list column, not a log). */
export const USE_WRITE_MS = 60_000;
/**
 * How long a looked-up link is trusted without reading it again. A revocation in this process
 * drops it at once; another dashboard process sees it within this time.
 */
export const LINK_CACHE_MS = 2_000;
/** Bound of both in-memory maps (links looked up, last-use writes): least recently used go first. */
export const MAX_CACHED_LINKS = 10_000;

export interface SharedLinksDeps {
  store: Store;
  now: () => number;
  log: (line: string) => void;
}

export type LinkState = 'live' | 'revoked' | 'expired';

export class SharedLinks {
  /** Links by id (undefined: no such link), with when they were read. Bounded: MAX_CACHED_LINKS, LRU. */
  private readonly cache = new LRUCache<string, { at: number; link: SharedLink | null }>({ max: MAX_CACHED_LINKS });
  /** When each link's last use was last written. Bounded: MAX_CACHED_LINKS, LRU (an evicted link is written again at its next use). */
  private readonly usesWritten = new LRUCache<string, number>({ max: MAX_CACHED_LINKS });
  /** Wrong passwords, per link and per client network, as for sign-ins (bounded there). */
  readonly throttle: LoginThrottle;

  constructor(private readonly deps: SharedLinksDeps) {
    this.throttle = new LoginThrottle(deps.now);
  }

  stateOf(link: SharedLink): LinkState {
    if (link.revokedAt !== null) return 'revoked';
    if (link.expiresAt !== null && this.deps.now() >= link.expiresAt) return 'expired';
    return 'live';
  }

  /**
   * Makes a link; returns it and its token (shown once, never stored or logged). `beforeSave`
   * (the audit row) runs once the input is known to be good, before anything is stored.
   */
  async create(
    site: string,
    input: { label: string; password?: string; expiresAt?: number },
    createdBy: string,
    beforeSave: (link: SharedLink) => Promise<void> = async () => {},
  ): Promise<{ link: SharedLink; token: string }> {
    const now = this.deps.now();
    if (input.expiresAt !== undefined && input.expiresAt <= now) throw new AuthError(400, 'expires_at: must be in the future');
    if (input.password !== undefined) {
      const problem = passwordProblem(input.password, [input.label, site]);
      if (problem) throw new AuthError(400, `password: ${problem}`);
    }
    const existing = await listSharedLinks(this.deps.store, site);
    if (existing.filter((l) => this.stateOf(l) === 'live').length >= MAX_LINKS_PER_SITE) {
      throw new AuthError(409, `a site has at most ${MAX_LINKS_PER_SITE} live shared links; revoke one first`);
    }
    const token = newToken();
    const link: SharedLink = {
      site,
      id: newId('sl'),
      label: input.label,
      tokenHash: sha256(token),
      passwordHash: input.password === undefined ? '' : await hashPassword(input.password),
      createdBy,
      createdAt: now,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
    };
    await beforeSave(link);
    await saveSharedLink(this.deps.store, link);
    this.cache.set(link.id, { at: now, link });
    return { link, token };
  }

  /** Every link of a site with its last use, newest first. */
  async list(site: string): Promise<{ link: SharedLink; lastUsedAt: number | null }[]> {
    const [links, uses] = await Promise.all([listSharedLinks(this.deps.store, site), sharedLinkUses(this.deps.store, site)]);
    return links.reverse().map((link) => ({ link, lastUsedAt: uses.get(link.id) ?? null }));
  }

  /** The link `id` of `site`, as stored (revoked and expired ones included). */
  async find(site: string, id: string): Promise<SharedLink | undefined> {
    const link = await this.byId(id, true);
    return link?.site === site ? link : undefined;
  }

  async revoke(link: SharedLink): Promise<SharedLink> {
    const revoked = { ...link, revokedAt: this.deps.now() };
    await saveSharedLink(this.deps.store, revoked);
    this.cache.set(link.id, { at: this.deps.now(), link: revoked });
    return revoked;
  }

  /** The live link a token opens, or undefined (unknown, revoked or expired: all the same to the caller). */
  async open(token: string): Promise<SharedLink | undefined> {
    if (!SHARE_TOKEN.test(token)) return undefined;
    const hash = sha256(token);
    const found = await findSharedLinkByTokenHash(this.deps.store, hash);
    // The look-up matched on the hash already; comparing again in constant time costs nothing
    // and keeps the rule simple: a secret is only ever compared with sameDigest.
    if (!found || !sameDigest(found.tokenHash, hash)) return undefined;
    const link = await this.byId(found.id, false);
    return link && this.stateOf(link) === 'live' ? link : undefined;
  }

  /** The live link `id` (for requests that carry its cookie), or undefined. */
  async live(id: string): Promise<SharedLink | undefined> {
    const link = await this.byId(id, false);
    return link && this.stateOf(link) === 'live' ? link : undefined;
  }

  /** Checks a link's password, throttled per link and per client network like sign-ins. */
  async checkPassword(link: SharedLink, password: string, network: string): Promise<boolean> {
    const key = `share:${link.id}`;
    const wait = this.throttle.retryAfter(key, network);
    if (wait > 0) throw new AuthError(429, `too many wrong passwords; try again in ${wait} seconds`, wait);
    const ok = await verifyPassword(link.passwordHash || undefined, password);
    if (ok) this.throttle.succeeded(key);
    else this.throttle.failed(key, network);
    return ok;
  }

  /** Notes a use of the link; written at most once a minute per link (USE_WRITE_MS), never awaited. */
  used(link: SharedLink): void {
    const now = this.deps.now();
    const last = this.usesWritten.get(link.id);
    if (last !== undefined && now - last < USE_WRITE_MS) return;
    this.usesWritten.set(link.id, now);
    recordSharedLinkUse(this.deps.store, link.site, link.id, now).catch((err) => this.deps.log(`share: could not record a link's last use (${err instanceof Error ? err.name : 'error'})`));
  }

  private async byId(id: string, fresh: boolean): Promise<SharedLink | undefined> {
    const now = this.deps.now();
    const cached = this.cache.get(id);
    if (!fresh && cached && now - cached.at < LINK_CACHE_MS && now >= cached.at) return cached.link ?? undefined;
    const link = await getSharedLink(this.deps.store, id);
    this.cache.set(id, { at: now, link: link ?? null });
    return link;
  }
}
