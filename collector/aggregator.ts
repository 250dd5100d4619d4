import { CUBE_DIMENSIONS, CUBE_NAMES, cubeCounters, type COUNTERS, type Counter, type CubeName } from '../schema/cubes.ts';
import { unitsToDecimal } from '../schema/money.ts';

/**
 * One pre-aggregated ingest row, in the shape of the cube's Null table. Counters are numbers,
 * except revenue: decimal text (exact) once drained.
 */
export type IngestRow = {
  site: string;
  /** Minute start, UTC, "YYYY-MM-DD hh:mm:00". */
  ts: string;
  visitor_key: string;
} & Record<(typeof COUNTERS)[number], number> &
  Record<string, string | number>;

/** What one event adds. Revenue in units of 10^-8 (schema/money.ts), summed exactly. */
export type Contribution = Partial<Record<Exclude<Counter, 'revenue'>, number>> & { revenue?: bigint };

/** A pending row: its counters as numbers, revenue as a bigint until drained. */
type PendingRow = Record<string, string | number | bigint>;

const SEP = '\x1f';

// Nearly every event falls in the current minute: its text is formatted once, not per event.
let cachedMinute = -1;
let cachedMinuteText = '';
function minuteString(ms: number): string {
  const minute = Math.floor(ms / 60_000);
  if (minute !== cachedMinute) {
    cachedMinute = minute;
    cachedMinuteText = new Date(minute * 60_000).toISOString().slice(0, 16).replace('T', ' ') + ':00';
  }
  return cachedMinuteText;
}

/** The part of a row key that names its dimensions; callers that book many events under the same dimensions compute it once. */
export function dimensionsKey(dims: readonly string[]): string {
  return dims.join(SEP);
}

/**
 * In-memory sums per (cube, minute, site, dimensions, visitor key). Every event becomes a few
 * additions here; only these sums ever leave the process. `size` is the number of pending rows;
 * the owner flushes when it passes its bound (MAX_PENDING_ROWS).
 */
export class Aggregator {
  private pending = new Map<CubeName, Map<string, PendingRow>>(CUBE_NAMES.map((c) => [c, new Map()]));
  private readonly counters = Object.fromEntries(CUBE_NAMES.map((c) => [c, cubeCounters(c).filter((n) => n !== 'revenue')])) as Record<CubeName, Counter[]>;
  private rows = 0;

  get size(): number {
    return this.rows;
  }

  add(cube: CubeName, atMs: number, site: string, dims: readonly string[], visitorKey: string, counts: Contribution, dimsKey = dimensionsKey(dims)): void {
    const ts = minuteString(atMs);
    const key = ts + SEP + site + SEP + dimsKey + SEP + visitorKey;
    const table = this.pending.get(cube)!;
    let row = table.get(key);
    const counters = this.counters[cube];
    if (!row) {
      row = { site, ts, visitor_key: visitorKey };
      for (const c of counters) row[c] = 0;
      if (counters.length !== cubeCounters(cube).length) row.revenue = 0n;
      const names = CUBE_DIMENSIONS[cube];
      for (let i = 0; i < names.length; i++) row[names[i]!] = dims[i] ?? '';
      table.set(key, row);
      this.rows++;
    }
    for (const c of counters) {
      const v = counts[c as Exclude<Counter, 'revenue'>];
      if (v) (row[c] as number) += v;
    }
    if (counts.revenue) row.revenue = (row.revenue as bigint) + counts.revenue;
  }

  /**
   * A copy of everything pending, in the shape drain() hands over, leaving it pending (the
   * flusher writes it to the spool every SPOOL_INTERVAL_MS, so a crash loses less).
   */
  snapshot(): Record<CubeName, IngestRow[]> {
    const out = {} as Record<CubeName, IngestRow[]>;
    for (const cube of CUBE_NAMES) {
      out[cube] = [...this.pending.get(cube)!.values()].map((r) =>
        typeof r.revenue === 'bigint' ? { ...r, revenue: unitsToDecimal(r.revenue) } : { ...r },
      ) as unknown as IngestRow[];
    }
    return out;
  }

  /** Hands over everything pending (as snapshot() shows it) and starts afresh. */
  drain(): Record<CubeName, IngestRow[]> {
    const out = this.snapshot();
    for (const cube of CUBE_NAMES) this.pending.set(cube, new Map());
    this.rows = 0;
    return out;
  }
}
