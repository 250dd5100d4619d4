// Shared links: managing a site's links (admins and marketers), and the share mode the app runs
// in when it is served under /share/ (someone without an account who opened a link). In share
// mode every relative API call goes to /share/api/..., where the server lets through only what
// the read-only Overview reads.
import { request } from './http.ts';

export interface SharedLink {
  id: string;
  label: string;
  created_by: string | null;
  created_at: string;
  expires_at: string | null;
  password: boolean;
  last_used_at: string | null;
  revoked_at: string | null;
  status: 'live' | 'revoked' | 'expired';
}

export interface NewSharedLink {
  label: string;
  password?: string;
  expires_at?: string;
}

export interface LinkInfo {
  site: string;
  label: string;
  password_required: boolean;
  expires_at: string | null;
}

const base = (site: string) => `api/v1/sites/${encodeURIComponent(site)}/shared-links`;

export const listSharedLinks = (site: string, signal?: AbortSignal) => request<{ links: SharedLink[] }>(base(site), { signal });
export const createSharedLink = (site: string, link: NewSharedLink) =>
  request<{ link: SharedLink; url: string; token: string }>(base(site), { method: 'POST', body: link });
export const revokeSharedLink = (site: string, id: string) =>
  request<{ revoked: true }>(`${base(site)}/${encodeURIComponent(id)}`, { method: 'DELETE', body: {} });

/** The link's address as this browser reaches the dashboard (so also behind a proxy's sub-path). */
export function shareUrl(token: string): string {
  return new URL(`share/${token}`, document.baseURI).href;
}

/** The app was served as a shared link's page (/share/), not the staff's dashboard. */
export function isShareMode(): boolean {
  return /\/share\/$/.test(new URL('.', document.baseURI).pathname);
}

// Share mode: a 401 here means "the password first", not "your session ended".
export const linkInfo = (signal?: AbortSignal) => request<LinkInfo>('api/link', { signal, expectUnauthorized: true });
export const unlock = (password: string) => request<{ ok: true }>('api/password', { method: 'POST', body: { password }, expectUnauthorized: true });
