import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorConfig } from '../../collector/config.ts';
import { dashboardConfig } from '../../dashboard/config.ts';
import { storageConfig } from '../../schema/config.ts';
import { ConfigError } from '../../schema/env.ts';

describe('configuration', () => {
  it('has safe defaults', () => {
    const c = collectorConfig({});
    expect(c).toMatchObject({ port: 8000, prefixes: { v4: 24, v6: 48 }, flushIntervalMs: 10_000, retentionMonths: 25, trustedProxies: [] });
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
      [() => storageConfig({ CLICKHOUSE_URL: 'ftp://x' }), /^CLICKHOUSE_URL=.*http/],
      [() => storageConfig({ CLICKHOUSE_DATABASE: 'a;drop' }), /^CLICKHOUSE_DATABASE=/],
      [() => dashboardConfig({ PRIVACY_MIN_VISITORS: '0' }, '/tmp'), /^PRIVACY_MIN_VISITORS=/],
      [() => dashboardConfig({ STATS_API_KEYS: 'short' }, '/tmp'), /^STATS_API_KEYS=.*16 characters/],
    ];
    for (const [fn, msg] of cases) {
      expect(fn).toThrow(ConfigError);
      expect(fn).toThrow(msg);
    }
  });
  it('generates and keeps a stats API key when none is configured', () => {
    const dir = mkdtempSync(join(tmpdir(), 'telmark-cfg-'));
    const a = dashboardConfig({}, dir);
    const b = dashboardConfig({}, dir);
    expect(a.generatedKey).toBe(true);
    expect(a.statsApiKeys[0]!.length).toBeGreaterThanOrEqual(32);
    expect(b.statsApiKeys).toEqual(a.statsApiKeys);
    expect(readFileSync(join(dir, 'stats-api-key'), 'utf8').trim()).toBe(a.statsApiKeys[0]);
    rmSync(dir, { recursive: true });
  });
});
