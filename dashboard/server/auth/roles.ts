// The roles registry: what each role grants, whether it needs a second factor, and how long its
// sessions live. The role middleware, the users API, the docs table and the tests all read this
// one table, so a role is changed here or nowhere.

/** What a route can require. `account` is every signed-in user's own account, sessions and keys. */
export const PERMISSIONS = ['account', 'stats:read', 'site-settings:write', 'users:manage', 'security:abuse'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export type Role = 'admin' | 'marketer' | 'viewer' | 'security';

/** Session lifetimes, ASVS 5.0 V7.3: idle time since the last request, and an absolute cap. */
export interface Lifetime {
  idleMs: number;
  maxMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Staff who can change accounts or read full IP addresses get short sessions (a forgotten open
 * browser is worth little to someone else for long); people who read aggregates stay signed in
 * like in any analytics tool, because re-typing a password every morning teaches weak passwords.
 */
export const LIFETIMES = {
  privileged: { idleMs: 30 * MINUTE, maxMs: 12 * HOUR },
  standard: { idleMs: 14 * DAY, maxMs: 30 * DAY },
} as const satisfies Record<string, Lifetime>;

export interface RoleDefinition {
  description: string;
  permissions: readonly Permission[];
  /** A second factor (TOTP) is required to sign in. */
  requiresTotp: boolean;
  lifetime: keyof typeof LIFETIMES;
}

export const ROLES: Record<Role, RoleDefinition> = {
  admin: {
    description: 'Users, roles, sites, API keys and settings; sees statistics. Not the abuse buffer.',
    permissions: ['account', 'users:manage', 'stats:read', 'site-settings:write'],
    requiresTotp: true,
    lifetime: 'privileged',
  },
  marketer: {
    description: 'Statistics of their sites, and their goals, funnels and ad spend.',
    permissions: ['account', 'stats:read', 'site-settings:write'],
    requiresTotp: false,
    lifetime: 'standard',
  },
  viewer: {
    description: 'Statistics of their sites, read-only.',
    permissions: ['account', 'stats:read'],
    requiresTotp: false,
    lifetime: 'standard',
  },
  security: {
    description: 'The abuse buffer: flagged addresses, look-up, erase, summary. No statistics.',
    permissions: ['account', 'security:abuse'],
    requiresTotp: true,
    lifetime: 'privileged',
  },
};

export const ROLE_NAMES = Object.keys(ROLES) as Role[];

export function isRole(x: unknown): x is Role {
  return typeof x === 'string' && Object.hasOwn(ROLES, x);
}

export function permissionsOf(roles: readonly Role[]): Set<Permission> {
  return new Set(roles.flatMap((r) => ROLES[r].permissions));
}

export function requiresTotp(roles: readonly Role[]): boolean {
  return roles.some((r) => ROLES[r].requiresTotp);
}

/** The shortest lifetime of the user's roles, each capped by the settings (which may only shorten). */
export function lifetimeOf(roles: readonly Role[], limits: LifetimeSettings): Lifetime {
  const privileged = roles.some((r) => ROLES[r].lifetime === 'privileged');
  return privileged ? limits.privileged : limits.standard;
}

export interface LifetimeSettings {
  privileged: Lifetime;
  standard: Lifetime;
}

/** API key scopes, and the permission each one carries (a key never gets `account`). */
export const KEY_SCOPES = { 'stats:read': 'stats:read', 'site-settings': 'site-settings:write', security: 'security:abuse' } as const satisfies Record<string, Permission>;
export type KeyScope = keyof typeof KEY_SCOPES;

export function isKeyScope(x: unknown): x is KeyScope {
  return typeof x === 'string' && Object.hasOwn(KEY_SCOPES, x);
}
