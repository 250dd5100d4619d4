// The soak's telmark: `npm start`'s startAll in a process of its own (so the load generator's
// work does not land on its event loop), on a fresh DATA_DIR, answering the soak script's
// questions over IPC: a sample of its health each minute, a final flush at the end.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { startAll } from '../start-all.ts';

export interface SoakSample {
  rssBytes: number;
  heapUsedBytes: number;
  /** Event-loop delay since the last sample, ms. */
  loopP50Ms: number;
  loopP99Ms: number;
  /** ClickHouse inserts of the flusher since the last sample (one per cube with rows per flush) and their latency. */
  inserts: number;
  insertP50Ms: number;
  insertP99Ms: number;
  /** The collector's /metrics now. */
  countedTotal: number;
  held: number;
  pendingRows: number;
  flushFailures: number;
  /** Pageviews of the soak's site in the store now. */
  stored: number;
}

type Msg = { type: 'sample' } | { type: 'finish' };

const env = JSON.parse(process.argv[2] ?? '{}') as Record<string, string>;
const running = await startAll(env, { log: () => {} });

// Insert latency: the flusher's inserts go through the store's client; time each.
let insertMs: number[] = [];
const client = running.store.client;
const insert = client.insert.bind(client);
client.insert = (async (...args: Parameters<typeof insert>) => {
  const t0 = performance.now();
  try {
    return await insert(...args);
  } finally {
    insertMs.push(performance.now() - t0);
  }
}) as typeof client.insert;

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();

const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${running.collectorUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) sum += Number(line.split(' ').pop());
  return sum;
}

async function stored(site: string): Promise<number> {
  const rs = await running.store.client.query({
    query: `SELECT sum(pageviews) AS n FROM ${running.store.table('acquisition_minute')} WHERE site = {site:String}`,
    query_params: { site },
    format: 'JSONEachRow',
  });
  const [row] = await rs.json<{ n: string | number }>();
  return Number(row?.n ?? 0);
}

async function sample(): Promise<SoakSample> {
  const mem = process.memoryUsage();
  const s: SoakSample = {
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    loopP50Ms: loop.percentile(50) / 1e6,
    loopP99Ms: loop.percentile(99) / 1e6,
    inserts: insertMs.length,
    insertP50Ms: pct(insertMs, 50),
    insertP99Ms: pct(insertMs, 99),
    countedTotal: await metric('telmark_events_counted_total'),
    held: await metric('telmark_events_held'),
    pendingRows: await metric('telmark_pending_rows'),
    flushFailures: await metric('telmark_flush_failures_total'),
    stored: await stored(env.SOAK_SITE!),
  };
  loop.reset();
  insertMs = [];
  return s;
}

process.on('message', (m: Msg) => {
  void (async () => {
    if (m.type === 'sample') process.send!({ type: 'sample', sample: await sample() });
    else if (m.type === 'finish') {
      await running.flush();
      const last = await sample();
      await running.stop();
      process.send!({ type: 'finished', sample: last }, () => process.exit(0));
    }
  })().catch((err: unknown) => process.send!({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});

process.send!({ type: 'ready', collectorUrl: running.collectorUrl, dashboardUrl: running.dashboardUrl });
