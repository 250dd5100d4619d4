// `npm run faults [-- --only=flood] [-- --quick]`: fault and hostile-traffic scripts (issue 11),
// loopback only and bounded in time. Each part lives in scripts/faults/<name>.ts and exports
// `run(options, progress)`, returning its figures; PARTS registers them, one line each.
import * as flood from './faults/flood.ts';

interface Part {
  run(options: Record<string, unknown>, progress: (line: string) => void): Promise<unknown>;
  quick: Record<string, unknown>;
  markdown(figures: never): string;
}

const PARTS: Record<string, Part> = {
  flood: { run: flood.run, quick: { ...flood.FLOOD_QUICK }, markdown: flood.floodMarkdown as (f: never) => string },
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
    if (bad.length) usage(`unknown part(s): ${bad.join(', ')}`);
  } else if (a === '--help' || a === '-h') usage();
  else usage(`unknown argument ${a}`);
}

const started = Date.now();
let failed = false;
for (const name of only) {
  const part = PARTS[name]!;
  const progress = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${name}: ${line}\n`);
  try {
    const figures = await part.run(quick ? part.quick : {}, progress);
    console.log(`\n### ${name}${quick ? ' (quick)' : ''}\n\n${part.markdown(figures as never)}\n`);
  } catch (err) {
    failed = true;
    console.error(`faults: ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
}
process.exit(failed ? 1 : 0);
