// `npm run faults [-- --only=flood,outage] [-- --quick]`: what a collector on the public internet
// meets (issue 11), each part driven against a real telmark on loopback (127.0.0.1, random ports, a
// temporary DATA_DIR) within a time bound, its figures printed as Markdown for the README. Exit
// code 1 when a part broke a promise.
//
// Parts (modules in scripts/faults/), one line each in PARTS, adapted to one shape here:
//   flood   unique values on every dimension: caps hold, totals conserved, memory and store bounded
//   outage  kill -9 under load, restart on the same DATA_DIR: counted vs accepted
import { progress } from './bench/common.ts';

interface Outcome {
  markdown: string;
  ok: boolean;
}
type Part = (opts: { quick: boolean; log: (line: string) => void }) => Promise<Outcome>;

const PARTS: Record<string, Part> = {
  flood: async ({ quick, log }) => {
    const f = await import('./faults/flood.ts');
    const figures = await f.run(quick ? f.FLOOD_QUICK : {}, log);
    const stored = Object.values(figures.storedTotals);
    const ok = figures.countedMetric === figures.accepted && stored.every((n) => n === figures.accepted) && figures.storedCustomEvents === figures.customEventsAccepted;
    return { markdown: `### Cardinality flood${quick ? ' (quick)' : ''}\n\n${f.floodMarkdown(figures)}`, ok };
  },
  outage: async ({ log }) => (await import('./faults/outage.ts')).run(log),
};

function usage(error?: string): never {
  if (error) console.error(`faults: ${error}`);
  console.error(`usage: npm run faults -- [--only=${Object.keys(PARTS).join(',')}] [--quick]`);
  process.exit(error ? 2 : 0);
}

let only = Object.keys(PARTS);
let quick = false;
for (const a of process.argv.slice(2)) {
  if (a === '--quick') quick = true;
  else if (a.startsWith('--only=')) {
    only = a.slice('--only='.length).split(',').map((s) => s.trim()).filter(Boolean);
    const bad = only.filter((n) => !(n in PARTS));
    if (bad.length || only.length === 0) usage(`unknown part(s): ${bad.join(', ') || '(none)'}`);
  } else if (a === '--help' || a === '-h') usage();
  else usage(`unknown argument ${a}`);
}

const out: string[] = [];
const failed: string[] = [];
for (const name of only) {
  const log = progress(name);
  const started = Date.now();
  try {
    const result = await PARTS[name]!({ quick, log });
    out.push(result.markdown);
    if (!result.ok) failed.push(name);
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.ok ? 'every promise held' : 'PROMISES BROKEN'}`);
  } catch (err) {
    failed.push(name);
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    out.push(`**${name} failed:** ${String(err).split('\n')[0]}\n`);
  }
}
process.stdout.write(`\n${out.join('\n\n')}\n`);
if (failed.length) console.error(`faults: broken: ${failed.join(', ')}`);
process.exit(failed.length ? 1 : 0);
