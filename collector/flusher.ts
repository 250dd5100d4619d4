import { randomUUID } from 'node:crypto';
import { CUBE_NAMES, ingestTable, type CubeName } from '../schema/cubes.ts';
import type { Store } from '../schema/client.ts';
import { errorLine } from '../schema/errors.ts';
import type { Aggregator, IngestRow } from './aggregator.ts';
import type { Metrics } from './metrics.ts';
import { SpoolFullError, type Spool } from './spool.ts';
import { classifyStoreError, describeStoreFault, type StoreFault, type StoreState } from './store-fault.ts';

export interface Batch {
  /** Time-ordered id; with the cube name it is the insert_deduplication_token. */
  id: string;
  rows: Record<CubeName, IngestRow[]>;
}

/** A queued batch; without rows it lives only in the spool file until it is inserted. */
interface QueuedBatch {
  id: string;
  rows?: Record<CubeName, IngestRow[]>;
  /** Its whole content is in the spool too (spilled, or written by a SPOOL_INTERVAL_MS checkpoint). */
  onDisk?: boolean;
}

/** Whether the spool took the last write, and if not, why. */
export type SpoolState = 'ok' | 'full' | StoreFault;

/** What /healthz and /metrics say about the way to ClickHouse. */
export interface FlusherHealth {
  store: StoreState;
  /** When the current fault began (ms); undefined while ok. */
  since?: number;
  /** Failed attempts since the last success. */
  failedAttempts: number;
  /** Batches waiting for ClickHouse (in memory or in the spool), and their rows. */
  backlogBatches: number;
  backlogRows: number;
  spooledBatches: number;
  spooledBytes: number;
  spool: SpoolState;
  /** Rows discarded since start because memory and spool were both full (metrics: telmark_discarded_rows_total). */
  discardedRows: number;
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
  /** The clock backoff and outage times are read from (tests make a minute pass at once). */
  now?: () => number;
  /** SPOOL_INTERVAL_MS: write the pending aggregates and every queued batch to the spool this often (0: never). */
  spoolIntervalMs?: number;
  /**
   * MAX_PENDING_ROWS: a flush asked for while another hangs (a server that does not answer
   * until its request timeout) still turns the pending aggregates into a queued batch at this
   * size, so they stay bounded too. Unset: they wait for the running flush.
   */
  maxPendingRows?: number;
}

const rowCount = (rows: Record<CubeName, IngestRow[]>) => CUBE_NAMES.reduce((n, c) => n + rows[c].length, 0);
const pageviewCount = (rows: Record<CubeName, IngestRow[]>) => rows.acquisition.reduce((n, r) => n + Number(r.pageviews ?? 0), 0);

/**
 * Moves aggregates from memory to ClickHouse. Every FLUSH_INTERVAL_MS (or sooner, when the
 * aggregator passes its bound) the pending sums become a batch; batches are inserted in order,
 * each cube with its own deduplication token, so a batch retried after a half-failed flush is
 * counted once. A failed batch stays queued and is retried with exponential backoff; what does
 * not fit in memory goes to the spool and is replayed at the next start.
 *
 * Bounds while ClickHouse is away: MAX_QUEUED_ROWS rows in memory, MAX_SPOOL_BYTES on disk. When
 * both are full (or the spool cannot be written at all: a full or read-only disk), the oldest
 * in-memory batch is discarded, counted in telmark_discarded_rows_total and
 * telmark_discarded_pageviews_total; beacons are still answered 202 throughout.
 *
 * The log gets one line per change of state (ClickHouse down, of which kind, and back; the
 * spool refusing writes, and writable again; discarding begun), never one per retry.
 */
export class Flusher {
  private queue: QueuedBatch[] = [];
  private running: Promise<void> | undefined;
  private followUp: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private spoolTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private nextAttemptAt = 0;
  private seq = 0;
  private readonly now: () => number;
  private storeState: StoreState = 'ok';
  private storeSince: number | undefined;
  private spoolState: SpoolState = 'ok';
  private spilling = false;
  private discarding = false;
  private discardedRows = 0;
  /** The id the pending aggregates will get when drained; their checkpoint file already bears it. */
  private nextId: string | undefined;
  /** The batch being inserted: never discarded under the insert's feet. */
  private inFlight: QueuedBatch | undefined;

