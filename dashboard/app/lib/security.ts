// Typed calls for the security API (the abuse buffer's full addresses). The shapes follow
// collector/abuse/types.ts; the optional fields are what the dashboard adds when it asks several
// collectors (COLLECTOR_ADMIN_URLS) and merges their answers (dashboard/server/security/remote.ts).
import type { AbuseRecord, AbuseRule, AbuseSummary as BufferSummary, FlaggedPage as BufferPage } from '../../../collector/abuse/types.ts';
import type { CollectorError, EraseReport, PartialAnswer } from '../../../collector/abuse/api/errors.ts';
import { request } from './http.ts';

// The shapes are the server's own (type-only imports: nothing of the collector is bundled).
export type { AbuseRecord, AbuseRule, CollectorError, EraseReport, PartialAnswer };

export interface AbuseSummary extends BufferSummary, PartialAnswer {
  collectors?: Array<{ url: string; ok: boolean; error?: string }>;
}

export interface FlaggedPage extends BufferPage, PartialAnswer {
  results: Array<AbuseRecord & { collector?: string }>;
}

export interface HeldRecord extends AbuseRecord, PartialAnswer {
  collector?: string;
  held_by?: string[];
  records?: Array<AbuseRecord & { collector: string }>;
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
