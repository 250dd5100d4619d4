// A per-scope, per-UTC-day cap on distinct values, shared by every cardinality cap
// (collector/cardinality/): client-chosen text must not grow the store (or this memory) without
// bound. Within a scope, the first `limit` distinct values of the day are kept; a new value past
// that (or one longer than `maxChars`) becomes "(other)". Values admitted earlier that day keep
// counting under their own name.
// Memory: at most `limit` values of at most `maxChars` characters per scope seen today;
// yesterday's sets are dropped as soon as the first value of a new day arrives.

export const OTHER_NAME = '(other)';

export interface DailyCapOptions {
  /** Values longer than this fold too (default: no length check; the caller bounds lengths). */
  maxChars?: number;
  /** Called once for every value that folds (the collector counts it in /metrics). */
  onFold?: () => void;
}

export class DailyCap {
  private readonly perScope = new Map<string, { day: number; values: Set<string> }>();
  /** New values counted as "(other)" since start (for /metrics). */
  folded = 0;

  constructor(
    private readonly limit: number,
    private readonly opts: DailyCapOptions = {},
  ) {}

  admit(scope: string, value: string, now: number): string {
    const day = Math.floor(now / 86_400_000);
    let entry = this.perScope.get(scope);
    if (!entry || entry.day !== day) {
      if (entry) for (const [k, e] of this.perScope) if (e.day !== day) this.perScope.delete(k);
      this.perScope.set(scope, (entry = { day, values: new Set() }));
    }
    if (entry.values.has(value)) return value;
    if (entry.values.size >= this.limit || (this.opts.maxChars !== undefined && value.length > this.opts.maxChars)) {
      this.folded++;
      this.opts.onFold?.();
      return OTHER_NAME;
    }
    entry.values.add(value);
    return value;
  }

  /** Values held now, over all scopes (for /metrics and the memory figures). */
  get size(): number {
    let n = 0;
    for (const e of this.perScope.values()) n += e.values.size;
    return n;
  }
}
