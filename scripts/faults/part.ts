// What a part of `npm run faults` is: a module in scripts/faults/ whose `run` drives one fault
// against a telmark on loopback, within a time bound, and reports figures as a markdown table.
import type { Progress } from '../bench/common.ts';

export interface FaultOptions {
  /** A short run (fewer cases, fewer rounds): indicative figures only. */
  quick: boolean;
  progress: Progress;
}

export interface FaultReport {
  /** The part's heading in the printed markdown. */
  title: string;
  /** What was done, in a sentence or two (printed above the table). */
  setup: string;
  columns: string[];
  rows: Array<Array<string | number>>;
  /** Every promise the part checks held (the script exits 1 otherwise). */
  ok: boolean;
  /** What broke, when something did (printed below the table). */
  problems: string[];
}

export type FaultRun = (opts: FaultOptions) => Promise<FaultReport>;
