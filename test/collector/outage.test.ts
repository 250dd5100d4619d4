// The database goes away while beacons keep coming (issue 11 §4): a real collector (real HTTP, real
// embedded chDB) whose ClickHouse client is switched to failing by fault injection at the client
// (test/helpers/store-faults.ts; no ClickHouse server can run here). The test clock makes the
// outage's minute pass at once; the flush timer runs every 100 ms of real time, its backoff on the
// test clock. Exact counts: every beacon answered 202 is counted once (or, past both bounds,
// counted as discarded).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cubeTable } from '../../schema/cubes.ts';
import type { Store } from '../../schema/client.ts';
import { StoreFaults } from '../helpers/store-faults.ts';
import { pageview, startTestTelmark, sumPageviews, T0, type TestTelmark } from '../helpers/telmark.ts';

const ENV = { FLUSH_INTERVAL_MS: '100', MAX_QUEUED_ROWS: '1000' };
let t: TestTelmark | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

let next = 0;
/** `n` pageviews, each from a new visitor (its own address), 10 at a time; every one must be answered 202. */
async function load(n: number): Promise<number> {
  const statuses: number[] = [];
  const one = async () => {
    const i = next++;
    const res = await t!.beacon(pageview(`https://example.com/p/${i % 50}`), { 'x-forwarded-for': `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` });
    statuses.push(res.status);
    await res.body?.cancel();
  };
  for (let sent = 0; sent < n; ) {
    const k = Math.min(10, n - sent);
    await Promise.all(Array.from({ length: k }, one));
    sent += k;
  }
  expect(statuses.filter((s) => s !== 202)).toEqual([]);
  return n;
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${t?.logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function health(): Promise<{ status: number; body: any }> {
  const res = await fetch(`${t!.collectorUrl}/healthz`);
  return { status: res.status, body: await res.json() };
}

async function pagesCubePageviews(store: Store): Promise<number> {
  const rs = await store.client.query({
    query: `SELECT sum(pageviews) AS n FROM ${store.table(cubeTable('pages', 'hour'))} WHERE site = 'example.com'`,
    format: 'JSONEachRow',
  });
  return Number((await rs.json<{ n: string }>())[0]!.n);
}

const linesLike = (re: RegExp) => t!.logs.filter((l) => re.test(l));
/** The flusher has run since the last beacon (it drains the pending aggregates every time it runs). */
const drained = () => until('a flush after the last beacon', async () => (await t!.metric('telmark_pending_rows')) === 0);

it('server mode, by fault injection at the client: ClickHouse unreachable for 60 s under load; every beacon 202, /healthz degraded, /metrics backlog, nothing lost, nothing counted twice', async () => {
  const faults = new StoreFaults();
  t = await startTestTelmark(ENV, T0, { wrapStore: (s) => faults.wrap(s) });
  let accepted = await load(200);
  await t.flush();
  expect(await sumPageviews(t.store, 'example.com')).toBe(200);
  expect(await health()).toEqual({ status: 200, body: { status: 'ok' } });
  expect(await t.metric('telmark_store_up')).toBe(1);

  faults.fault = 'unreachable';
  const outageStart = t.clock.ms;
  // A minute of outage on the test clock, 50 new visitors in each second of it.
  for (let s = 0; s < 60; s++) {
    accepted += await load(50);
    t.clock.advance(1);
  }
  await drained();

  const during = await health();
  expect(during.status).toBe(200);
  expect(during.body).toMatchObject({ status: 'degraded', store: 'unreachable', spool: 'ok', discarded_rows: 0 });
  const since = Date.parse(during.body.since);
  expect(since).toBeGreaterThanOrEqual(outageStart);
  expect(since).toBeLessThanOrEqual(outageStart + 60_000);
  // Backoff on the test clock: 1, 2, 4, ... s, so a minute holds a handful of attempts, not 600.
  expect(during.body.failed_flushes).toBeGreaterThanOrEqual(3);
  expect(during.body.failed_flushes).toBeLessThanOrEqual(8);
  const { batches, rows, spooled_batches } = during.body.backlog;
  expect(batches).toBeGreaterThanOrEqual(2);
  expect(spooled_batches).toBeGreaterThanOrEqual(1);
  expect(rows).toBeGreaterThan(1000);
  // /metrics says the same; memory holds at most MAX_QUEUED_ROWS, the rest is in the spool.
  expect(await t.metric('telmark_store_up')).toBe(0);
  expect(await t.metric('telmark_backlog_batches')).toBe(batches);
  expect(await t.metric('telmark_backlog_rows')).toBe(rows);
  expect(await t.metric('telmark_spooled_batches')).toBe(spooled_batches);
  expect(await t.metric('telmark_flush_failures_total')).toBe(during.body.failed_flushes);
  expect(await t.metric('telmark_queued_rows')).toBeLessThanOrEqual(1000);
  expect(readdirSync(join(t.dataDir, 'spool')).filter((f) => f.endsWith('.json')).length).toBe(spooled_batches);
  // One line for the outage, however many retries.
  expect(linesLike(/flusher: ClickHouse is unreachable/)).toHaveLength(1);
  expect(linesLike(/flusher:/)).toHaveLength(2); // the outage, and the first spill to the spool
  expect(linesLike(/could not refresh/).length).toBeLessThanOrEqual(2);
  expect(await sumPageviews(t.store, 'example.com')).toBe(200);

  // It comes back, but the first insert's answer is lost on the way (the insert landed): the
  // retry carries the same insert_deduplication_token and is not counted twice.
  const failedInserts = faults.failed.insert ?? 0;
  faults.fault = 'lost_ack';
  t.clock.advance(61);
  await until('the lost acknowledgement', () => (faults.failed.insert ?? 0) === failedInserts + 1);
  faults.fault = 'none';
  t.clock.advance(61);
  await until('the backlog to be inserted', async () => (await t!.metric('telmark_backlog_batches')) === 0 && (await health()).body.status === 'ok');
  accepted += await load(100);
  await t.flush();

  expect(await sumPageviews(t.store, 'example.com')).toBe(accepted);
  expect(await pagesCubePageviews(t.store)).toBe(accepted);
  expect(accepted).toBe(3300);
  expect(await t.metric('telmark_store_up')).toBe(1);
  expect(await t.metric('telmark_spooled_batches')).toBe(0);
  expect(readdirSync(join(t.dataDir, 'spool')).filter((f) => f.endsWith('.json'))).toEqual([]);
  expect(linesLike(/flusher: ClickHouse takes inserts again after \d+ s/)).toHaveLength(1);
  expect(linesLike(/flusher: backlog inserted$/)).toHaveLength(1);
}, 60_000);

it('embedded: a full disk, then an unwritable data directory, during flushes; the spool unwritable for a while: 202s, bounded memory, one log line per change, degraded, and every pageview counted or counted as discarded', async () => {
  const faults = new StoreFaults();
  t = await startTestTelmark(ENV, T0, { wrapStore: (s) => faults.wrap(s) });
  let accepted = await load(100);
  await t.flush();
  const spoolDir = join(t.dataDir, 'spool');

  // The disk is full, and the spool cannot be written either: its directory is replaced by a
  // plain file (chmod would not stop root, which runs these tests), so writes fail with ENOTDIR.
  faults.fault = 'disk_full';
  rmSync(spoolDir, { recursive: true });
  writeFileSync(spoolDir, '');
  for (let s = 0; s < 20; s++) {
    accepted += await load(50);
    t.clock.advance(1);
  }
  await drained();
  const a = await health();
  expect(a.status).toBe(200);
  expect(a.body).toMatchObject({ status: 'degraded', store: 'disk_full', spool: 'not_writable' });
  expect(a.body.backlog.spooled_batches).toBe(0);
  expect(a.body.discarded_rows).toBeGreaterThan(0);
  // Memory stays within MAX_QUEUED_ROWS: past it, with nowhere to spill, the oldest batches go.
  expect(await t.metric('telmark_queued_rows')).toBeLessThanOrEqual(1000);
  expect(await t.metric('telmark_discarded_rows_total')).toBe(a.body.discarded_rows);
  const discardedA = await t.metric('telmark_discarded_pageviews_total');
  expect(discardedA).toBeGreaterThan(0);
  expect(await t.metric('telmark_spool_write_failures_total')).toBeGreaterThanOrEqual(1);
  expect(linesLike(/flusher: ClickHouse's disk is full \(Code: 74/)).toHaveLength(1);
  expect(linesLike(/flusher: cannot write the spool \(ENOTDIR/)).toHaveLength(1);
  expect(linesLike(/flusher: memory .* and spool both full: discarding/)).toHaveLength(1);

  // The spool is writable again, the disk for ClickHouse still full: batches past the memory
  // bound go to the spool, and nothing more is discarded.
  rmSync(spoolDir);
  mkdirSync(spoolDir);
  for (let s = 0; s < 20; s++) {
    accepted += await load(50);
    t.clock.advance(1);
  }
  await drained();
  const b = await health();
  expect(b.body).toMatchObject({ status: 'degraded', store: 'disk_full', spool: 'ok', discarded_rows: a.body.discarded_rows });
  expect(b.body.backlog.spooled_batches).toBeGreaterThanOrEqual(1);
  expect(await t.metric('telmark_discarded_pageviews_total')).toBe(discardedA);
  expect(linesLike(/flusher: the spool takes writes again/)).toHaveLength(1);
  expect(linesLike(/flusher: .*older batches go to the spool/)).toHaveLength(1);

  // Now the data directory is not writable (EACCES-shaped): a change of kind gets its own line.
  faults.fault = 'not_writable';
  t.clock.advance(61);
  await until('a failure of the new kind', async () => (await health()).body.store === 'not_writable');
  accepted += await load(50);
  expect(linesLike(/flusher: ClickHouse's data directory is not writable \(Code: 76/)).toHaveLength(1);

  faults.fault = 'none';
  t.clock.advance(61);
  await until('the backlog to be inserted', async () => (await t!.metric('telmark_backlog_batches')) === 0 && (await health()).body.status === 'ok');
  await t.flush();
  const counted = await sumPageviews(t.store, 'example.com');
  expect(await pagesCubePageviews(t.store)).toBe(counted);
  expect(accepted).toBe(2150);
  expect(counted + discardedA).toBe(accepted);
  expect(readdirSync(spoolDir).filter((f) => f.endsWith('.json'))).toEqual([]);
  expect(linesLike(/flusher: ClickHouse takes inserts again/)).toHaveLength(1);
  expect(linesLike(/flusher: backlog inserted; \d+ row\(s\) were discarded/)).toHaveLength(1);
  // Reads kept working on a full disk: the site and goal refreshes never complained.
  expect(linesLike(/could not refresh/)).toEqual([]);
}, 60_000);

it('a ClickHouse that does not answer (the insert hangs until its request timeout): pending and queued rows stay within MAX_PENDING_ROWS and MAX_QUEUED_ROWS, every beacon 202, nothing lost', async () => {
  const faults = new StoreFaults();
  t = await startTestTelmark({ ...ENV, MAX_PENDING_ROWS: '100' }, T0, { wrapStore: (s) => faults.wrap(s) });
  faults.fault = 'hanging';
  let accepted = await load(10);
  await until('an insert to hang', () => faults.hung.insert === 1);
  accepted += await load(1000);
  // The hung flush has not returned, yet every beacon past MAX_PENDING_ROWS cut the pending rows
  // into a batch, and batches past MAX_QUEUED_ROWS went to the spool.
  const perBeacon = 20; // rows one pageview adds, at most
  expect(await t.metric('telmark_pending_rows')).toBeLessThan(100 + perBeacon);
  expect(await t.metric('telmark_queued_rows')).toBeLessThanOrEqual(1000);
  expect(await t.metric('telmark_spooled_batches')).toBeGreaterThan(0);
  expect(await t.metric('telmark_backlog_batches')).toBeGreaterThan(3);
  // One insert hangs; the flushes asked for meanwhile share one follow-up instead of piling up.
  expect(faults.hung.insert).toBe(1);
  expect(faults.failed.insert ?? 0).toBe(0);

  faults.fault = 'none'; // the hung call now fails as its timeout would
  await until('the timeout to be seen', async () => (await health()).body.store === 'unreachable');
  t.clock.advance(2);
  await until('the backlog to be inserted', async () => (await t!.metric('telmark_backlog_batches')) === 0 && (await health()).body.status === 'ok');
  await t.flush();
  expect(accepted).toBe(1010);
  expect(await sumPageviews(t.store, 'example.com')).toBe(accepted);
  expect(await pagesCubePageviews(t.store)).toBe(accepted);
  expect(linesLike(/flusher: ClickHouse is unreachable \(Timeout error/)).toHaveLength(1);
}, 60_000);