  constructor(
    private readonly store: Store,
    private readonly aggregator: Aggregator,
    private readonly spool: Spool,
    private readonly metrics: Metrics,
    private readonly opts: FlusherOptions,
  ) {
    this.now = opts.now ?? Date.now;
    metrics.describe('telmark_flush_total', 'Batches inserted into ClickHouse.');
    metrics.describe('telmark_flush_failures_total', 'Failed batch inserts (retried).');
    metrics.describe('telmark_discarded_rows_total', 'Aggregate rows discarded because MAX_QUEUED_ROWS and the spool were both full during an outage.');
    metrics.describe('telmark_discarded_pageviews_total', 'Pageviews in the discarded rows.');
    metrics.describe('telmark_spool_write_failures_total', 'Spool writes refused (disk full, not writable, MAX_SPOOL_BYTES).');
    metrics.describe('telmark_spool_corrupt_total', 'Spool files that were not a batch (damaged), moved aside as .corrupt.');
    metrics.gauge('telmark_store_up', () => (this.storeState === 'ok' ? 1 : 0));
    metrics.gauge('telmark_pending_rows', () => this.aggregator.size);
    metrics.gauge('telmark_queued_rows', () => this.queuedRows());
    metrics.gauge('telmark_backlog_batches', () => this.queue.length);
    metrics.gauge('telmark_backlog_rows', () => this.backlogRows());
    metrics.gauge('telmark_spooled_batches', () => this.spool.count());
    metrics.gauge('telmark_spooled_bytes', () => this.spool.bytes());
  }

  health(): FlusherHealth {
    return {
      store: this.storeState,
      since: this.storeSince,
      failedAttempts: this.failures,
      backlogBatches: this.queue.length,
      backlogRows: this.backlogRows(),
      spooledBatches: this.spool.count(),
      spooledBytes: this.spool.bytes(),
      spool: this.spoolState,
      discardedRows: this.discardedRows,
    };
  }

  /** Rows of the queued batches, in memory or in the spool (the pending aggregates not included). */
  backlogRows(): number {
    return this.queue.reduce((n, b) => n + (b.rows ? rowCount(b.rows) : this.spool.rowsOf(b.id)), 0);
  }

