// The same code against a ClickHouse server. Runs only when CLICKHOUSE_URL is set (with
// CLICKHOUSE_USER / CLICKHOUSE_PASSWORD as needed); every run uses its own database and drops it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackEnv, pageview, postBeacon, startTelmarkWith, type StartedTelmark } from '../helpers/telmark.ts';

const url = process.env.CLICKHOUSE_URL;
if (!url) console.log('server mode: CLICKHOUSE_URL not set; ClickHouse server tests skipped');

describe.skipIf(!url)('server mode (CLICKHOUSE_URL)', () => {
  const database = `telmark_test_${process.pid}_${Date.now()}`;
  const key = 'server-mode-key-0123456789';
  let running: StartedTelmark;

  beforeAll(async () => {
    running = await startTelmarkWith(
      (dataDir) => ({ ...process.env, ...loopbackEnv(dataDir), CLICKHOUSE_DATABASE: database, SITES: 'example.com', STATS_API_KEYS: key, PRIVACY_MIN_VISITORS: '1', TRUSTED_PROXIES: '127.0.0.1' }),
      { tmpPrefix: 'telmark-server-' },
    );
  }, 60_000);

  afterAll(async () => {
    if (!running) return;
    await running.store.client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await running.destroy();
  });

  it('beacons in, aggregates out, exactly', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await postBeacon(running.collectorUrl, pageview('https://example.com/?utm_campaign=launch&utm_source=news&utm_medium=email'), { 'x-forwarded-for': `203.0.113.${i}` });
      expect(res.status).toBe(202);
    }
    await running.flush();
    const { json } = await running.query({ site_id: 'example.com', metrics: ['visitors', 'pageviews'], date_range: 'day', dimensions: ['visit:utm_campaign'] });
    // Three /24s: 203.0.113.0 for all three, same UA: one visitor key, one visitor (by design).
    expect(json.results).toEqual([{ dimensions: ['launch'], metrics: [1, 3] }]);
  });
});
