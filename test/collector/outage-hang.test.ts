// A ClickHouse that does not answer: the insert hangs until the client's request timeout.
// (issue 11 §4) A real collector (real HTTP, real embedded chDB) whose ClickHouse client is
// switched to failing by fault injection at the client (test/helpers/store-faults.ts; no ClickHouse
// server can run here). The test clock makes minutes pass at once; the flush timer runs every
// 500 ms of real time, its backoff on the test clock. Exact counts: every beacon answered 202 is
// counted once (or, past both bounds, counted as discarded).
import { afterEach, expect, it } from 'vitest';
import { startOutage, type Outage } from '../helpers/outage.ts';
import { sumPageviews } from '../helpers/telmark.ts';

let outage: Outage | undefined;
afterEach(async () => {
  await outage?.destroy();
  outage = undefined;
});

it('a ClickHouse that does not answer (the insert hangs until its request timeout): pending and queued rows stay within MAX_PENDING_ROWS and MAX_QUEUED_ROWS, every beacon 202, nothing lost', async () => {
  const o = (outage = await startOutage({ MAX_PENDING_ROWS: '100' }));
  const { t, faults, load, until, health, linesLike, pagesCubePageviews } = o;
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
  await until('the backlog to be inserted', async () => (await t.metric('telmark_backlog_batches')) === 0 && (await health()).body.status === 'ok');
  await t.flush();
  expect(accepted).toBe(1010);
  expect(await sumPageviews(t.store, 'example.com')).toBe(accepted);
  expect(await pagesCubePageviews()).toBe(accepted);
  expect(linesLike(/flusher: ClickHouse is unreachable \(Timeout error/)).toHaveLength(1);
}, 120_000);
