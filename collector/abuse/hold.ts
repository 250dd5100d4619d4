/**
 * Accepted events wait here ABUSE_HOLD_MS before they are counted, so a burst that trips an abuse
 * rule within that time is dropped whole, its first events included, and never moves the counts
 * marketers see. Held items carry no address: only an opaque reference to their abuse entry.
 * Bounded: past `maxItems` the oldest item is handed back at once (counted early, never lost).
 * A FIFO over one array; the consumed head is compacted away in batches.
 */
export class HoldQueue<T> {
  private items: Array<{ item: T; ref: number; until: number }> = [];
  private head = 0;

  constructor(
    readonly holdMs: number,
    readonly maxItems: number,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.items.length - this.head;
  }

  /** Holds `item`; returns the oldest item when the queue was full (the caller counts it now). */
  push(item: T, ref: number): { item: T; ref: number } | undefined {
    const overflow = this.size >= this.maxItems ? this.shift() : undefined;
    this.items.push({ item, ref, until: this.now() + this.holdMs });
    return overflow;
  }

  /** Items whose hold has ended, oldest first (all of them with `all`). */
  release(all = false): Array<{ item: T; ref: number }> {
    // Called for every beacon: most calls find nothing due and allocate nothing.
    if (this.size === 0 || (!all && this.items[this.head]!.until > this.now())) return [];
    const t = this.now();
    const out: Array<{ item: T; ref: number }> = [];
    while (this.size > 0 && (all || this.items[this.head]!.until <= t)) out.push(this.shift()!);
    return out;
  }

  private shift(): { item: T; ref: number } | undefined {
    if (this.size === 0) return undefined;
    const { item, ref } = this.items[this.head]!;
    this.items[this.head++] = undefined as never;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return { item, ref };
  }
}
