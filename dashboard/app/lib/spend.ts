// Typed client for a site's imported ad spend: the contract of dashboard/server/spend/routes.ts
// (README, "Ad spend"). Importing needs `site-settings:write` (admins and marketers, their sites).
import { request } from './http.ts';

/** What an import covers and changes (the same for a dry run, which stores nothing). */
export interface SpendImportSummary {
  rows: number;
  new_rows: number;
  replaced_rows: number;
  days: number;
  from?: string;
  to?: string;
  campaigns: number;
  /** Per currency, amounts as exact decimals ("38.84"). */
  spend: Array<{ currency: string; amount: string }>;
  dry_run?: boolean;
}

const base = (site: string) => `api/v1/sites/${encodeURIComponent(site)}/ad-spend`;

/** Imports a CSV file's text (all or nothing); `dryRun` only says what it would change. */
export const importSpendCsv = (site: string, csv: string, dryRun: boolean) =>
  request<SpendImportSummary>(`${base(site)}${dryRun ? '?dry_run=true' : ''}`, { method: 'POST', raw: { text: csv, type: 'text/csv' } });
