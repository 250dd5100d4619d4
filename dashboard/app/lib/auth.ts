// Typed calls for accounts, sessions, second factor, API keys and users: the contract in
// dashboard/server/auth/README.md, one function per route, nothing cached here.
import { ApiError, reportSessionEnded, request } from './http.ts';

export type Role = 'admin' | 'marketer' | 'viewer' | 'security';
export const ROLES: readonly Role[] = ['admin', 'marketer', 'viewer', 'security'];
/** Domains the user may see, or every site (those added later included). */
export type Sites = 'all' | string[];
export type Permission = 'users:manage' | 'stats:read' | 'site-settings:write' | 'security:abuse' | 'account';
export type KeyScope = 'stats:read' | 'site-settings' | 'security';

export interface User {
  id: string;
  email: string;
  roles: Role[];
  sites: Sites;
  enabled: boolean;
  totp_enabled: boolean;
  created_at: string;
  last_login_at: string | null;
  invite_pending?: boolean;
}

export interface SessionInfo {
  id: string;
  device: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  current: boolean;
}

export interface ApiKeyInfo {
  id: string;
  name: string;
  scopes: KeyScope[];
  sites: Sites;
  created_at: string;
  last_used_at: string | null;
}

export interface Me {
  user: User;
  permissions: string[];
  totp_setup_required: boolean;
  session: { id: string; expires_at: string };
}

export interface RoleInfo {
  name: Role;
  description: string;
  permissions: string[];
  requires_totp: boolean;
}

export type LoginAnswer =
  | { user: Pick<User, 'id' | 'email' | 'roles' | 'sites'>; totp_setup_required?: undefined }
  | { totp_setup_required: true; otpauth_uri: string; user?: undefined };

const post = <T>(path: string, body: unknown = {}, expectUnauthorized = false) =>
  request<T>(path, { method: 'POST', body, expectUnauthorized });
const del = <T>(path: string, body?: unknown) => request<T>(path, { method: 'DELETE', body });
const seg = encodeURIComponent;

// Signing in. These answer 401 as part of their job, so a 401 here is not "your session ended".
export const setupStatus = () => request<{ setup_required: boolean }>('api/auth/setup', { expectUnauthorized: true });
export const setup = (token: string, email: string, password: string) =>
  post<{ user: User }>('api/auth/setup', { token, email, password }, true);
export const acceptInvite = (token: string, password: string) =>
  post<{ user: { email: string } }>('api/auth/invite/accept', { token, password }, true);
export const login = (email: string, password: string, totp?: string) =>
  post<LoginAnswer>('api/auth/login', totp === undefined ? { email, password } : { email, password, totp }, true);
export const me = (signal?: AbortSignal) => request<Me>('api/auth/me', { signal, expectUnauthorized: true });
export const logout = () => post<{ ok: true }>('api/auth/logout', {}, true);

/**
 * A call that carries the user's password for confirmation. The contract does not say which status
 * a wrong password gets; if it is 401, that must not read as "your session ended", so a 401 here
 * is checked against /api/auth/me before the app signs the user out.
 */
async function withPassword<T>(path: string, body: unknown, method: 'POST' | 'DELETE' = 'POST'): Promise<T> {
  try {
    return await request<T>(path, { method, body, expectUnauthorized: true });
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      const stillSignedIn = await me().then(
        () => true,
        (e: unknown) => !(e instanceof ApiError && e.status === 401),
      );
      if (!stillSignedIn) reportSessionEnded(err.message);
    }
    throw err;
  }
}

// Second factor.
export const confirmTotp = (code: string) => post<{ recovery_codes: string[]; user: User }>('api/auth/totp/confirm', { code });
export const startTotpSetup = (password: string) => withPassword<{ otpauth_uri: string }>('api/auth/totp/setup', { password });
export const disableTotp = (password: string) => withPassword<Record<string, unknown>>('api/auth/totp/disable', { password });
export const newRecoveryCodes = (password: string) => withPassword<{ recovery_codes: string[] }>('api/auth/recovery-codes', { password });

// Your account.
export const sessions = (signal?: AbortSignal) => request<{ sessions: SessionInfo[] }>('api/auth/sessions', { signal });
export const endSession = (id: string) => del<{ ended: number }>(`api/auth/sessions/${seg(id)}`);
export const endOtherSessions = () => del<{ ended: number }>('api/auth/sessions');
export const changePassword = (current_password: string, new_password: string) =>
  withPassword<{ ok: true; ended_sessions: number }>('api/auth/password', { current_password, new_password });
export const deleteAccount = (password: string) => withPassword<{ deleted: true }>('api/auth/account', { password }, 'DELETE');
export const keys = (signal?: AbortSignal) => request<{ keys: ApiKeyInfo[] }>('api/auth/keys', { signal });
export const createKey = (name: string, scopes: KeyScope[], sites: Sites) =>
  post<{ key: ApiKeyInfo; secret: string }>('api/auth/keys', { name, scopes, sites });
export const revokeKey = (id: string) => del<{ revoked: true }>(`api/auth/keys/${seg(id)}`);
/** The export as the server wrote it, for saving to a file. */
export const exportAccount = () => request<unknown>('api/auth/export');

// Users (admins).
export const roles = (signal?: AbortSignal) => request<{ roles: RoleInfo[] }>('api/roles', { signal });
export const users = (signal?: AbortSignal) => request<{ users: User[] }>('api/users', { signal });
export const invite = (email: string, roles: Role[], sites: Sites) =>
  post<{ user: User; invite_url: string; expires_at: string }>('api/users/invite', { email, roles, sites });
export const updateUser = (id: string, change: { roles?: Role[]; sites?: Sites; enabled?: boolean }) =>
  request<{ user: User }>(`api/users/${seg(id)}`, { method: 'PATCH', body: change });
export const endUserSessions = (id: string) => del<{ ended: number }>(`api/users/${seg(id)}/sessions`);
export const deleteUser = (id: string) => del<{ deleted: true }>(`api/users/${seg(id)}`);

/** Where each permission takes you: the views of the header, in their order. */
export type View = 'overview' | 'campaigns' | 'goals' | 'security' | 'users' | 'account';
export const VIEWS: ReadonlyArray<{ view: View; label: string; needs: Permission | null }> = [
  { view: 'overview', label: 'Overview', needs: 'stats:read' },
  { view: 'campaigns', label: 'Campaigns', needs: 'stats:read' },
  // Every reader sees a site's goals; making and deleting them needs site-settings:write (Goals.svelte).
  { view: 'goals', label: 'Goals', needs: 'stats:read' },
  { view: 'security', label: 'Security', needs: 'security:abuse' },
  { view: 'users', label: 'Users', needs: 'users:manage' },
  { view: 'account', label: 'Your account', needs: null },
];

export function allows(permissions: readonly string[], view: View): boolean {
  const needs = VIEWS.find((v) => v.view === view)?.needs;
  return needs === null || needs === undefined || permissions.includes(needs);
}
