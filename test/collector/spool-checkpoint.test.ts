// SPOOL_INTERVAL_MS checkpoints against real embedded ClickHouse: what a checkpoint puts on disk
// is replayed after a crash, and never counted twice, whichever side of the flush the crash falls
// on (the checkpoint bears the id, hence the deduplication token, of the batch it becomes).
// Crashes are played by abandoning a flusher and copying spool files as they were at that instant.
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Aggregator } from '../../collector/aggregator.ts';
import { Flusher } from '../../collector/flusher.ts';
import { Metrics } from '../../collector/metrics.ts';
import { Spool } from '../../collector/spool.ts';
import { openStore, type Store } from '../../schema/client.ts';
import { migrate } from '../../schema/migrate.ts';
import { StoreFaults } from '../helpers/store-faults.ts';
import { sumPageviews, T0, tempDir, type TempDir } from '../helpers/telmark.ts';

let tmp: TempDir;
let store: Store;
beforeAll(async () => {
  tmp = tempDir('telmark-checkpoint-');
  store = openStore({ mode: 'embedded', dataDir: tmp.path, database: 'telmark' });
  await migrate(store, { retentionMonths: 25 });
});
afterAll(async () => {
  await store.close();
  tmp.remove();
});

function addPageviews(agg: Aggregator, site: string, n: number, from = 0) {
  for (let i = from; i < from + n; i++) {
    agg.add('acquisition', T0, site, ['Google', 'Organic Search', 'google.com', '', '', '', '', ''], String(1000 + i), { pageviews: 1, visits: 1, bounces: 1 });
    agg.add('pages', T0, site, ['/'], String(1000 + i), { pageviews: 1, visits: 1, bounces: 1 });
  }
}

const jsonFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.json'));
/** The spool directory as it is now, copied aside: what a crash at this instant leaves on disk. */
function snapshotDir(from: string, name: string): string {
  const to = join(tmp.path, name);
  mkdirSync(to, { recursive: true });
  for (const f of jsonFiles(from)) copyFileSync(join(from, f), join(to, f));
  return to;
}
const flusher = (s: Store, agg: Aggregator, dir: string) =>
  new Flusher(s, agg, new Spool(dir), new Metrics(), { intervalMs: 60_000, maxQueuedRows: 1_000_000, log: () => {}, spoolIntervalMs: 1_000, minBackoffMs: 1 });

/** A new process on the spool a crash left: replays it; returns what it replayed. */
async function restartOn(dir: string): Promise<number> {
  const next = flusher(store, new Aggregator(), dir);
  const replayed = next.replaySpool();
  await next.flush();
  expect(jsonFiles(dir)).toEqual([]);
  return replayed;
}

it('a checkpoint whose rows were then flushed is skipped when a crash leaves it behind: counted once', async () => {
  const dir = join(tmp.path, 'spool-a');
  const agg = new Aggregator();
  const f = flusher(store, agg, dir);
  addPageviews(agg, 'flushed.test', 5);
  f.checkpoint();
  expect(jsonFiles(dir)).toHaveLength(1);
  // The crash falls after the flush's insert and before its file was removed.
  const crashed = snapshotDir(dir, 'crash-a');
  addPageviews(agg, 'flushed.test', 3, 5);
  await f.flush();
  expect(jsonFiles(dir)).toEqual([]);
  expect(await sumPageviews(store, 'flushed.test')).toBe(8);

  expect(await restartOn(crashed)).toBe(1);
  expect(await sumPageviews(store, 'flushed.test')).toBe(8);
});

it('a crash before the flush: the restart counts what the last checkpoint saw, once, and loses only what came after it', async () => {
  const dir = join(tmp.path, 'spool-b');
  const agg = new Aggregator();
  const f = flusher(store, agg, dir);
  addPageviews(agg, 'crashed.test', 4);
  f.checkpoint();
  addPageviews(agg, 'crashed.test', 2, 4);
  f.checkpoint();
  // Rewritten in place under the same id: still one file, now with all 6.
  expect(jsonFiles(dir)).toHaveLength(1);
  addPageviews(agg, 'crashed.test', 1, 6); // after the last checkpoint: the crash loses it
  expect(await restartOn(dir)).toBe(1);
  expect(await sumPageviews(store, 'crashed.test')).toBe(6);
});

it('batches of a failed flush go to disk at the next checkpoint and stay in memory; inserted later, a crash copy of them counts once', async () => {
  const dir = join(tmp.path, 'spool-c');
  const faults = new StoreFaults();
  faults.fault = 'unreachable';
  const agg = new Aggregator();
  const f = flusher(faults.wrap(store), agg, dir);
  addPageviews(agg, 'queued.test', 3);
  await expect(f.flush()).rejects.toThrow(/ECONNREFUSED/);
  addPageviews(agg, 'queued.test', 2, 3);
  f.checkpoint();
  // One file for the failed batch, one for the pending aggregates; the batch is still in memory.
  expect(jsonFiles(dir)).toHaveLength(2);
  expect(f.queuedRows()).toBe(6);
  expect(f.health()).toMatchObject({ store: 'unreachable', backlogBatches: 1, backlogRows: 6, spooledBatches: 2 });
  const crashed = snapshotDir(dir, 'crash-c');

  faults.fault = 'none';
  await f.flush({ ignoreBackoff: true });
  expect(jsonFiles(dir)).toEqual([]);
  expect(f.health()).toMatchObject({ store: 'ok', backlogBatches: 0, spooledBatches: 0 });
  expect(await sumPageviews(store, 'queued.test')).toBe(5);

  expect(await restartOn(crashed)).toBe(2);
  expect(await sumPageviews(store, 'queued.test')).toBe(5);
});

