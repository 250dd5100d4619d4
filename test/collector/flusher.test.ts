// The flusher against real embedded ClickHouse: retries never double-count (deduplication token),
// failures keep data, memory overflow spills to the spool, and the spool is replayed at start.
// Faults are injected by wrapping the real client's insert: the database itself is never mocked.
import { readdirSync, copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../schema/client.ts';
import { migrate } from '../../schema/migrate.ts';
import { Aggregator } from '../../collector/aggregator.ts';
import { Flusher } from '../../collector/flusher.ts';
import { Metrics } from '../../collector/metrics.ts';
import { Spool } from '../../collector/spool.ts';
import { sumPageviews, T0, tempDir, type TempDir } from '../helpers/telmark.ts';

let tmp: TempDir;
let dir: string;
let store: Store;

beforeAll(async () => {
  tmp = tempDir('telmark-flusher-');
  dir = tmp.path;
  store = openStore({ mode: 'embedded', dataDir: dir, database: 'telmark' });
  await migrate(store, { retentionMonths: 25 });
});
afterAll(async () => {
  await store.close();
  tmp.remove();
});

/** A store whose insert fails on demand: `before` fails without inserting, `after` inserts then fails (a lost ack). */
function faulty(mode: { fail: 'none' | 'before' | 'after' }): Store {
  const client = new Proxy(store.client, {
    get(target, prop, receiver) {
      if (prop !== 'insert') return Reflect.get(target, prop, receiver);
      return async (params: Parameters<typeof target.insert>[0]) => {
        if (mode.fail === 'before') throw new Error('connection refused (injected)');
        const r = await target.insert(params);
        if (mode.fail === 'after') throw new Error('socket hang up after insert (injected)');
        return r;
      };
    },
  });
  return { ...store, client };
}

const pageviews = (site: string) => sumPageviews(store, site);

function addPageviews(agg: Aggregator, site: string, n: number) {
  for (let i = 0; i < n; i++) {
    for (const cube of ['acquisition', 'pages', 'entry_pages', 'tech'] as const) {
      const dims = cube === 'acquisition' ? ['Google', 'Organic Search', 'google.com', '', '', '', '', ''] : cube === 'tech' ? ['desktop', 'Chrome', 'Windows'] : ['/'];
      agg.add(cube, T0, site, dims, String(1000 + i), { pageviews: 1, visits: 1, bounces: 1 });
    }
  }
}

describe('Flusher', () => {
  it('a batch whose insert landed but whose ack was lost is counted once on retry', async () => {
    const mode = { fail: 'after' as 'none' | 'before' | 'after' };
    const agg = new Aggregator();
    const logs: string[] = [];
    const flusher = new Flusher(faulty(mode), agg, new Spool(join(dir, 'spool-a')), new Metrics(), { intervalMs: 60_000, maxQueuedRows: 1_000_000, log: (l) => logs.push(l), minBackoffMs: 1 });
    addPageviews(agg, 'dedup.test', 7);
    await expect(flusher.flush()).rejects.toThrow(/injected/);
    expect(flusher.queuedBatches).toBe(1);
    expect(logs.join('\n')).toMatch(/retry in 1 ms/);
    mode.fail = 'none';
    await flusher.flush({ ignoreBackoff: true });
    expect(flusher.queuedBatches).toBe(0);
    expect(await pageviews('dedup.test')).toBe(7);
  });

  it('keeps failed batches, backs off, and inserts them in order when ClickHouse is back', async () => {
    const mode = { fail: 'before' as 'none' | 'before' | 'after' };
    const agg = new Aggregator();
    const metrics = new Metrics();
    const flusher = new Flusher(faulty(mode), agg, new Spool(join(dir, 'spool-b')), metrics, { intervalMs: 60_000, maxQueuedRows: 1_000_000, log: () => {}, minBackoffMs: 60_000 });
    addPageviews(agg, 'retry.test', 3);
    await expect(flusher.flush()).rejects.toThrow();
    addPageviews(agg, 'retry.test', 2);
    // Within the backoff a flush only queues the new rows; nothing is lost, nothing is tried.
    await flusher.flush();
    expect(flusher.queuedBatches).toBe(2);
    expect(metrics.value('telmark_flush_failures_total')).toBe(1);
    mode.fail = 'none';
    await flusher.flush({ ignoreBackoff: true });
    expect(await pageviews('retry.test')).toBe(5);
  });

  it('spills to the spool beyond its memory bound, spools the rest at close, and replays at start without double counting', async () => {
    const spoolDir = join(dir, 'spool-c');
    const mode = { fail: 'before' as 'none' | 'before' | 'after' };
    const agg = new Aggregator();
    // Each batch here is 4 cubes x 10 rows = 40 rows; the bound of 50 keeps one batch in memory.
    const flusher = new Flusher(faulty(mode), agg, new Spool(spoolDir), new Metrics(), { intervalMs: 60_000, maxQueuedRows: 50, log: () => {}, minBackoffMs: 1 });
    for (let b = 0; b < 3; b++) {
      addPageviews(agg, 'spool.test', 10);
      await flusher.flush({ ignoreBackoff: true }).catch(() => {});
    }
    expect(flusher.queuedRows()).toBeLessThanOrEqual(50);
    expect(readdirSync(spoolDir).filter((f) => f.endsWith('.json')).length).toBe(2);
    const closed = await flusher.close();
    expect(closed).toEqual({ flushed: false, spooled: 1 });
    const files = readdirSync(spoolDir).filter((f) => f.endsWith('.json'));
    expect(files.length).toBe(3);

    // Next start: the spool is replayed with the original batch ids.
    const next = new Flusher(store, new Aggregator(), new Spool(spoolDir), new Metrics(), { intervalMs: 60_000, maxQueuedRows: 50, log: () => {} });
    expect(next.replaySpool()).toBe(3);
    await next.flush();
    expect(await pageviews('spool.test')).toBe(30);
    expect(readdirSync(spoolDir).filter((f) => f.endsWith('.json'))).toEqual([]);
  });

  it('a burst of flush requests during a slow insert shares one follow-up flush', async () => {
    let inserts = 0;
    const slow: Store = {
      ...store,
      client: new Proxy(store.client, {
        get(target, prop, receiver) {
          if (prop !== 'insert') return Reflect.get(target, prop, receiver);
          return async (params: Parameters<typeof target.insert>[0]) => {
            inserts++;
            await new Promise((r) => setTimeout(r, 20));
            return target.insert(params);
          };
        },
      }),
    };
    const agg = new Aggregator();
    const flusher = new Flusher(slow, agg, new Spool(join(dir, 'spool-e')), new Metrics(), { intervalMs: 60_000, maxQueuedRows: 1_000_000, log: () => {} });
    addPageviews(agg, 'burst.test', 5);
    const first = flusher.flush();
    const burst = [];
    for (let i = 0; i < 1000; i++) {
      addPageviews(agg, 'burst.test', 1);
      burst.push(flusher.flush());
    }
    // One shared follow-up, not a chain of a thousand flushes.
    expect(new Set(burst).size).toBe(1);
    await Promise.all([first, ...burst]);
    // Two batches (the first, and one follow-up with the burst's rows), 4 cubes each.
    expect(inserts).toBe(8);
    expect(await pageviews('burst.test')).toBe(1005);
  });

  it('a spooled batch replayed twice (crash after insert, before delete) counts once', async () => {
    const spoolDir = join(dir, 'spool-d');
    const keep = join(dir, 'keep-d');
    const agg = new Aggregator();
    addPageviews(agg, 'replay.test', 4);
    const first = new Flusher(faulty({ fail: 'before' }), agg, new Spool(spoolDir), new Metrics(), { intervalMs: 60_000, maxQueuedRows: 1_000, log: () => {} });
    await first.close();
    const [file] = readdirSync(spoolDir).filter((f) => f.endsWith('.json'));
    new Spool(keep);
    copyFileSync(join(spoolDir, file!), join(keep, file!));
    const a = new Flusher(store, new Aggregator(), new Spool(spoolDir), new Metrics(), { intervalMs: 60_000, maxQueuedRows: 1_000, log: () => {} });
    a.replaySpool();
    await a.flush();
    copyFileSync(join(keep, file!), join(spoolDir, file!));
    const b = new Flusher(store, new Aggregator(), new Spool(spoolDir), new Metrics(), { intervalMs: 60_000, maxQueuedRows: 1_000, log: () => {} });
    b.replaySpool();
    await b.flush();
    expect(await pageviews('replay.test')).toBe(4);
  });
});
