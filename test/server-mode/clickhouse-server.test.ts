// The same code against a ClickHouse server. Runs only when CLICKHOUSE_URL is set (with
// CLICKHOUSE_USER / CLICKHOUSE_PASSWORD as needed); every run uses its own database and drops it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAll, type Running } from '../../scripts/start-all.ts';
import { CHROME_UA, pageview } from '../helpers/telmark.ts';

const url = process.env.CLICKHOUSE_URL;
if (!url) console.log('server mode: CLICKHOUSE_URL not set; ClickHouse server tests skipped');

describe.skipIf(!url)('server mode (CLICKHOUSE_URL)', () => {
  const database = `telmark_test_${process.pid}_${Date.now()}`;
  const key = 'server-mode-key-0123456789';
  let running: Running;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'telmark-server-'));
    running = await startAll(
      { ...process.env, DATA_DIR: dataDir, CLICKHOUSE_DATABASE: database, COLLECTOR_PORT: '0', DASHBOARD_PORT: '0', COLLECTOR_ADMIN_PORT: '0', COLLECTOR_HOST: '127.0.0.1', DASHBOARD_HOST: '127.0.0.1', SITES: 'example.com', STATS_API_KEYS: key, PRIVACY_MIN_VISITORS: '1', TRUSTED_PROXIES: '127.0.0.1' },
      { log: () => {} },
    );
  }, 60_000);

  afterAll(async () => {
    if (!running) return;
    await running.store.client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('beacons in, aggregates out, exactly', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${running.collectorUrl}/api/event`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': CHROME_UA, 'x-forwarded-for': `203.0.113.${i}` },
        body: JSON.stringify(pageview('https://example.com/?utm_campaign=launch&utm_source=news&utm_medium=email')),
      });
      expect(res.status).toBe(202);
    }
    await running.flush();
    const res = await fetch(`${running.dashboardUrl}/api/v2/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ site_id: 'example.com', metrics: ['visitors', 'pageviews'], date_range: 'day', dimensions: ['visit:utm_campaign'] }),
    });
    const json = await res.json();
    // Three /24s: 203.0.113.0 for all three, same UA: one visitor key, one visitor (by design).
    expect(json.results).toEqual([{ dimensions: ['launch'], metrics: [1, 3] }]);
  });
});
