import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ConfigError, int, list, optionalStr, port, str, type Env } from '../schema/env.ts';

export interface DashboardConfig {
  port: number;
  host: string;
  statsApiKeys: string[];
  /** True when no STATS_API_KEYS was set and a key was generated under DATA_DIR. */
  generatedKey: boolean;
  privacyMinVisitors: number;
  hourlyRetentionDays: number;
  /** COLLECTOR_PUBLIC_URL: the collector as site pages reach it (shown in the install snippet). */
  collectorPublicUrl?: string;
}

/**
 * STATS_API_KEYS, or, when unset, one key generated on first start and kept in
 * DATA_DIR/stats-api-key (mode 600) so `npm start` works with nothing configured.
 */
export function dashboardConfig(env: Env, dataDir: string): DashboardConfig {
  let keys = list(env, 'STATS_API_KEYS');
  for (const k of keys) {
    if (k.length < 16) throw new ConfigError('STATS_API_KEYS', 'comma-separated keys of at least 16 characters', `${k.slice(0, 3)}…`);
  }
  let generatedKey = false;
  if (keys.length === 0) {
    const file = join(dataDir, 'stats-api-key');
    if (!existsSync(file)) {
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(file, randomBytes(24).toString('base64url') + '\n', { mode: 0o600 });
    }
    keys = [readFileSync(file, 'utf8').trim()];
    generatedKey = true;
  }
  return {
    port: port(env, 'DASHBOARD_PORT', 8001),
    host: str(env, 'DASHBOARD_HOST', '0.0.0.0'),
    statsApiKeys: keys,
    generatedKey,
    privacyMinVisitors: int(env, 'PRIVACY_MIN_VISITORS', 5, 1, 1000),
    hourlyRetentionDays: int(env, 'HOURLY_RETENTION_DAYS', 14, 3, 400),
    collectorPublicUrl: publicUrl(env),
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
