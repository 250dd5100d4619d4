import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Batch } from './flusher.ts';

/**
 * Aggregate batches that could not reach ClickHouse and no longer fit in memory, one JSON file
 * per batch under DATA_DIR/spool. A batch keeps its id, so its deduplication token is the same
 * when it is replayed at the next start: a batch that did land before is not counted twice.
 * Files hold aggregates and daily-salted visitor keys only: no IPs, no user agents.
 */
export class Spool {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  write(batch: Batch): void {
    const file = join(this.dir, `${batch.id}.json`);
    // Write-then-rename, so a crash mid-write never leaves a half batch to replay.
    writeFileSync(`${file}.tmp`, JSON.stringify(batch));
    renameSync(`${file}.tmp`, file);
  }

  /** Ids of spooled batches, oldest first (ids start with their creation time). */
  ids(): string[] {
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => f.slice(0, -'.json'.length));
  }

  read(id: string): Batch {
    return JSON.parse(readFileSync(join(this.dir, `${id}.json`), 'utf8')) as Batch;
  }

  remove(id: string): void {
    rmSync(join(this.dir, `${id}.json`), { force: true });
  }

  count(): number {
    return this.ids().length;
  }
}
