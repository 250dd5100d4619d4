// `npm run faults [-- --only=fuzz,slow,flood,outage] [-- --quick]`: what a collector on the public
// internet meets (issue 11), each part driven against a real telmark on loopback (127.0.0.1, random
// ports, a temporary DATA_DIR) within a time bound, its figures printed as Markdown for the README.
// Exit code 1 when a part broke a promise.
//
// Parts (modules in scripts/faults/), one entry each in PARTS, adapted to one shape here:
//   fuzz    hostile and malformed input: 100k+ fast-check cases at the beacon parser and at
//           POST /api/event (bodies, content types, headers, X-Forwarded-For chains, odd Unicode,
//           prototype-pollution keys, malformed HTTP); never a 5xx, every valid beacon counted
//   slow    slow clients: thousands of connections trickling headers; a normal client's beacon
//           latency meanwhile, and how the headers timeout cuts the slow ones off
//   flood   unique values on every dimension: caps hold, totals conserved, memory and store bounded
//   outage  kill -9 under load, restart on the same DATA_DIR: counted vs accepted
import { progress, table } from './bench/common.ts';
import type { FaultReport, FaultRun } from './faults/part.ts';

interface Outcome {
  markdown: string;
  ok: boolean;
}
type Part = (opts: { quick: boolean; log: (line: string) => void }) => Promise<Outcome>;

/** A part written as a FaultRun (scripts/faults/part.ts): its report as a heading, a sentence and a table. */
const reported =
  (load: () => Promise<{ run: FaultRun }>): Part =>
  async ({ quick, log }) => {
    const r: FaultReport = await (await load()).run({ quick, progress: log });
    const out = [`### ${r.title}`, '', r.setup, '', table(r.columns, r.rows)];
    if (r.problems.length) out.push('', '**Broken promises:**', ...r.problems.map((p) => `- ${p}`));
    return { markdown: out.join('\n'), ok: r.ok };
  };

const PARTS: Record<string, Part> = {
  fuzz: reported(() => import('./faults/fuzz.ts')),
  slow: reported(() => import('./faults/slow.ts')),
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
    out.push(`**${name} failed:** ${String(err).split('\n')[0]}`);
  }
}
process.stdout.write(`\n## Faults (${quick ? 'quick' : 'full'} run, ${new Date().toISOString().slice(0, 10)}; \`npm run faults${quick ? ' -- --quick' : ''}\`)\n\n${out.join('\n\n')}\n`);
if (failed.length) console.error(`faults: broken: ${failed.join(', ')}`);
// Parts leave nothing running, but a stray keep-alive socket must not hold the script open.
process.exit(failed.length ? 1 : 0);
