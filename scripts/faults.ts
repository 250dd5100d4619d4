// `npm run faults [-- --only=fuzz,slow] [-- --quick]`: faults a public collector meets, each
// driven against a real telmark on loopback (127.0.0.1, random ports, a temporary DATA_DIR) within
// a time bound, with the figures printed as markdown tables. Exit code 1 when a promise broke.
//
// Parts (each a module in scripts/faults/ exporting `run: FaultRun`, see part.ts):
//   fuzz  hostile and malformed input: 100k+ fast-check cases at the beacon parser and at
//         POST /api/event (bodies, content types, headers, X-Forwarded-For chains, odd Unicode,
//         prototype-pollution keys, malformed HTTP); never a 5xx, every valid beacon counted.
//   slow  slow clients: thousands of connections trickling headers; a normal client's beacon
//         latency meanwhile, and how the headers timeout cuts the slow ones off.
import type { FaultReport, FaultRun } from './faults/part.ts';
import { progress, table } from './bench/common.ts';

/** The registry: one line per part. */
const PARTS: Record<string, () => Promise<{ run: FaultRun }>> = {
  fuzz: () => import('./faults/fuzz.ts'),
  slow: () => import('./faults/slow.ts'),
};

function usage(error?: string): never {
  if (error) console.error(`faults: ${error}`);
  console.error(`usage: npm run faults -- [--only=${Object.keys(PARTS).join(',')}] [--quick]`);
  process.exit(error ? 2 : 0);
}

function parseArgs(argv: string[]): { only: string[]; quick: boolean } {
  let only = Object.keys(PARTS);
  let quick = false;
  for (const a of argv) {
    if (a === '--quick') quick = true;
    else if (a.startsWith('--only=')) {
      only = a.slice('--only='.length).split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = only.filter((p) => !(p in PARTS));
      if (unknown.length || only.length === 0) usage(`unknown part(s): ${unknown.join(', ') || '(none)'}`);
    } else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  return { only, quick };
}

function markdown(r: FaultReport): string {
  const out = [`### ${r.title}`, '', r.setup, '', table(r.columns, r.rows)];
  if (r.problems.length) out.push('', '**Broken promises:**', ...r.problems.map((p) => `- ${p}`));
  return out.join('\n');
}

const { only, quick } = parseArgs(process.argv.slice(2));
const reports: FaultReport[] = [];
const failed: string[] = [];
for (const name of only) {
  const log = progress(name);
  const started = Date.now();
  try {
    const part = await PARTS[name]!();
    const report = await part.run({ quick, progress: log });
    reports.push(report);
    if (!report.ok) failed.push(name);
    log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${report.ok ? 'every promise held' : 'PROMISES BROKEN'}`);
  } catch (err) {
    failed.push(name);
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}

console.log(`\n## Faults (${quick ? 'quick' : 'full'} run, ${new Date().toISOString().slice(0, 10)}; \`npm run faults${quick ? ' -- --quick' : ''}\`)\n`);
for (const r of reports) console.log(markdown(r) + '\n');
if (failed.length) {
  console.log(`Parts with broken promises or errors: ${failed.join(', ')}`);
  process.exit(1);
}
// Parts leave nothing running, but a stray keep-alive socket must not hold the script open.
process.exit(0);
