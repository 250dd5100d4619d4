// `npm run spend` as an operator runs it: a child process on a fresh DATA_DIR (telmark stopped),
// importing the README's example file; a bad file changes nothing; a re-import replaces.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../schema/client.ts';
import { migrate } from '../../schema/migrate.ts';
import { upsertSites } from '../../schema/sites.ts';
import { tempDir, type TempDir } from '../helpers/telmark.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
let dir: TempDir;

function spend(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir.path };
  for (const k of Object.keys(env)) if (k.startsWith('CLICKHOUSE_')) delete env[k];
  return new Promise((resolve) => {
    execFile(TSX, ['scripts/spend.ts', ...args], { cwd: ROOT, env, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0, stdout, stderr });
    });
  });
}

beforeAll(async () => {
  dir = tempDir('telmark-spend-cli-');
  const store = openStore({ mode: 'embedded', dataDir: dir.path, database: 'telmark' });
  await migrate(store, { retentionMonths: 25 });
  await upsertSites(store, [{ domain: 'example.com', timezone: 'UTC' }]);
  await store.close();
}, 60_000);
afterAll(() => dir?.remove());

describe('npm run spend', () => {
  it('imports the example file (a dry run first stores nothing), lists it, and a re-import replaces', async () => {
    const dry = await spend(['import', 'examples/ad-spend.csv', '--site', 'example.com', '--dry-run']);
    expect(dry.stdout.trim()).toBe('would import 4 row(s), 2 day(s) 2026-11-19..2026-11-20, 3 campaign(s), 38.84 EUR: 4 new, 0 replacing earlier rows (dry run: nothing stored)');
    expect((await spend(['list', '--site', 'example.com', '--from', '2026-11-01', '--to', '2026-11-30'])).stdout.trim().split('\n')).toHaveLength(1);
    const done = await spend(['import', 'examples/ad-spend.csv', '--site', 'example.com']);
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(/^imported 4 row\(s\)/);
    const again = await spend(['import', 'examples/ad-spend.csv', '--site', 'example.com']);
    expect(again.stdout).toMatch(/: 0 new, 4 replacing earlier rows/);
    const list = await spend(['list', '--site', 'example.com', '--from', '2026-11-01', '--to', '2026-11-30']);
    expect(list.stdout.trim().split('\n')).toEqual([
      'date,utm_source,utm_campaign,utm_medium,spend,currency,clicks,impressions',
      '2026-11-19,facebook,winter,paid_social,1,EUR,2,120',
      '2026-11-20,facebook,winter,paid_social,12.34,EUR,10,500',
      '2026-11-20,google,Spring,cpc,20,EUR,40,1000',
      '2026-11-20,newsletter,summer,email,5.5,EUR,,',
    ]);
  }, 90_000);

  it('a bad file exits 2 naming its line and field, and changes nothing; an unknown site too', async () => {
    const bad = join(dir.path, 'bad.csv');
    writeFileSync(bad, 'date,utm_source,utm_campaign,spend,currency\n2026-11-20,google,spring,7,EUR\n2026-11-21,google,spring,x,EUR\n');
    const res = await spend(['import', bad, '--site', 'example.com']);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe('telmark spend: line 3, spend: "x" is not an amount such as 123.45 (no currency sign, no thousands separator, at most 8 decimals)');
    const list = await spend(['list', '--site', 'example.com', '--from', '2026-11-20', '--to', '2026-11-21']);
    expect(list.stdout).toContain('2026-11-20,google,Spring,cpc,20,EUR,40,1000');
    expect(list.stdout).not.toContain(',7,');
    const unknown = await spend(['import', 'examples/ad-spend.csv', '--site', 'nope.example']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no site "nope.example"/);
  }, 90_000);
});
