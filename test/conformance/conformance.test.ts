// Runs every conformance suite against ../shared/peerdata (or PEERDATA_DIR) when present, and
// holds each to its target. A fresh clone without peer data skips with a message.
import { describe, expect, it } from 'vitest';
import { formatResult, meetsTarget, peerdataDir } from './framework.ts';
import { loadSuites, missingFixtures } from './run.ts';

const dir = peerdataDir();
if (!dir) console.log('conformance: no peer data found (../shared/peerdata or PEERDATA_DIR); suites skipped');

const suites = await loadSuites();

describe.skipIf(!dir)('conformance against peer fixtures', () => {
  for (const suite of suites) {
    it(suite.name, async () => {
      const missing = missingFixtures(suite, dir!);
      if (missing.length) return console.log(`conformance: ${suite.name} skipped, missing ${missing.join(', ')}`);
      const result = await suite.run(dir!);
      console.log(formatResult(result));
      expect(result.total).toBeGreaterThan(0);
      expect(meetsTarget(result), `${formatResult(result)}\n${result.failures.join('\n')}`).toBe(true);
    }, 120_000);
  }
});
