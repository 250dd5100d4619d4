// ClickHouse unreachable for a minute under load, then back with a lost acknowledgement.
// (issue 11 §4) A real collector (real HTTP, real embedded chDB) whose ClickHouse client is
// switched to failing by fault injection at the client (test/helpers/store-faults.ts; no ClickHouse
// server can run here). The test clock makes minutes pass at once; the flush timer runs every
// 500 ms of real time, its backoff on the test clock. Exact counts: every beacon answered 202 is
// counted once (or, past both bounds, counted as discarded).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startOutage, type Outage } from '../helpers/outage.ts';
import { sumPageviews } from '../helpers/telmark.ts';

let outage: Outage | undefined;
afterEach(async () => {
  await outage?.destroy();
  outage = undefined;
});

it('server mode, by fault injection at the client: ClickHouse unreachable for 60 s under load; every beacon 202, /healthz degraded, /metrics backlog, nothing lost, nothing counted twice', async () => {
  const o = (outage = await startOutage());
  const { t, faults, load, until, health, linesLike, drained, pagesCubePageviews } = o;
  let accepted = await load(200);
  await t.flush();
  expect(await sumPageviews(t.store, 'example.com')).toBe(200);
  expect(await health()).toEqual({ status: 200, body: { status: 'ok' } });
  expect(await t.metric('telmark_store_up')).toBe(1);

  faults.fault = 'unreachable';
  const outageStart = t.clock.ms;
  // A minute of outage on the test clock, 30 new visitors in each second of it.
  for (let s = 0; s < 60; s++) {
    accepted += await load(30);
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
  console.log(
    `outage: 1800 beacons (new visitors) during the outage -> backlog ${batches} batches, ${rows} rows (${(rows / 1800).toFixed(1)} per beacon), ` +
      `${spooled_batches} spooled (${during.body.backlog.spooled_bytes} bytes, ${Math.round(during.body.backlog.spooled_bytes / Math.max(1, rows - (await t.metric('telmark_queued_rows'))))} bytes per row), ${during.body.failed_flushes} failed flushes`,
  );
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
  await until('the backlog to be inserted', async () => (await t.metric('telmark_backlog_batches')) === 0 && (await health()).body.status === 'ok');
  accepted += await load(100);
  await t.flush();

  expect(await sumPageviews(t.store, 'example.com')).toBe(accepted);
  expect(await pagesCubePageviews()).toBe(accepted);
  expect(accepted).toBe(2100);
  expect(await t.metric('telmark_store_up')).toBe(1);
  expect(await t.metric('telmark_spooled_batches')).toBe(0);
  expect(readdirSync(join(t.dataDir, 'spool')).filter((f) => f.endsWith('.json'))).toEqual([]);
  expect(linesLike(/flusher: ClickHouse takes inserts again after \d+ s/)).toHaveLength(1);
  expect(linesLike(/flusher: backlog inserted$/)).toHaveLength(1);
}, 120_000);
