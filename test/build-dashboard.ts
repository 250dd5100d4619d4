// vitest globalSetup: the e2e tests drive the dashboard the server serves from dashboard/dist, so
// it is built from the current source once, before any test file starts. (Each e2e file used to
// build it in its own beforeAll; with two files running at once, one build emptied dashboard/dist
// while the other's page was loading its scripts: a 404, and a page that never came up.)
// Skipped when dist is newer than every source file (`npm test` has just built it).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return latest;
}

export default async function setup(): Promise<void> {
  const index = 'dashboard/dist/index.html';
  const sources = Math.max(newest('dashboard/app'), statSync('dashboard/vite.config.ts').mtimeMs);
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  await build({ configFile: 'dashboard/vite.config.ts', logLevel: 'warn' });
}
