import { ConfigError, int, list, optionalStr, port, str, type Env } from '../schema/env.ts';
import { certAndKey, pemFile } from '../schema/pem.ts';
import { openCountryDb, packagedCountryDbPath } from './geo/database.ts';
import { retentionConfig } from '../schema/retention.ts';
import { abuseConfig, type AbuseConfig } from './abuse/config.ts';
import { TrustedProxies } from './ip/client-ip.ts';
import type { TruncationPrefixes } from './ip/truncate.ts';

export interface CollectorConfig {
  port: number;
  host: string;
  trustedProxies: string[];
  prefixes: TruncationPrefixes;
  flushIntervalMs: number;
  /** Pending aggregate rows that trigger an early flush. */
  maxPendingRows: number;
  /** Rows held in memory across failed flushes before older batches spill to the spool on disk. */
  maxQueuedRows: number;
  /** Bytes the spool (DATA_DIR/spool) may hold; past it and MAX_QUEUED_ROWS, the oldest batches are discarded. */
  maxSpoolBytes: number;
  /** Pending aggregates and queued batches go to the spool this often, so a hard crash loses less (0: off). */
  spoolIntervalMs: number;
  /** Live sessions kept; the least recently active one is ended first when full. */
  maxSessions: number;
  sessionIdleMs: number;
  /** Largest accepted beacon body, bytes. */
  maxBodyBytes: number;
  retentionMonths: number;
  /** Hour cubes, with their visitor sketches, are kept this many days; day cubes RETENTION_MONTHS. */
  hourlyRetentionDays: number;
  /** Domains to register at start (SITES). */
  seedSites: string[];
  defaultTimezone: string;
  abuse: AbuseConfig;
  /**
   * The admin listener (security API over the abuse buffer). It answers with full IP addresses,
   * so it binds to loopback unless told otherwise; expose it only to the dashboard's network.
   */
  adminPort: number;
  adminHost: string;
  /**
   * COLLECTOR_ADMIN_TLS_CERT / _KEY: the admin listener speaks HTTPS (the dashboard checks it with
   * COLLECTOR_ADMIN_CA). With COLLECTOR_ADMIN_CLIENT_CA it also demands a client certificate
   * signed by that CA (mutual TLS) before any request is read.
   */
  adminTls?: { cert: Buffer; key: Buffer; clientCa?: Buffer };
  /** COLLECTOR_TLS_CERT / _KEY: the public listener speaks HTTPS itself (no TLS proxy in front). */
  tls?: { cert: Buffer; key: Buffer };
  /** Data-subject requests (GET/DELETE /api/privacy/me) allowed per minute per /24 or /48. */
  privacyRequestsPerMin: number;
  /** The MMDB country database (GEOIP_DB; default: the packaged DB-IP Lite), checked at start. */
  geoipDb: string;
  /** How long audit_log rows are kept (stated to data subjects; the TTL itself is set by migrate). */
  auditRetentionDays: number;
}

export function isValidTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** SPOOL_INTERVAL_MS: 0 (off) or 500 ms to an hour; shorter would rewrite the spool faster than it helps. */
function spoolInterval(env: Env): number {
  const v = int(env, 'SPOOL_INTERVAL_MS', 0, 0, 3_600_000);
  if (v !== 0 && v < 500) throw new ConfigError('SPOOL_INTERVAL_MS', '0 (off) or a whole number from 500 to 3600000', String(v));
  return v;
}

export function collectorConfig(env: Env): CollectorConfig {
  const trustedProxies = list(env, 'TRUSTED_PROXIES');
  for (const cidr of trustedProxies) {
    if (!TrustedProxies.isValidCidr(cidr)) {
      throw new ConfigError('TRUSTED_PROXIES', 'a comma-separated list of IPs or CIDRs such as 10.0.0.0/8,::1', cidr);
    }
  }
  const defaultTimezone = str(env, 'DEFAULT_TIMEZONE', 'UTC');
  if (!isValidTimezone(defaultTimezone)) {
    throw new ConfigError('DEFAULT_TIMEZONE', 'an IANA time zone such as Europe/Berlin', defaultTimezone);
  }
  const seedSites = list(env, 'SITES');
  for (const entry of seedSites) {
    const [domain, tz] = entry.split('@');
    if (!domain || !/^[a-z0-9.-]+(:\d+)?$/i.test(domain) || (tz !== undefined && !isValidTimezone(tz))) {
      throw new ConfigError('SITES', 'comma-separated domains, each optionally with @Time/Zone (shop.example@Europe/Berlin)', entry);
    }
  }
  const geoipDb = optionalStr(env, 'GEOIP_DB') ?? packagedCountryDbPath();
  // Opened (and kept) now, so a bad file stops start-up with one line rather than counting
  // every visit without a country.
  openCountryDb(geoipDb);
  return {
    port: port(env, 'COLLECTOR_PORT', 8000),
    host: str(env, 'COLLECTOR_HOST', '0.0.0.0'),
    trustedProxies,
    prefixes: { v4: int(env, 'IPV4_PREFIX', 24, 0, 32), v6: int(env, 'IPV6_PREFIX', 48, 0, 128) },
    flushIntervalMs: int(env, 'FLUSH_INTERVAL_MS', 10_000, 100, 3_600_000),
    maxPendingRows: int(env, 'MAX_PENDING_ROWS', 100_000, 100, 10_000_000),
    maxQueuedRows: int(env, 'MAX_QUEUED_ROWS', 500_000, 1_000, 50_000_000),
    maxSpoolBytes: int(env, 'MAX_SPOOL_BYTES', 1024 ** 3, 0, 1024 ** 4),
    spoolIntervalMs: spoolInterval(env),
    maxSessions: int(env, 'MAX_SESSIONS', 200_000, 100, 10_000_000),
    sessionIdleMs: 30 * 60_000,
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 16 * 1024, 1024, 1024 * 1024),
    ...retentionConfig(env),
    seedSites,
    defaultTimezone,
    abuse: abuseConfig(env),
    adminPort: port(env, 'COLLECTOR_ADMIN_PORT', 8002),
    // Loopback by default: this listener hands out full client IPs (security keys only, but a
    // key can leak; a listener nobody outside can reach cannot be probed at all).
    adminHost: str(env, 'COLLECTOR_ADMIN_HOST', '127.0.0.1'),
    adminTls: adminTls(env),
    tls: certAndKey(env, 'COLLECTOR_TLS_CERT', 'COLLECTOR_TLS_KEY'),
    privacyRequestsPerMin: int(env, 'PRIVACY_REQUESTS_PER_MIN', 10, 1, 10_000),
    geoipDb,
  };
}

function adminTls(env: Env): CollectorConfig['adminTls'] {
  const files = certAndKey(env, 'COLLECTOR_ADMIN_TLS_CERT', 'COLLECTOR_ADMIN_TLS_KEY');
  const clientCa = pemFile(env, 'COLLECTOR_ADMIN_CLIENT_CA', 'certificate');
  // Client certificates are a TLS feature: asking for them over plain HTTP would be a no-op.
  if (clientCa && !files) throw new ConfigError('COLLECTOR_ADMIN_CLIENT_CA', 'COLLECTOR_ADMIN_TLS_CERT and COLLECTOR_ADMIN_TLS_KEY beside it (client certificates need TLS)', optionalStr(env, 'COLLECTOR_ADMIN_CLIENT_CA')!);
  return files ? { ...files, ...(clientCa ? { clientCa } : {}) } : undefined;
}
