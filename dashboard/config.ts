import { loadApiKeys } from '../schema/api-keys.ts';
import { ConfigError, int, optionalStr, port, str, type Env } from '../schema/env.ts';
import { retentionConfig } from '../schema/retention.ts';

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
  /** COLLECTOR_PUBLIC_URL: the collector as site pages reach it (shown in the install snippet). */
  collectorPublicUrl?: string;
}

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
    collectorPublicUrl: publicUrl(env),
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
  };
}

function publicUrl(env: Env): string | undefined {
  const v = optionalStr(env, 'COLLECTOR_PUBLIC_URL');
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.origin;
  } catch {
    // fall through to the error below
  }
  throw new ConfigError('COLLECTOR_PUBLIC_URL', 'the collector origin as browsers reach it, e.g. https://stats.example.com', v);
}
