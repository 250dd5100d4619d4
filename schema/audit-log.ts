// The audit log: one row per use of the security API (collector admin listener, dashboard proxy),
// per sign-in, sign-out and account change (dashboard/server/auth),
// and per data-subject request, written before the action it records.
import { createHmac } from 'node:crypto';
import { parseIp, truncateAddress, type TruncationPrefixes } from '../collector/ip/truncate.ts';
import { generatedSecret } from './api-keys.ts';
import type { Store } from './client.ts';
import { AUDIT_LOG_TABLE } from './cubes.ts';
import { ConfigError, optionalStr, type Env } from './env.ts';

export const AUDIT_HASH_KEY_FILE = 'audit-hash-key';
export const MIN_AUDIT_HASH_KEY_LENGTH = 32;

/** Which door the request came through. */
export type AuditVia = 'collector-admin' | 'dashboard' | 'privacy-api' | 'cli';

export interface AuditEntry {
  /**
   * keyId(key) of the API key used, 'session' for a signed-in user, 'visitor' for a data-subject
   * request, 'none' when no credential was valid.
   */
  keyId: string;
  /** e.g. 'abuse.ip.get', 'privacy.me.erase'. */
  action: string;
  /** The address the action is about, any spelling; stored truncated and as a keyed hash only. */
  ip?: string;
  outcome: string;
  status: number;
  /** The signed-in user who acted (opaque id), or who owns the API key used. */
  userId?: string;
  /** For changes to accounts: the user acted upon (opaque id). */
  subjectId?: string;
  /** What changed, in words without personal data (role and site names, counts). */
  detail?: string;
}

/**
 * AUDIT_HASH_KEY (at least 32 characters), or, when unset, a key generated on first start and kept
 * in DATA_DIR/audit-hash-key (mode 600). Services that audit the same addresses (every collector
 * and the dashboard) need the same key for their hashes to match: in server mode, set it.
 */
export function loadAuditHashKey(env: Env, dataDir: string): { key: string; generated: boolean } {
  const set = optionalStr(env, 'AUDIT_HASH_KEY');
  if (set !== undefined) {
    if (set.length < MIN_AUDIT_HASH_KEY_LENGTH) {
      throw new ConfigError('AUDIT_HASH_KEY', `a secret of at least ${MIN_AUDIT_HASH_KEY_LENGTH} characters`, `${set.slice(0, 3)}…`);
    }
    return { key: set, generated: false };
  }
  return { key: generatedSecret(dataDir, AUDIT_HASH_KEY_FILE, 32, 'AUDIT_HASH_KEY', MIN_AUDIT_HASH_KEY_LENGTH), generated: true };
}

export interface AuditLogOptions {
  /** HMAC key for ip_hash (AUDIT_HASH_KEY). */
  hashKey: string;
  via: AuditVia;
  /** The collector's truncation (IPV4_PREFIX / IPV6_PREFIX); /24 and /48 when omitted. */
  prefixes?: TruncationPrefixes;
  now?: () => number;
}

/**
 * The network of an address as the collector truncates it (/24, /48 by default), or '' when `ip`
 * is not an address. The dashboard's sign-in throttle counts failures per network with it.
 */
export function truncatedNetwork(ip: string | undefined, prefixes?: TruncationPrefixes): string {
  const addr = ip === undefined ? null : parseIp(ip);
  return addr ? truncateAddress(addr, prefixes) : '';
}

/** The stored form of an address: truncated, and a keyed hash of the whole. Empty when `ip` is not an address. */
export function auditAddress(ip: string | undefined, hashKey: string, prefixes?: TruncationPrefixes): { ip_truncated: string; ip_hash: string } {
  const addr = ip === undefined ? null : parseIp(ip);
  // Text that is not an address (a malformed API path) is not stored at all: it could still be
  // an address in some spelling we do not parse.
  if (!addr) return { ip_truncated: '', ip_hash: '' };
  return {
    ip_truncated: truncateAddress(addr, prefixes),
    // The canonical text (IPv6 compressed, IPv4-mapped as IPv4), so every spelling hashes alike.
    ip_hash: createHmac('sha256', hashKey).update(addr.toString()).digest('hex').slice(0, 32),
  };
}

/**
 * Writes audit rows to `{db}.audit_log`. A row never holds a full IP: `ip_truncated` is the
 * address cut like the collector cuts it, `ip_hash` the first 32 hex digits of
 * HMAC-SHA256(AUDIT_HASH_KEY, address), so entries about one address can be found together.
 *
 * Whoever holds this key and reads audit_log can recover an address from its /24 + hash by trying
 * 256 candidates, so keep the key away from ClickHouse readers. (For IPv6 the /48 leaves 80 bits
 * to guess, but addresses in use are far from random; treat the key as just as sensitive.)
 */
export class AuditLog {
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly opts: AuditLogOptions,
  ) {
    if (opts.hashKey.length < MIN_AUDIT_HASH_KEY_LENGTH) throw new Error(`the audit hash key needs at least ${MIN_AUDIT_HASH_KEY_LENGTH} characters`);
    this.now = opts.now ?? Date.now;
  }

  /**
   * Inserts one row now and resolves once ClickHouse has it; callers await it before acting and
   * refuse to act when it rejects. On a ClickHouse server, async_insert with wait_for_async_insert
   * puts concurrent rows into one part (many single-row parts would strain merges) while still
   * answering only once the row is written. Embedded chDB inserts plainly: one process, few
   * rows, and the row is readable the moment the insert returns (which tests rely on).
   */
  async write(entry: AuditEntry): Promise<void> {
    const ts = new Date(this.now()).toISOString().replace('T', ' ').replace('Z', '');
    await this.store.client.insert({
      table: this.store.table(AUDIT_LOG_TABLE),
      values: [
        {
          ts,
          via: this.opts.via,
          key_id: entry.keyId,
          user_id: entry.userId ?? '',
          subject_id: entry.subjectId ?? '',
          action: entry.action,
          ...auditAddress(entry.ip, this.opts.hashKey, this.opts.prefixes),
          outcome: entry.outcome,
          status: entry.status,
          detail: entry.detail ?? '',
        },
      ],
      format: 'JSONEachRow',
      clickhouse_settings: this.store.mode === 'server' ? { async_insert: 1, wait_for_async_insert: 1 } : {},
    });
  }
}
