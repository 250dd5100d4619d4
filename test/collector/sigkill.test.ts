// kill -9 with SPOOL_INTERVAL_MS on: a real collector child (`npm run collector`), real HTTP, real
// chDB. Its flush never comes (FLUSH_INTERVAL_MS one hour), so everything it accepted is only in
// memory and in its checkpoint. Once the checkpoint holds every accepted pageview it is killed
// hard, restarted on the same DATA_DIR (which replays the spool) and stopped cleanly: every
// accepted pageview is counted, once.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { childEnv, countedPageviews, sendPageviews, startCollectorChild } from '../../scripts/faults/collector-child.ts';
import { tempDir } from '../helpers/telmark.ts';

const NO_ABUSE_HOLD = { ABUSE_HOLD_MS: '0', FLUSH_INTERVAL_MS: '3600000', SPOOL_INTERVAL_MS: '500' };

/** Pageviews the spool's files hold (acquisition cube), as a restart would replay them. */
function spooledPageviews(dataDir: string): number {
  const dir = join(dataDir, 'spool');
  let n = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    const batch = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { rows: { acquisition: Array<{ pageviews: number }> } };
    for (const r of batch.rows.acquisition) n += Number(r.pageviews);
  }
  return n;
}

it('after kill -9, a restart on the same DATA_DIR counts every pageview the last checkpoint held, once', async () => {
  const dir = tempDir('telmark-sigkill-');
  try {
    const first = await startCollectorChild(childEnv(dir.path, NO_ABUSE_HOLD));
    let sent = 0;
    const { accepted, refused } = await sendPageviews(first.url, { workers: 10, stop: () => sent++ >= 1500 });
    expect(refused).toBe(0);
    expect(accepted).toBe(1500);
    // The checkpoint comes every 500 ms; wait for one that holds everything.
    const end = Date.now() + 30_000;
    while (spooledPageviews(dir.path) !== accepted) {
      if (Date.now() > end) throw new Error(`the checkpoint never held all ${accepted} pageviews (${spooledPageviews(dir.path)})\n${first.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    first.kill('SIGKILL');
    expect(await first.exited).toBeNull();

    const second = await startCollectorChild(childEnv(dir.path, NO_ABUSE_HOLD));
    expect(second.output()).toMatch(/flusher: replaying 1 spooled batch/);
    second.kill('SIGTERM');
    expect(await second.exited, second.output()).toBe(0);
    expect(second.output()).toMatch(/flushed all aggregates/);
    expect(await countedPageviews(dir.path)).toBe(accepted);
    expect(readdirSync(join(dir.path, 'spool')).filter((f) => f.endsWith('.json'))).toEqual([]);
  } finally {
    dir.remove();
  }
}, 120_000);
