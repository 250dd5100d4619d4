import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorConfig } from '../../collector/config.ts';
import { dashboardConfig } from '../../dashboard/config.ts';
import { loadApiKeys } from '../../schema/api-keys.ts';
import { loadAuditHashKey } from '../../schema/audit-log.ts';
import { storageConfig } from '../../schema/config.ts';
import { ConfigError } from '../../schema/env.ts';
import { tempDir } from '../helpers/telmark.ts';

describe('configuration', () => {
  it('session lifetimes: the defaults of roles.ts, which settings may shorten but never lengthen', () => {
    const dir = tempDir('telmark-config-');
    try {
      const MIN = 60_000;
      const HOUR = 60 * MIN;
      expect(dashboardConfig({}, dir.path).lifetimes).toEqual({
        standard: { idleMs: 14 * 24 * HOUR, maxMs: 30 * 24 * HOUR },
        privileged: { idleMs: 30 * MIN, maxMs: 12 * HOUR },
      });
      const shorter = dashboardConfig({ SESSION_IDLE_MINUTES: '60', SESSION_MAX_HOURS: '8', PRIVILEGED_SESSION_IDLE_MINUTES: '10', PRIVILEGED_SESSION_MAX_HOURS: '2' }, dir.path);
      expect(shorter.lifetimes).toEqual({ standard: { idleMs: 60 * MIN, maxMs: 8 * HOUR }, privileged: { idleMs: 10 * MIN, maxMs: 2 * HOUR } });
      expect(() => dashboardConfig({ SESSION_MAX_HOURS: '721' }, dir.path)).toThrow(/^SESSION_MAX_HOURS="721" is invalid: expected a whole number from 1 to 720$/);
      expect(() => dashboardConfig({ PRIVILEGED_SESSION_IDLE_MINUTES: '31' }, dir.path)).toThrow(/^PRIVILEGED_SESSION_IDLE_MINUTES=.*1 to 30$/);
      expect(() => dashboardConfig({ DASHBOARD_INSECURE_HTTP: 'maybe' }, dir.path)).toThrow(/^DASHBOARD_INSECURE_HTTP="maybe" is invalid: expected true or false$/);
      expect(() => dashboardConfig({ AUTH_SECRET_KEY: 'short' }, dir.path)).toThrow(/^AUTH_SECRET_KEY="sho…" is invalid/);
      // Generated once, mode 600, the same at the next start.
      const a = dashboardConfig({}, dir.path).authSecretKey;
      expect(a.length).toBeGreaterThanOrEqual(32);
      expect(statSync(join(dir.path, 'auth-secret-key')).mode & 0o777).toBe(0o600);
      expect(dashboardConfig({}, dir.path).authSecretKey).toBe(a);
    } finally {
      dir.remove();
    }
  });

  it('has safe defaults', () => {
    const c = collectorConfig({});
    expect(c).toMatchObject({ port: 8000, prefixes: { v4: 24, v6: 48 }, flushIntervalMs: 10_000, retentionMonths: 25, trustedProxies: [] });
    expect(c).toMatchObject({ adminPort: 8002, adminHost: '127.0.0.1', privacyRequestsPerMin: 10, auditRetentionDays: 400 });
    expect(c).toMatchObject({ maxQueuedRows: 500_000, maxSpoolBytes: 1024 ** 3, spoolIntervalMs: 0 });
    expect(storageConfig({})).toMatchObject({ mode: 'embedded', database: 'telmark' });
    expect(storageConfig({ CLICKHOUSE_URL: 'http://ch:8123/' })).toMatchObject({ mode: 'server', url: 'http://ch:8123', username: 'default' });
  });
  it('a bad value fails with one line naming the variable and what is expected', () => {
    const cases: Array<[() => unknown, RegExp]> = [
      [() => collectorConfig({ COLLECTOR_PORT: 'eighty' }), /^COLLECTOR_PORT="eighty" is invalid: expected a whole number from 0 to 65535$/],
      [() => collectorConfig({ IPV4_PREFIX: '33' }), /^IPV4_PREFIX=.*0 to 32/],
      [() => collectorConfig({ TRUSTED_PROXIES: '10.0.0.0/8,banana' }), /^TRUSTED_PROXIES="banana"/],
      [() => collectorConfig({ SITES: 'ok.com,bad site' }), /^SITES="bad site"/],
      [() => collectorConfig({ SITES: 'ok.com@Mars/Olympus' }), /^SITES=.*Time\/Zone/],
      [() => collectorConfig({ FLUSH_INTERVAL_MS: '5' }), /^FLUSH_INTERVAL_MS/],
      [() => collectorConfig({ SPOOL_INTERVAL_MS: '100' }), /^SPOOL_INTERVAL_MS="100" is invalid: expected 0 \(off\) or a whole number from 500 to 3600000$/],
      [() => collectorConfig({ MAX_SPOOL_BYTES: '-1' }), /^MAX_SPOOL_BYTES=/],
      [() => storageConfig({ CLICKHOUSE_URL: 'ftp://x' }), /^CLICKHOUSE_URL=.*http/],
      [() => storageConfig({ CLICKHOUSE_DATABASE: 'a;drop' }), /^CLICKHOUSE_DATABASE=/],
      [() => dashboardConfig({ PRIVACY_MIN_VISITORS: '0' }, '/tmp'), /^PRIVACY_MIN_VISITORS=/],
      [() => dashboardConfig({ STATS_API_KEYS: 'short' }, '/tmp'), /^STATS_API_KEYS=.*16 characters/],
      [() => dashboardConfig({ STATS_API_KEYS: 'stats-key-0123456789', SECURITY_API_KEYS: 'short' }, '/tmp'), /^SECURITY_API_KEYS="sho…" is invalid: .*16 characters/],
      [() => collectorConfig({ COLLECTOR_ADMIN_PORT: '70000' }), /^COLLECTOR_ADMIN_PORT=.*0 to 65535/],
      [() => collectorConfig({ PRIVACY_REQUESTS_PER_MIN: '0' }), /^PRIVACY_REQUESTS_PER_MIN=.*1 to 10000/],
      [() => collectorConfig({ AUDIT_RETENTION_DAYS: '4000' }), /^AUDIT_RETENTION_DAYS=.*1 to 3650/],
      [() => loadAuditHashKey({ AUDIT_HASH_KEY: 'too-short-for-an-hmac-key' }, '/tmp'), /^AUDIT_HASH_KEY="too…" is invalid: expected a secret of at least 32 characters$/],
    ];
    for (const [fn, msg] of cases) {
      expect(fn).toThrow(ConfigError);
      expect(fn).toThrow(msg);
    }
  });
  it('generates and keeps a stats API key when none is configured', () => {
    const tmp = tempDir('telmark-cfg-');
    const dir = tmp.path;
    try {
      const a = dashboardConfig({}, dir);
      const b = dashboardConfig({}, dir);
      expect(a.generatedKey).toBe(true);
      expect(a.statsApiKeys[0]!.length).toBeGreaterThanOrEqual(32);
      expect(b.statsApiKeys).toEqual(a.statsApiKeys);
      expect(readFileSync(join(dir, 'stats-api-key'), 'utf8').trim()).toBe(a.statsApiKeys[0]);
    } finally {
      tmp.remove();
    }
  });
  it('generates a security key apart from the stats key, and keeps both (mode 600)', () => {
    const tmp = tempDir('telmark-cfg-');
    const dir = tmp.path;
    try {
      const a = loadApiKeys({}, dir);
      expect(a).toMatchObject({ generatedStatsKey: true, generatedSecurityKey: true, statsKeyFile: join(dir, 'stats-api-key'), securityKeyFile: join(dir, 'security-api-key') });
      expect(a.securityApiKeys[0]!.length).toBeGreaterThanOrEqual(32);
      expect(a.securityApiKeys[0]).not.toBe(a.statsApiKeys[0]);
      expect(loadApiKeys({}, dir)).toEqual(a);
      for (const f of ['stats-api-key', 'security-api-key']) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
      expect(readFileSync(join(dir, 'security-api-key'), 'utf8').trim()).toBe(a.securityApiKeys[0]);
      // A configured list is used as it is, and nothing is generated for it.
      const set = loadApiKeys({ SECURITY_API_KEYS: 'sec-key-a-0123456789, sec-key-b-0123456789' }, dir);
      expect(set).toMatchObject({ securityApiKeys: ['sec-key-a-0123456789', 'sec-key-b-0123456789'], generatedSecurityKey: false, generatedStatsKey: true });
      expect(dashboardConfig({}, dir)).toMatchObject({ statsApiKeys: a.statsApiKeys, securityApiKeys: a.securityApiKeys, generatedKey: true, generatedSecurityKey: true });
    } finally {
      tmp.remove();
    }
  });
  it('refuses a key that is both a stats key and a security key, without printing it', () => {
    const key = 'shared-key-0123456789abcdef';
    const both = () => loadApiKeys({ STATS_API_KEYS: `other-stats-key-0123456789,${key}`, SECURITY_API_KEYS: key }, '/nonexistent');
    expect(both).toThrow(ConfigError);
    expect(both).toThrow(/^SECURITY_API_KEYS="sha…" is invalid: expected keys that are not also in STATS_API_KEYS/);
    try {
      both();
    } catch (err) {
      expect((err as Error).message).not.toContain(key);
    }
  });
  it('generates and keeps the audit hash key (mode 600) unless AUDIT_HASH_KEY is set', () => {
    const tmp = tempDir('telmark-cfg-');
    const dir = tmp.path;
    try {
      const a = loadAuditHashKey({}, dir);
      expect(a.generated).toBe(true);
      expect(a.key.length).toBeGreaterThanOrEqual(32);
      expect(loadAuditHashKey({}, dir)).toEqual(a);
      expect(statSync(join(dir, 'audit-hash-key')).mode & 0o777).toBe(0o600);
      const set = 'x'.repeat(32);
      expect(loadAuditHashKey({ AUDIT_HASH_KEY: set }, dir)).toEqual({ key: set, generated: false });
    } finally {
      tmp.remove();
    }
  });
});
