import { generatedSecret, loadApiKeys } from '../schema/api-keys.ts';
import { ConfigError, int, list, optionalStr, port, str, type Env } from '../schema/env.ts';
import { TrustedProxies } from '../collector/ip/client-ip.ts';
import { LIFETIMES, type LifetimeSettings } from './server/auth/roles.ts';
import { retentionConfig } from '../schema/retention.ts';
import { certAndKey } from '../schema/pem.ts';

export interface DashboardConfig {
  port: number;
  host: string;
  statsApiKeys: string[];
  /** True when no STATS_API_KEYS was set and a key was generated under DATA_DIR. */
  generatedKey: boolean;
  /** SECURITY_API_KEYS (or the key generated into DATA_DIR/security-api-key): the security API proxy. */
  securityApiKeys: string[];
  generatedSecurityKey: boolean;
  /** Where the generated security key is kept; unset when SECURITY_API_KEYS is set. */
  securityKeyFile?: string;
  privacyMinVisitors: number;
  hourlyRetentionDays: number;
  /** REALTIME_REFRESH_S: how often the app re-reads current visitors and the realtime view. */
  realtimeRefreshS: number;
  /** COLLECTOR_PUBLIC_URL: the collector as site pages reach it (shown in the install snippet). */
  collectorPublicUrl?: string;
  /** DASHBOARD_PUBLIC_URL: the dashboard as people reach it (setup and invite links). */
  publicUrl?: string;
  /** DASHBOARD_INSECURE_HTTP: allow the session cookie without Secure off loopback. */
  insecureHttp: boolean;
  /** Session lifetimes; the settings may only shorten the defaults of roles.ts. */
  lifetimes: LifetimeSettings;
  /** AUTH_SECRET_KEY (or DATA_DIR/auth-secret-key): seals TOTP secrets at rest. */
  authSecretKey: string;
  /** TRUSTED_PROXIES, read like the collector reads it (client address, X-Forwarded-Proto). */
  trustedProxies: TrustedProxies;
  /** TLS_CERT and TLS_KEY: the dashboard listener speaks HTTPS itself. */
  tls?: { cert: Buffer; key: Buffer };
}

export const AUTH_SECRET_KEY_FILE = 'auth-secret-key';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Dashboard settings. API keys come from schema/api-keys.ts: STATS_API_KEYS and SECURITY_API_KEYS,
 * or, when unset, keys generated on first start and kept in DATA_DIR (mode 600) so `npm start`
 * works with nothing configured.
 */
export function dashboardConfig(env: Env, dataDir: string): DashboardConfig {
  const settings = {
    port: port(env, 'DASHBOARD_PORT', 8001),
    host: str(env, 'DASHBOARD_HOST', '0.0.0.0'),
    privacyMinVisitors: int(env, 'PRIVACY_MIN_VISITORS', 5, 1, 1000),
    hourlyRetentionDays: retentionConfig(env).hourlyRetentionDays,
    realtimeRefreshS: int(env, 'REALTIME_REFRESH_S', 30, 1, 3600),
    collectorPublicUrl: publicUrl(env, 'COLLECTOR_PUBLIC_URL', 'the collector origin as browsers reach it, e.g. https://stats.example.com'),
    publicUrl: publicUrl(env, 'DASHBOARD_PUBLIC_URL', 'the dashboard origin as people reach it, e.g. https://dashboard.example.com'),
    insecureHttp: bool(env, 'DASHBOARD_INSECURE_HTTP', false),
    lifetimes: {
      standard: {
        idleMs: int(env, 'SESSION_IDLE_MINUTES', LIFETIMES.standard.idleMs / MINUTE, 1, LIFETIMES.standard.idleMs / MINUTE) * MINUTE,
        maxMs: int(env, 'SESSION_MAX_HOURS', LIFETIMES.standard.maxMs / HOUR, 1, LIFETIMES.standard.maxMs / HOUR) * HOUR,
      },
      privileged: {
        idleMs: int(env, 'PRIVILEGED_SESSION_IDLE_MINUTES', LIFETIMES.privileged.idleMs / MINUTE, 1, LIFETIMES.privileged.idleMs / MINUTE) * MINUTE,
        maxMs: int(env, 'PRIVILEGED_SESSION_MAX_HOURS', LIFETIMES.privileged.maxMs / HOUR, 1, LIFETIMES.privileged.maxMs / HOUR) * HOUR,
      },
    },
    trustedProxies: trustedProxies(env),
    tls: tlsFiles(env),
  };
  // Last, so a bad setting above fails before any key file is written.
  const keys = loadApiKeys(env, dataDir);
  return {
    ...settings,
    statsApiKeys: keys.statsApiKeys,
    generatedKey: keys.generatedStatsKey,
    securityApiKeys: keys.securityApiKeys,
    generatedSecurityKey: keys.generatedSecurityKey,
    securityKeyFile: keys.securityKeyFile,
    authSecretKey: authSecretKey(env, dataDir),
  };
}

/** TLS_CERT and TLS_KEY (PEM files), both or neither, read now so a wrong path fails at start. */
function tlsFiles(env: Env): { cert: Buffer; key: Buffer } | undefined {
  return certAndKey(env, 'TLS_CERT', 'TLS_KEY');
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const v = optionalStr(env, name);
  if (v === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new ConfigError(name, 'true or false', v);
}

function trustedProxies(env: Env): TrustedProxies {
  const cidrs = list(env, 'TRUSTED_PROXIES');
  for (const cidr of cidrs) {
    if (!TrustedProxies.isValidCidr(cidr)) throw new ConfigError('TRUSTED_PROXIES', 'a comma-separated list of IPs or CIDRs such as 10.0.0.0/8,::1', cidr);
  }
  return new TrustedProxies(cidrs);
}

/** AUTH_SECRET_KEY (32+ characters), else a key generated once into DATA_DIR/auth-secret-key (mode 600). */
function authSecretKey(env: Env, dataDir: string): string {
  const set = optionalStr(env, 'AUTH_SECRET_KEY');
  if (set === undefined) return generatedSecret(dataDir, AUTH_SECRET_KEY_FILE, 32, 'AUTH_SECRET_KEY', 32);
  if (set.length < 32) throw new ConfigError('AUTH_SECRET_KEY', 'a secret of at least 32 characters', `${set.slice(0, 3)}…`);
  return set;
}

function publicUrl(env: Env, name: string, expected: string): string | undefined {
  const v = optionalStr(env, name);
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
  } catch {
    // fall through to the error below
  }
  throw new ConfigError(name, expected, v);
}
