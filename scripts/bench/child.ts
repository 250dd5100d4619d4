// Entry of the benchmark's child processes: `child.ts <role> <json payload>`. Each role opens at
// most one chDB data directory (one per process) and talks to the parent over IPC (common.ts).
import { toParent } from './common.ts';

const ROLES: Record<string, (payload: any) => Promise<void>> = {
  'bare-server': async (p) => (await import('./throughput.ts')).bareServer(p.httpOnly === true),
  'collector-server': async (p) => (await import('./throughput.ts')).collectorServer({ abuse: p.abuse !== false, goals: p.goals === true }),
  storage: async (p) => (await import('./storage.ts')).storageChild(p),
  'stats-server': async (p) => (await import('./stats.ts')).statsServer(p),
  'abuse-memory': async (p) => (await import('./abuse.ts')).abuseMemoryChild(p),
  'auth-server': async (p) => (await import('./auth.ts')).authServer(p),
};

const [role = '', payload = '{}'] = process.argv.slice(2);
const run = ROLES[role];
if (!run) {
  process.stderr.write(`bench child: unknown role "${role}"\n`);
  process.exit(2);
}
try {
  await run(JSON.parse(payload));
  process.exit(0);
} catch (err) {
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  await toParent({ type: 'error', message }).catch(() => {});
  process.exit(1);
}
