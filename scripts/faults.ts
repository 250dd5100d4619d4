// `npm run faults [-- --only=outage]`: fault scripts, each a part that starts what it needs on
// loopback, runs for a bounded time and prints its figures as Markdown for the README.
// Parts are registered below by name, like the benchmark's (scripts/bench.ts).
import { progress } from './bench/common.ts';

type PartRun = (log: (line: string) => void) => Promise<{ markdown: string; ok: boolean }>;

const PARTS: Record<string, () => Promise<PartRun>> = {
  outage: async () => (await import('./faults/outage.ts')).run,
};

function parseOnly(argv: string[]): string[] {
  let only = Object.keys(PARTS);
  for (const a of argv) {
    if (a.startsWith('--only=')) {
      only = a.slice('--only='.length).split(',').map((s) => s.trim()).filter(Boolean);
      const bad = only.filter((n) => !(n in PARTS));
      if (bad.length) usage(`unknown part(s): ${bad.join(', ')}`);
    } else if (a === '--help' || a === '-h') usage();
    else usage(`unknown argument ${a}`);
  }
  return only;
}

function usage(error?: string): never {
  if (error) console.error(`faults: ${error}`);
  console.error(`usage: npm run faults -- [--only=${Object.keys(PARTS).join(',')}]`);
  process.exit(error ? 2 : 0);
}

const only = parseOnly(process.argv.slice(2));
const out: string[] = [];
let ok = true;
for (const name of only) {
  const log = progress(name);
  try {
    const result = await (await PARTS[name]!())(log);
    out.push(result.markdown);
    ok &&= result.ok;
  } catch (err) {
    ok = false;
    log(`FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    out.push(`**${name} failed:** ${String(err).split('\n')[0]}\n`);
  }
}
process.stdout.write(`\n${out.join('\n')}`);
process.exit(ok ? 0 : 1);
