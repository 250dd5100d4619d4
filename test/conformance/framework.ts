// Conformance suites measure our own classifiers against fixtures written by other projects
// (../shared/peerdata). They are test inputs only: nothing from them is copied into the product.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
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

/** Fixtures read by more than one suite (paths under the peerdata folder). */
export const PLAUSIBLE_CASES = 'plausible/plausible-channel-and-source-cases.json';
export const SNOWPLOW_REFERER_TESTS = 'snowplow-referer-parser/referer-tests.json';

/** How many failing cases a result keeps for humans, unless the suite says otherwise. */
const FAILURES_KEPT = 10;

/**
 * A suite's result: `rate` is passed/total (0 when there is nothing to compare) unless the suite
 * gives its own (false-positive suites do), and the first FAILURES_KEPT failures are kept.
 */
export function suiteResult(r: {
  name: string;
  passed: number;
  total: number;
  target: SuiteResult['target'];
  failures: string[];
  rate?: number;
}): SuiteResult {
  return {
    name: r.name,
    passed: r.passed,
    total: r.total,
    target: r.target,
    rate: r.rate ?? (r.total ? r.passed / r.total : 0),
    failures: r.failures.slice(0, FAILURES_KEPT),
  };
}

/** A JSON fixture, by its path under the peerdata folder. */
export function readJsonFixture<T>(peerdata: string, rel: string): T {
  return JSON.parse(readFileSync(join(peerdata, rel), 'utf8')) as T;
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
