// Conformance suites measure our own classifiers against fixtures written by other projects
// (../shared/peerdata). They are test inputs only: nothing from them is copied into the product.
import { existsSync } from 'node:fs';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SuiteResult {
  /** Short stable name, e.g. "snowplow referer-tests". */
  name: string;
  passed: number;
  total: number;
  /** What "good" means for this suite, shown beside the score. */
  target: { minRate?: number; maxRate?: number; label: string };
  /** The rate the target is checked on (passed/total unless the suite says otherwise, e.g. false positives). */
  rate: number;
  /** A few failing cases, for humans. */
  failures: string[];
}

export interface ConformanceSuite {
  name: string;
  /** Relative paths under the peerdata folder that must exist for the suite to run. */
  needs: string[];
  run(peerdata: string): SuiteResult | Promise<SuiteResult>;
}

const here = dirname(fileURLToPath(import.meta.url));

/** The peerdata folder: PEERDATA_DIR, else ../shared/peerdata beside the repo; null when absent. */
export function peerdataDir(): string | null {
  const candidates = [process.env.PEERDATA_DIR, resolve(here, '../../../shared/peerdata')].filter(
    (p): p is string => !!p,
  );
  return candidates.find((p) => existsSync(p)) ?? null;
}

export function meetsTarget(r: SuiteResult): boolean {
  if (r.target.minRate !== undefined && r.rate < r.target.minRate) return false;
  if (r.target.maxRate !== undefined && r.rate > r.target.maxRate) return false;
  return true;
}

export function formatResult(r: SuiteResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return `${meetsTarget(r) ? 'PASS' : 'FAIL'}  ${r.name.padEnd(44)} ${String(r.passed).padStart(5)}/${String(r.total).padEnd(5)} rate ${pct(r.rate).padStart(6)}  target ${r.target.label}`;
}
