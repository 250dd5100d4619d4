// Typed client for a site's funnels: the contract of dashboard/server/funnels/routes.ts (README,
// "Funnels"). Listing them and their numbers needs `stats:read` (every reader of the site).
import type { DateRange } from './api.ts';
import { request } from './http.ts';

export interface Funnel {
  id: string;
  name: string;
  steps: Array<{ step: number; goal_id: string; goal: string }>;
  created_at: string;
  counting_since: string;
}

export interface FunnelStep {
  step: number;
  goal: string;
  /** null: fewer visitors than the privacy threshold reached it (and what it would reveal is null too). */
  visitors: number | null;
  dropoff: number | null;
  conversion_rate_from_first: number | null;
  conversion_rate_from_previous: number | null;
}

export interface FunnelStats {
  funnel: Funnel;
  date_range: [string, string];
  steps: FunnelStep[];
  counting_since: string;
  note?: string;
}

const base = (site: string) => `api/v1/sites/${encodeURIComponent(site)}/funnels`;

export const listFunnels = (site: string, signal?: AbortSignal) => request<{ funnels: Funnel[] }>(base(site), { signal });

/** The funnel's visitors per step in a range (a preset, or from–to), of the visitors who came from `campaign` at step 1 (all with ''). */
export function funnelStats(site: string, id: string, range: DateRange, campaign: string, signal?: AbortSignal) {
  const query = new URLSearchParams(typeof range === 'string' ? { date_range: range } : { from: range[0], to: range[1] });
  if (campaign) query.set('utm_campaign', campaign);
  return request<FunnelStats>(`${base(site)}/${encodeURIComponent(id)}/stats?${query}`, { signal });
}
