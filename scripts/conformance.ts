// `npm run conformance`: scores our classifiers against other projects' fixtures in
// ../shared/peerdata (or PEERDATA_DIR). Exit 1 when a suite misses its target.
import { formatResult, meetsTarget, peerdataDir } from '../test/conformance/framework.ts';
import { runSuites } from '../test/conformance/run.ts';

const dir = peerdataDir();
if (!dir) {
  console.log('conformance: no peer data (set PEERDATA_DIR or put shared/peerdata beside the repo); skipped');
  process.exit(0);
}
console.log(`conformance: peer data from ${dir}\n`);
let failed = 0;
for (const run of await runSuites(dir)) {
  if (run.missing) {
    console.log(`SKIP  ${run.suite.name.padEnd(44)} missing ${run.missing.join(', ')}`);
    continue;
  }
  const r = run.result!;
  console.log(formatResult(r));
  if (!meetsTarget(r)) {
    failed++;
    for (const f of r.failures.slice(0, 5)) console.log(`        e.g. ${f}`);
  }
}
console.log(failed ? `\n${failed} suite(s) below target` : '\nall suites meet their targets');
process.exit(failed ? 1 : 0);
