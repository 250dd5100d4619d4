import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Batch } from './flusher.ts';

/** The spool would pass MAX_SPOOL_BYTES: the batch was not written. */
export class SpoolFullError extends Error {
  readonly code = 'ESPOOLFULL';
  constructor(need: number, maxBytes: number) {
    super(`the spool is full (${need} bytes needed, MAX_SPOOL_BYTES=${maxBytes})`);
  }
}

interface SpoolEntry {
  bytes: number;
  /** Rows in the batch (0 when a file from an older version did not say). */
  rows: number;
}

/**
 * Aggregate batches that could not reach ClickHouse and no longer fit in memory (or, with
 * SPOOL_INTERVAL_MS, every batch and the pending aggregates, so a crash loses less), one JSON
 * file per batch under DATA_DIR/spool. A batch keeps its id, so its deduplication token is the
 * same when it is replayed at the next start: a batch that did land before is not counted twice.
 * Files hold aggregates and daily-salted visitor keys only: no IPs, no user agents.
 *
 * Bounded: at most `maxBytes` (MAX_SPOOL_BYTES) of files; a write past it throws SpoolFullError
 * and writes nothing (the flusher then keeps or, past its memory bound, discards the batch).
 * The index below holds one small entry per file, so it is bounded by the same figure.
 */
export class Spool {
  private readonly index = new Map<string, SpoolEntry>();
  private totalBytes = 0;

  constructor(
    private readonly dir: string,
    readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const f of readdirSync(dir)) {
      const file = join(dir, f);
      // A crash mid-write leaves only a .tmp file: never a half batch to replay.
      if (f.endsWith('.tmp')) rmSync(file, { force: true });
      else if (f.endsWith('.json')) this.track(f.slice(0, -'.json'.length), statSync(file).size, headerRows(file));
    }
  }

  /** Writes (or rewrites, under the same id) a batch; throws when the disk or MAX_SPOOL_BYTES refuses it. */
  write(batch: Batch): void {
    const file = join(this.dir, `${batch.id}.json`);
    let rows = 0;
    for (const cube in batch.rows) rows += batch.rows[cube as keyof Batch['rows']].length;
    // rowCount first, so a restart learns the backlog's size from each file's first bytes.
    const text = JSON.stringify({ id: batch.id, rowCount: rows, rows: batch.rows });
    const bytes = Buffer.byteLength(text);
    const replaced = this.index.get(batch.id)?.bytes ?? 0;
    if (this.totalBytes - replaced + bytes > this.maxBytes) throw new SpoolFullError(bytes, this.maxBytes);
    // Write-then-rename, so a crash mid-write never leaves a half batch to replay.
    try {
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      try {
        rmSync(`${file}.tmp`, { force: true });
      } catch {
        // The directory itself is unusable (the original error says why).
      }
      throw err;
    }
    this.track(batch.id, bytes, rows);
  }

  /** Ids of spooled batches, oldest first (ids start with their creation time). */
  ids(): string[] {
    return [...this.index.keys()].sort();
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  read(id: string): Batch {
    return JSON.parse(readFileSync(join(this.dir, `${id}.json`), 'utf8')) as Batch;
  }

  remove(id: string): void {
    rmSync(join(this.dir, `${id}.json`), { force: true });
    const entry = this.index.get(id);
    if (entry) this.totalBytes -= entry.bytes;
    this.index.delete(id);
  }

  /** Moves a damaged file aside (`<id>.json.corrupt`, never replayed) and forgets it. */
  quarantine(id: string): void {
    const file = join(this.dir, `${id}.json`);
    try {
      renameSync(file, `${file}.corrupt`);
    } catch {
      rmSync(file, { force: true });
    }
    const entry = this.index.get(id);
    if (entry) this.totalBytes -= entry.bytes;
    this.index.delete(id);
  }

  rowsOf(id: string): number {
    return this.index.get(id)?.rows ?? 0;
  }

  count(): number {
    return this.index.size;
  }

  bytes(): number {
    return this.totalBytes;
  }

  private track(id: string, bytes: number, rows: number): void {
    this.totalBytes += bytes - (this.index.get(id)?.bytes ?? 0);
    this.index.set(id, { bytes, rows });
  }
}

/** The rowCount a spool file starts with (0 if it has none). */
function headerRows(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const m = /"rowCount":(\d+)/.exec(buf.subarray(0, n).toString('utf8'));
    return m ? Number(m[1]) : 0;
  } finally {
    closeSync(fd);
  }
}
