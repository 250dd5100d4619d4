import { randomUUID } from 'node:crypto';
import { CUBE_NAMES, ingestTable, type CubeName } from '../schema/cubes.ts';
import type { Store } from '../schema/client.ts';
import { errorLine } from '../schema/errors.ts';
import type { Aggregator, IngestRow } from './aggregator.ts';
import type { Metrics } from './metrics.ts';
import type { Spool } from './spool.ts';

export interface Batch {
  /** Time-ordered id; with the cube name it is the insert_deduplication_token. */
  id: string;
  rows: Record<CubeName, IngestRow[]>;
}

/** A queued batch; without rows it lives only in the spool file until it is inserted. */
interface QueuedBatch {
  id: string;
  rows?: Record<CubeName, IngestRow[]>;
}

export interface FlusherOptions {
  intervalMs: number;
  /** Rows held in memory across failed flushes; older batches beyond it spill to the spool. */
  maxQueuedRows: number;
  log: (msg: string) => void;
  /** For tests: the first retry waits this long, doubling up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Told the oldest minute of every inserted batch (the day closer re-closes days a late batch touched). */
  onInserted?: (oldestMinute: string) => void;
  /** Told after every batch is in (whole or in part: a failed batch may have inserted some cubes). */
  afterInsert?: () => void;
}

const rowCount = (rows: Record<CubeName, IngestRow[]>) => CUBE_NAMES.reduce((n, c) => n + rows[c].length, 0);

/**
 * Moves aggregates from memory to ClickHouse. Every FLUSH_INTERVAL_MS (or sooner, when the
 * aggregator passes its bound) the pending sums become a batch; batches are inserted in order,
 * each cube with its own deduplication token, so a batch retried after a half-failed flush is
 * counted once. A failed batch stays queued and is retried with exponential backoff; what does
 * not fit in memory goes to the spool and is replayed at the next start.
 */
export class Flusher {
  private queue: QueuedBatch[] = [];
  private running: Promise<void> | undefined;
  private followUp: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private nextAttemptAt = 0;
  private seq = 0;

  constructor(
    private readonly store: Store,
    private readonly aggregator: Aggregator,
    private readonly spool: Spool,
    private readonly metrics: Metrics,
    private readonly opts: FlusherOptions,
  ) {
    metrics.describe('telmark_flush_total', 'Batches inserted into ClickHouse.');
    metrics.describe('telmark_flush_failures_total', 'Failed batch inserts (retried).');
    metrics.gauge('telmark_pending_rows', () => this.aggregator.size);
    metrics.gauge('telmark_queued_rows', () => this.queuedRows());
    metrics.gauge('telmark_spooled_batches', () => this.spool.count());
  }

  /** Batches left in the spool by an earlier run go first, with their original ids. */
  replaySpool(): number {
    const batches: QueuedBatch[] = this.spool.ids().map((id) => ({ id }));
    this.queue.unshift(...batches);
    if (batches.length) this.opts.log(`flusher: replaying ${batches.length} spooled batch(es)`);
    return batches.length;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(() => {}), this.opts.intervalMs);
    this.timer.unref();
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  queuedRows(): number {
    return this.queue.reduce((n, b) => (b.rows ? n + rowCount(b.rows) : n), 0);
  }

  get queuedBatches(): number {
    return this.queue.length;
  }

  /**
   * Drains the aggregator and inserts every queued batch; resolves when done or after a failure.
   * Calls made while a flush runs share one follow-up flush, so a burst of callers (every beacon
   * past MAX_PENDING_ROWS asks for one) never builds a chain of flushes.
   */
  flush(opts: { ignoreBackoff?: boolean } = {}): Promise<void> {
    if (this.running) {
      this.followUp ??= this.running
        .catch(() => {})
        .then(() => {
          this.followUp = undefined;
          return this.flush(opts);
        });
      return this.followUp;
    }
    this.running = this.doFlush(opts.ignoreBackoff ?? false).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async doFlush(ignoreBackoff: boolean): Promise<void> {
    if (this.aggregator.size > 0) {
      const id = `${Date.now().toString(36).padStart(9, '0')}-${(this.seq++).toString(36)}-${randomUUID()}`;
      this.queue.push({ id, rows: this.aggregator.drain() });
    }
    this.spillOverflow();
    if (!ignoreBackoff && Date.now() < this.nextAttemptAt) return;
    while (this.queue.length > 0) {
      const batch = this.queue[0]!;
      try {
        await this.insert(batch);
      } catch (err) {
        this.failures++;
        this.metrics.inc('telmark_flush_failures_total');
        const min = this.opts.minBackoffMs ?? 1000;
        const wait = Math.min(this.opts.maxBackoffMs ?? 60_000, min * 2 ** (this.failures - 1));
        this.nextAttemptAt = Date.now() + wait;
        this.opts.log(`flusher: insert failed (${errorLine(err)}); ${this.queue.length} batch(es) kept, retry in ${wait} ms`);
        throw err;
      }
      this.queue.shift();
      if (!batch.rows) this.spool.remove(batch.id);
      this.failures = 0;
      this.nextAttemptAt = 0;
      this.metrics.inc('telmark_flush_total');
    }
  }

  private async insert(batch: QueuedBatch): Promise<void> {
    const rows = batch.rows ?? this.spool.read(batch.id).rows;
    if (this.opts.onInserted) {
      let oldest = '';
      for (const cube of CUBE_NAMES) for (const r of rows[cube]) if (oldest === '' || r.ts < oldest) oldest = r.ts;
      if (oldest) this.opts.onInserted(oldest);
    }
    try {
      for (const cube of CUBE_NAMES) {
        const values = rows[cube];
        if (values.length === 0) continue;
        await this.store.client.insert({
          table: this.store.table(ingestTable(cube)),
          values,
          format: 'JSONEachRow',
          clickhouse_settings: {
            insert_deduplicate: 1,
            insert_deduplication_token: `${batch.id}:${cube}`,
            deduplicate_blocks_in_dependent_materialized_views: 1,
          },
        });
      }
    } finally {
      this.opts.afterInsert?.();
    }
  }

  /** Keeps memory bounded while ClickHouse is away: the oldest in-memory batches go to disk. */
  private spillOverflow(): void {
    let inMemory = this.queuedRows();
    for (const batch of this.queue) {
      if (inMemory <= this.opts.maxQueuedRows) break;
      if (!batch.rows) continue;
      this.spool.write({ id: batch.id, rows: batch.rows });
      inMemory -= rowCount(batch.rows);
      batch.rows = undefined;
      this.opts.log(`flusher: spilled batch ${batch.id} to the spool`);
    }
  }

  /** Final flush at shutdown: whatever cannot be inserted is written to the spool. */
  async close(): Promise<{ flushed: boolean; spooled: number }> {
    this.stopTimer();
    try {
      await this.flush({ ignoreBackoff: true });
      return { flushed: true, spooled: 0 };
    } catch {
      let spooled = 0;
      for (const b of this.queue) {
        if (b.rows) {
          this.spool.write({ id: b.id, rows: b.rows });
          spooled++;
        }
      }
      this.queue = [];
      return { flushed: false, spooled };
    }
  }
}
