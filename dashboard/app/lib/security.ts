// Typed calls for the security API (the abuse buffer's full addresses). The shapes follow
// collector/abuse/types.ts; the optional fields are what the dashboard adds when it asks several
// collectors (COLLECTOR_ADMIN_URLS) and merges their answers (dashboard/server/security/remote.ts).
import { request } from './http.ts';

export type AbuseRule = 'events_10s' | 'events_1m' | 'events_10m' | 'invalid_1m' | 'sites_1m' | 'bot_1m';

export interface AbuseRecord {
  ip: string;
  first_seen: string;
  last_seen: string;
  expires_at: string;
  events: { last_10s: number; last_1m: number; last_10m: number; total: number };
  invalid_requests: { last_1m: number; total: number };
  sites: string[];
  sites_last_1m: number;
  bot_user_agents: { last_1m: number; total: number; signals: string[] };
  flag: { rule: AbuseRule; reason: string; flagged_at: string } | null;
}

export interface CollectorError {
  collector: string;
  error: string;
}

/** Present when some collectors did not answer: the rest covers only the others. */
export interface PartialAnswer {
  partial?: true;
  errors?: CollectorError[];
}

export interface AbuseSummary extends PartialAnswer {
  held: number;
  flagged: number;
  max_ips: number;
  memory_bytes: number;
  oldest_entry_age_s: number;
  ttl_s: number;
  max_age_s: number;
  evicted_total: number;
  expired_total: number;
  erased_total: number;
  thresholds: Record<AbuseRule, number>;
  collectors?: Array<{ url: string; ok: boolean; error?: string }>;
}

export interface FlaggedPage extends PartialAnswer {
  results: Array<AbuseRecord & { collector?: string }>;
  meta: { page: number; limit: number; total: number };
}

export interface HeldRecord extends AbuseRecord, PartialAnswer {
  collector?: string;
  held_by?: string[];
  records?: Array<AbuseRecord & { collector: string }>;
}

export interface EraseReport extends PartialAnswer {
  erased: boolean;
  erased_by?: string[];
}

/** The address goes in the path, so it is encoded: an IPv6 address carries colons, a typo anything. */
const ipPath = (ip: string) => `api/security/abuse/ips/${encodeURIComponent(ip.trim())}`;

export const summary = (signal?: AbortSignal) => request<AbuseSummary>('api/security/abuse/summary', { signal });
export const flagged = (page: number, limit: number, signal?: AbortSignal) =>
  request<FlaggedPage>(`api/security/abuse/flagged?page=${page}&limit=${limit}`, { signal });
export const lookUp = (ip: string) => request<HeldRecord>(ipPath(ip));
export const erase = (ip: string) => request<EraseReport>(ipPath(ip), { method: 'DELETE' });

/** What each rule counts, for the thresholds table. */
export const RULE_LABELS: Record<AbuseRule, string> = {
  events_10s: 'Events in 10 seconds',
  events_1m: 'Events in a minute',
  events_10m: 'Events in 10 minutes',
  invalid_1m: 'Invalid requests in a minute',
  sites_1m: 'Different sites named in a minute',
  bot_1m: 'Bot user agents in a minute',
};