  /** Batches left in the spool by an earlier run go first, with their original ids. */
  replaySpool(): number {
    const batches: QueuedBatch[] = this.spool.ids().map((id) => ({ id, onDisk: true }));
    this.queue.unshift(...batches);
    if (batches.length) this.opts.log(`flusher: replaying ${batches.length} spooled batch(es)`);
    return batches.length;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush().catch(() => {}), this.opts.intervalMs);
    this.timer.unref();
    if (this.opts.spoolIntervalMs) {
      this.spoolTimer = setInterval(() => this.checkpoint(), this.opts.spoolIntervalMs);
      this.spoolTimer.unref();
    }
  }

  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.spoolTimer) clearInterval(this.spoolTimer);
    this.timer = undefined;
    this.spoolTimer = undefined;
  }

  /** Rows held in memory (bounded by MAX_QUEUED_ROWS). */
  queuedRows(): number {
    return this.queue.reduce((n, b) => (b.rows ? n + rowCount(b.rows) : n), 0);
  }

  /**
   * SPOOL_INTERVAL_MS: puts on disk every queued batch not there yet, and the pending aggregates
   * under the id they will have when drained, so a hard crash loses at most one interval (plus
   * the abuse hold, whose events wait for the abuse buffer's in-memory verdict and so are not
   * written: counted after a restart, a burst's held events would escape being dropped).
   * Why this cannot count twice: a checkpoint of the pending aggregates is a part of the batch
   * that later bears its id, and ClickHouse deduplicates on the id (the token), not the content.
   * If that batch was inserted before the crash, the replayed checkpoint is skipped as a
   * duplicate; if not, the checkpoint is what survived and is counted once. Its file is removed
   * (or rewritten whole) once the batch is in (or queued).
   */
  checkpoint(): void {
    try {
      for (const b of this.queue) {
        if (!b.rows || b.onDisk) continue;
        this.spool.write({ id: b.id, rows: b.rows });
        b.onDisk = true;
      }
      if (this.aggregator.size > 0) {
        this.nextId ??= this.newId();
        this.spool.write({ id: this.nextId, rows: this.aggregator.snapshot() });
      }
      this.spoolWritten();
    } catch (err) {
      this.spoolRefused(err);
    }
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
      if (this.opts.maxPendingRows !== undefined && this.aggregator.size >= this.opts.maxPendingRows) this.cut();
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

  /** Time-ordered (wall clock, so ids also sort across restarts) and unique. */
  private newId(): string {
    return `${Date.now().toString(36).padStart(9, '0')}-${(this.seq++).toString(36)}-${randomUUID()}`;
  }

  /** The pending aggregates become a queued batch; memory past its bound spills or is discarded. */
  private cut(): void {
    if (this.aggregator.size > 0) {
      const id = this.nextId ?? this.newId();
      this.nextId = undefined;
      // A checkpoint file may bear this id already: it holds part of these rows; onDisk stays
      // false so the next checkpoint or spill rewrites it whole.
      this.queue.push({ id, rows: this.aggregator.drain() });
    }
    this.spillOverflow();
  }

  private async doFlush(ignoreBackoff: boolean): Promise<void> {
    this.cut();
    if (!ignoreBackoff && this.now() < this.nextAttemptAt) return;
    while (this.queue.length > 0) {
      const batch = this.queue[0]!;
      this.inFlight = batch;
      let inserted: boolean;
      try {
        inserted = await this.insert(batch);
      } catch (err) {
        this.inFlight = undefined;
        this.failures++;
        this.metrics.inc('telmark_flush_failures_total');
        const min = this.opts.minBackoffMs ?? 1000;
        const max = this.opts.maxBackoffMs ?? 60_000;
        const wait = Math.min(max, min * 2 ** Math.min(30, this.failures - 1));
        this.nextAttemptAt = this.now() + wait;
        this.storeFailed(err, wait, max);
        throw err;
      }
      this.inFlight = undefined;
      const at = this.queue.indexOf(batch);
      if (at >= 0) this.queue.splice(at, 1);
      if (!inserted) continue;
      if (this.spool.has(batch.id)) this.spool.remove(batch.id);
      this.storeSucceeded();
      this.failures = 0;
      this.nextAttemptAt = 0;
      this.metrics.inc('telmark_flush_total');
    }
    // The queue is empty. Only when ClickHouse takes inserts again is the outage over: a queue
    // emptied by discarding, the store still failing, is not (and says nothing about the spool,
    // whose last write failed), so its states and their log lines stay as they are.
    if (this.storeState !== 'ok') return;
    if (this.spilling || this.discarding) {
      this.opts.log(`flusher: backlog inserted${this.discardedRows ? `; ${this.discardedRows} row(s) were discarded during the outage (telmark_discarded_rows_total)` : ''}`);
      this.spilling = false;
      this.discarding = false;
    }
    // Nothing waits for the spool any more: its state is known again at its next write.
    this.spoolState = 'ok';
  }

  /** One log line when the kind of failure changes, none per retry. */
  private storeFailed(err: unknown, wait: number, max: number): void {
    const fault = classifyStoreError(err);
    if (fault === this.storeState) return;
    if (this.storeState === 'ok') this.storeSince = this.now();
    this.storeState = fault;
    this.opts.log(
      `flusher: ${describeStoreFault(fault)} (${errorLine(err)}); beacons are still accepted and kept: ` +
        `${this.queue.length} batch(es), ${this.backlogRows()} row(s) waiting, in memory up to MAX_QUEUED_ROWS=${this.opts.maxQueuedRows}, then in the spool` +
        `${Number.isFinite(this.spool.maxBytes) ? ` up to MAX_SPOOL_BYTES=${this.spool.maxBytes}` : ''}; retry in ${wait} ms, then at least every ${max} ms`,
    );
  }

  private storeSucceeded(): void {
    if (this.storeState === 'ok') return;
    const seconds = Math.round((this.now() - (this.storeSince ?? this.now())) / 1000);
    this.opts.log(`flusher: ClickHouse takes inserts again after ${seconds} s and ${this.failures} failed attempt(s); inserting the backlog of ${this.queue.length} batch(es)`);
    this.storeState = 'ok';
    this.storeSince = undefined;
  }

  private spoolRefused(err: unknown): void {
    this.metrics.inc('telmark_spool_write_failures_total');
    const state: SpoolState = err instanceof SpoolFullError ? 'full' : classifyStoreError(err);
    if (state === this.spoolState) return;
    this.spoolState = state;
    this.opts.log(
      state === 'full'
        ? `flusher: the spool is full (MAX_SPOOL_BYTES=${this.spool.maxBytes}); batches past MAX_QUEUED_ROWS will be discarded until ClickHouse is back`
        : `flusher: cannot write the spool (${errorLine(err)}); batches past MAX_QUEUED_ROWS will be discarded until it or ClickHouse is back`,
    );
  }

  private spoolWritten(): void {
    if (this.spoolState === 'ok') return;
    this.spoolState = 'ok';
    this.opts.log('flusher: the spool takes writes again');
  }

  /** Inserts a batch; false when it was a spool file that cannot be read as one (moved aside, nothing inserted). */
  private async insert(batch: QueuedBatch): Promise<boolean> {
    const rows = batch.rows ?? this.readSpooled(batch.id);
    if (!rows) return false;
    if (this.opts.onInserted) {
      let oldest = '';
      for (const cube of CUBE_NAMES) for (const r of rows[cube] ?? []) if (oldest === '' || r.ts < oldest) oldest = r.ts;
      if (oldest) this.opts.onInserted(oldest);
    }
    try {
      for (const cube of CUBE_NAMES) {
        // A file spooled by a version without this cube has no rows for it.
        const values = rows[cube] ?? [];
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
    return true;
  }

  /**
   * A spooled batch's rows. A file that is not a batch (damaged on disk: writes are atomic, so
   * not by a crash) would otherwise block every batch behind it for ever: it is renamed to
   * .corrupt, kept for a person to look at, logged and counted. A read error (a disk that
   * cannot be read now) is thrown and retried like a failed insert.
   */
  private readSpooled(id: string): Record<CubeName, IngestRow[]> | undefined {
    let rows: unknown;
    try {
      rows = this.spool.read(id).rows;
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') {
        // Removed by someone else: nothing left to insert.
        this.spool.remove(id);
        this.opts.log(`flusher: spool file ${id}.json disappeared before it was replayed; skipped`);
        return undefined;
      }
      if (!(err instanceof SyntaxError)) throw err;
    }
    if (typeof rows === 'object' && rows !== null && CUBE_NAMES.every((c) => (rows as Record<string, unknown>)[c] === undefined || Array.isArray((rows as Record<string, unknown>)[c]))) {
      return rows as Record<CubeName, IngestRow[]>;
    }
    this.spool.quarantine(id);
    this.metrics.inc('telmark_spool_corrupt_total');
    this.opts.log(`flusher: spool file ${id}.json is not a batch; moved aside as ${id}.json.corrupt and skipped`);
    return undefined;
  }

  /**
   * Keeps memory bounded while ClickHouse is away: the oldest in-memory batches go to disk; if
   * the spool refuses them, the oldest are discarded (counted) until memory is within its bound.
   */
  private spillOverflow(): void {
    let inMemory = this.queuedRows();
    if (inMemory <= this.opts.maxQueuedRows) return;
    for (const batch of this.queue) {
      if (inMemory <= this.opts.maxQueuedRows) break;
      if (!batch.rows) continue;
      if (!batch.onDisk) {
        try {
          this.spool.write({ id: batch.id, rows: batch.rows });
        } catch (err) {
          this.spoolRefused(err);
          break;
        }
        this.spoolWritten();
        if (!this.spilling) this.opts.log(`flusher: more than MAX_QUEUED_ROWS=${this.opts.maxQueuedRows} rows waiting; older batches go to the spool`);
        this.spilling = true;
        batch.onDisk = true;
      }
      inMemory -= rowCount(batch.rows);
      batch.rows = undefined;
    }
    while (inMemory > this.opts.maxQueuedRows) {
      const i = this.queue.findIndex((b) => b.rows !== undefined && b !== this.inFlight);
      if (i < 0) break;
      const [dropped] = this.queue.splice(i, 1);
      const rows = rowCount(dropped!.rows!);
      inMemory -= rows;
      this.discardedRows += rows;
      this.metrics.inc('telmark_discarded_rows_total', undefined, rows);
      this.metrics.inc('telmark_discarded_pageviews_total', undefined, pageviewCount(dropped!.rows!));
      if (!this.discarding) this.opts.log(`flusher: memory (MAX_QUEUED_ROWS=${this.opts.maxQueuedRows}) and spool both full: discarding the oldest batches, counted in telmark_discarded_rows_total`);
      this.discarding = true;
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
      let lost = 0;
      for (const b of this.queue) {
        if (!b.rows || b.onDisk) continue;
        try {
          this.spool.write({ id: b.id, rows: b.rows });
          spooled++;
        } catch (err) {
          this.spoolRefused(err);
          lost += rowCount(b.rows);
        }
      }
      if (lost) this.opts.log(`flusher: ${lost} row(s) could be neither inserted nor spooled at shutdown and are lost`);
      this.queue = [];
      return { flushed: false, spooled };
    }
  }
}
