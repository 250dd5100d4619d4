// Helpers for the small mutable tables (accounts, goals, allowed props): ReplacingMergeTree rows
// whose newest version wins, with DateTime64(3, 'UTC') columns.

/** ms since epoch as ClickHouse DateTime64(3) text ("2026-11-20 10:00:00.000", UTC). */
export const toChTime = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

/** ClickHouse DateTime64(3) text (UTC) as ms since epoch. */
export const fromChTime = (text: string): number => Date.parse(text.replace(' ', 'T') + 'Z');

let lastVersion = 0;
/** Strictly increasing row versions within a process (microseconds of wall time). */
export function nextRowVersion(): number {
  lastVersion = Math.max(lastVersion + 1, Date.now() * 1000);
  return lastVersion;
}
