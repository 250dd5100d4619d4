// A per-scope, per-UTC-day cap on distinct values, shared by the event-name and prop-value caps:
// client-chosen text must not grow the store (or this memory) without bound. Within a scope, the
// first `limit` distinct values of the day are kept; a new value past that becomes "(other)".
// Memory: at most `limit` values per scope seen today; yesterday's sets are dropped as soon as
// the first value of a new day arrives.

export const OTHER_NAME = '(other)';

export class DailyCap {
  private readonly perScope = new Map<string, { day: number; values: Set<string> }>();
  /** New values counted as "(other)" since start (for /metrics). */
  folded = 0;

  constructor(private readonly limit: number) {}

  admit(scope: string, value: string, now: number): string {
    const day = Math.floor(now / 86_400_000);
    let entry = this.perScope.get(scope);
    if (!entry || entry.day !== day) {
      if (entry) for (const [k, e] of this.perScope) if (e.day !== day) this.perScope.delete(k);
      this.perScope.set(scope, (entry = { day, values: new Set() }));
    }
    if (entry.values.has(value)) return value;
    if (entry.values.size >= this.limit) {
      this.folded++;
      return OTHER_NAME;
    }
    entry.values.add(value);
    return value;
  }
}
