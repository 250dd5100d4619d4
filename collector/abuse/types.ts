// The abuse buffer's public shapes: what the security API, the data-subject endpoints and the
// dashboard proxy see. Times are ISO-8601 strings (UTC) in records, milliseconds inside.

/** Detection rules; each has a threshold (ABUSE_LIMIT_*) and is off when its threshold is 0. */
export type AbuseRule = 'events_10s' | 'events_1m' | 'events_10m' | 'invalid_1m' | 'sites_1m' | 'bot_1m';
export const ABUSE_RULES: readonly AbuseRule[] = ['events_10s', 'events_1m', 'events_10m', 'invalid_1m', 'sites_1m', 'bot_1m'];

export type AbuseThresholds = Record<AbuseRule, number>;

export interface AbuseFlag {
  rule: AbuseRule;
  /** A sentence for people: which count passed which threshold. */
  reason: string;
  /** ms since epoch. */
  at: number;
}

/** Everything held about one full IP address. Only the security API and the address's own DSR see it. */
export interface AbuseRecord {
  ip: string;
  first_seen: string;
  last_seen: string;
  /** When the entry (and its flag) ends by itself if the address stays quiet. */
  expires_at: string;
  /** Sliding-window estimates (weighted current + previous fixed window), and the total since first seen. */
  events: { last_10s: number; last_1m: number; last_10m: number; total: number };
  invalid_requests: { last_1m: number; total: number };
  /** Domains named in its beacons (registered sites or not), most recent first, at most 12. */
  sites: string[];
  sites_last_1m: number;
  /** Bot user agents seen: counts and the signals that caught them (never the user-agent string). */
  bot_user_agents: { last_1m: number; total: number; signals: string[] };
  flag: { rule: AbuseRule; reason: string; flagged_at: string } | null;
}

export interface AbuseSummary {
  held: number;
  flagged: number;
  max_ips: number;
  /** Estimated bytes used by the buffer now (entries, index, free capacity). */
  memory_bytes: number;
  /** Age of the oldest held entry (since first seen), seconds; 0 when empty. */
  oldest_entry_age_s: number;
  ttl_s: number;
  max_age_s: number;
  evicted_total: number;
  expired_total: number;
  erased_total: number;
  thresholds: AbuseThresholds;
}

export interface FlaggedPage {
  results: AbuseRecord[];
  meta: { page: number; limit: number; total: number };
}

/**
 * The operations the security API offers, whether the buffer is in this process (embedded mode)
 * or behind collectors' admin listeners (fan-out). `ip` is any spelling ipaddr.js accepts; callers
 * validate it first (see parseIpParam).
 */
export interface AbuseOperations {
  flagged(page: number, limit: number): FlaggedPage | Promise<FlaggedPage>;
  get(ip: string): AbuseRecord | undefined | Promise<AbuseRecord | undefined>;
  erase(ip: string): boolean | Promise<boolean>;
  summary(): AbuseSummary | Promise<AbuseSummary>;
}
