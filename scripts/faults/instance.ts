// A telmark for a fault part: this process, embedded chDB in a temporary DATA_DIR, every listener
// on a random port of 127.0.0.1 (loopback only), one site, loopback trusted as a proxy (so
// X-Forwarded-For chains are read), abuse rules off (the parts send everything from one address)
// and no timed flush (the part flushes when it counts).
import { tempDir } from '../bench/common.ts';
import { startAll, type Running } from '../start-all.ts';

export const FAULTS_STATS_KEY = 'faults-stats-key-0123456789';

export interface FaultTelmark extends Running {
  /** Flushes, then sums the site's pageviews and events (pageviews + custom events) for today (UTC). */
  totals(site: string): Promise<{ pageviews: number; events: number }>;
  destroy(): Promise<void>;
}

export async function startFaultTelmark(site: string, env: Record<string, string> = {}): Promise<FaultTelmark> {
  const dir = tempDir('telmark-faults-');
  const logs: string[] = [];
  let running: Running;
  try {
    running = await startAll(
      {
        DATA_DIR: dir.path,
        COLLECTOR_HOST: '127.0.0.1',
        COLLECTOR_PORT: '0',
        COLLECTOR_ADMIN_HOST: '127.0.0.1',
        COLLECTOR_ADMIN_PORT: '0',
        DASHBOARD_HOST: '127.0.0.1',
        DASHBOARD_PORT: '0',
        SITES: site,
        STATS_API_KEYS: FAULTS_STATS_KEY,
        PRIVACY_MIN_VISITORS: '1',
        TRUSTED_PROXIES: '127.0.0.1/32,::1',
        FLUSH_INTERVAL_MS: '3600000',
        ABUSE_HOLD_MS: '0',
        ABUSE_LIMIT_EVENTS_10S: '0',
        ABUSE_LIMIT_EVENTS_1M: '0',
        ABUSE_LIMIT_EVENTS_10M: '0',
        ABUSE_LIMIT_INVALID_1M: '0',
        ABUSE_LIMIT_SITES_1M: '0',
        ABUSE_LIMIT_BOT_1M: '0',
        ...env,
      },
      { log: (line) => logs.push(line) },
    );
  } catch (err) {
    dir.remove();
    throw err;
  }
  return Object.assign(running, {
    totals: async (s: string) => {
      await running.flush();
      const res = await fetch(`${running.dashboardUrl}/api/v2/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${FAULTS_STATS_KEY}` },
        body: JSON.stringify({ site_id: s, metrics: ['pageviews', 'events'], date_range: 'day' }),
      });
      const json = (await res.json()) as { results: Array<{ metrics: number[] }> };
      return { pageviews: json.results[0]!.metrics[0]!, events: json.results[0]!.metrics[1]! };
    },
    destroy: async () => {
      await running.stop();
      dir.remove();
    },
  });
}