it('the spool is bounded by MAX_SPOOL_BYTES: a write past it is refused whole, and the restart learns each file\'s rows from its first bytes', async () => {
  const dir = join(tmp.path, 'spool-d');
  const agg = new Aggregator();
  addPageviews(agg, 'bounded.test', 10);
  const rows = agg.drain();
  const probe = new Spool(join(tmp.path, 'probe-d'));
  probe.write({ id: 'a', rows });
  const one = probe.bytes();
  const max = Math.floor(one * 1.5);
  const spool = new Spool(dir, max);
  spool.write({ id: 'a', rows });
  expect(spool.bytes()).toBe(one);
  expect(() => spool.write({ id: 'b', rows })).toThrow(`MAX_SPOOL_BYTES=${max}`);
  expect(jsonFiles(dir)).toEqual(['a.json']);
  // Rewriting a file under its own id replaces it (a checkpoint growing in place).
  spool.write({ id: 'a', rows });
  expect(spool.bytes()).toBe(one);
  const reopened = new Spool(dir, max);
  expect(reopened.ids()).toEqual(['a']);
  expect(reopened.rowsOf('a')).toBe(20);
  expect(reopened.bytes()).toBe(one);
});

it('past MAX_QUEUED_ROWS and MAX_SPOOL_BYTES the oldest in-memory batches are discarded, counted by rows and pageviews, and logged once', async () => {
  const dir = join(tmp.path, 'spool-e');
  // One batch of 10 pageviews (20 rows) fits the spool, two do not.
  const probeAgg = new Aggregator();
  addPageviews(probeAgg, 'discard.test', 10);
  const probe = new Spool(join(tmp.path, 'probe-e'));
  probe.write({ id: '0'.repeat(48), rows: probeAgg.drain() });
  const max = Math.floor(probe.bytes() * 1.5);

  const faults = new StoreFaults();
  faults.fault = 'unreachable';
  const agg = new Aggregator();
  const metrics = new Metrics();
  const logs: string[] = [];
  const f = new Flusher(faults.wrap(store), agg, new Spool(dir, max), metrics, { intervalMs: 60_000, maxQueuedRows: 20, log: (l) => logs.push(l), minBackoffMs: 1 });
  for (let b = 0; b < 4; b++) {
    addPageviews(agg, 'discard.test', 10, b * 10);
    await f.flush({ ignoreBackoff: true }).catch(() => {});
    expect(f.queuedRows()).toBeLessThanOrEqual(20);
  }
  // The first batch went to the spool; the second and third found it full and were discarded.
  expect(f.health()).toMatchObject({ store: 'unreachable', spool: 'full', backlogBatches: 2, spooledBatches: 1, discardedRows: 40 });
  expect(metrics.value('telmark_discarded_rows_total')).toBe(40);
  expect(metrics.value('telmark_discarded_pageviews_total')).toBe(20);
  expect(logs.filter((l) => /the spool is full \(MAX_SPOOL_BYTES=\d+\)/.test(l))).toHaveLength(1);
  expect(logs.filter((l) => /discarding the oldest batches/.test(l))).toHaveLength(1);

  faults.fault = 'none';
  await f.flush({ ignoreBackoff: true });
  expect(await sumPageviews(store, 'discard.test')).toBe(20);
  expect(f.health()).toMatchObject({ store: 'ok', spool: 'ok', backlogBatches: 0, spooledBatches: 0 });
  expect(logs.filter((l) => /backlog inserted; 40 row\(s\) were discarded/.test(l))).toHaveLength(1);
});

it('a damaged spool file is moved aside as .corrupt, logged and counted, and does not block the batches behind it', async () => {
  const dir = join(tmp.path, 'spool-f');
  const agg = new Aggregator();
  addPageviews(agg, 'damaged.test', 3);
  const spool = new Spool(dir);
  spool.write({ id: '1-good', rows: agg.drain() });
  writeFileSync(join(dir, '0-bad.json'), '{"id":"0-bad","rowCount":2,"rows":{"acquisition":[{"site":');
  const metrics = new Metrics();
  const logs: string[] = [];
  const f = new Flusher(store, new Aggregator(), new Spool(dir), metrics, { intervalMs: 60_000, maxQueuedRows: 1_000, log: (l) => logs.push(l) });
  expect(f.replaySpool()).toBe(2);
  await f.flush();
  expect(await sumPageviews(store, 'damaged.test')).toBe(3);
  expect(readdirSync(dir).sort()).toEqual(['0-bad.json.corrupt']);
  expect(metrics.value('telmark_spool_corrupt_total')).toBe(1);
  expect(logs.filter((l) => /spool file 0-bad\.json is not a batch; moved aside/.test(l))).toHaveLength(1);
  expect(f.health()).toMatchObject({ store: 'ok', backlogBatches: 0 });
});
