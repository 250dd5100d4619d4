import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConformanceSuite, SuiteResult } from './framework.ts';

const SUITES_DIR = fileURLToPath(new URL('./suites/', import.meta.url));

/** Every suite in test/conformance/suites, in file-name order. */
export async function loadSuites(): Promise<ConformanceSuite[]> {
  const files = readdirSync(SUITES_DIR).filter((f) => f.endsWith('.ts')).sort();
  return Promise.all(files.map(async (f) => (await import(join(SUITES_DIR, f))).default as ConformanceSuite));
}

export interface SuiteRun {
  suite: ConformanceSuite;
  result?: SuiteResult;
  missing?: string[];
}

/** The fixtures a suite needs that are not under `peerdata`. */
export function missingFixtures(suite: ConformanceSuite, peerdata: string): string[] {
  return suite.needs.filter((n) => !existsSync(join(peerdata, n)));
}

export async function runSuites(peerdata: string): Promise<SuiteRun[]> {
  const runs: SuiteRun[] = [];
  for (const suite of await loadSuites()) {
    const missing = missingFixtures(suite, peerdata);
    runs.push(missing.length ? { suite, missing } : { suite, result: await suite.run(peerdata) });
  }
  return runs;
}
