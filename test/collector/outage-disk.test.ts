// Embedded mode: a full disk, an unwritable data directory, an unwritable spool.
// (issue 11 §4) A real collector (real HTTP, real embedded chDB) whose ClickHouse client is
// switched to failing by fault injection at the client (test/helpers/store-faults.ts; no ClickHouse
// server can run here). The test clock makes minutes pass at once; the flush timer runs every
// 500 ms of real time, its backoff on the test clock. Exact counts: every beacon answered 202 is
// counted once (or, past both bounds, counted as discarded).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startOutage, type Outage } from '../helpers/outage.ts';
import { sumPageviews } from '../helpers/telmark.ts';

let outage: Outage | undefined;
afterEach(async () => {
  await outage?.destroy();
  outage = undefined;
});

it('embedded: a full disk, then an unwritable data directory, during flushes; the spool unwritable for a while: 202s, bounded memory, one log line per change, degraded, and every pageview counted or counted as discarded', async () => {
  const o = (outage = await startOutage());
  const { t, faults, load, until, health, linesLike, drained, pagesCubePageviews } = o;
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
  await until('the backlog to be inserted', async () => (await t.metric('telmark_backlog_batches')) === 0 && (await health()).body.status === 'ok');
  await t.flush();
  const counted = await sumPageviews(t.store, 'example.com');
  expect(await pagesCubePageviews()).toBe(counted);
  expect(accepted).toBe(2150);
  expect(counted + discardedA).toBe(accepted);
  expect(readdirSync(spoolDir).filter((f) => f.endsWith('.json'))).toEqual([]);
  expect(linesLike(/flusher: ClickHouse takes inserts again/)).toHaveLength(1);
  expect(linesLike(/flusher: backlog inserted; \d+ row\(s\) were discarded/)).toHaveLength(1);
  // Reads kept working on a full disk: the site and goal refreshes never complained.
  expect(linesLike(/could not refresh/)).toEqual([]);
}, 120_000);
