// SIGTERM under load: the collector stops accepting, flushes everything, exits 0, and every
// beacon it answered 202 is counted. A real `npm start`-style child process, real HTTP, real chDB.
// Twice: events counted at once, and with the abuse hold on (the default: accepted events wait
// ABUSE_HOLD_MS before they are counted, so the shutdown must count what is still held).
import { spawn } from 'node:child_process';
import { expect, it } from 'vitest';
import { openStore } from '../../schema/client.ts';
import { pageview, postBeacon, sumPageviews, tempDir, testEnv } from '../helpers/telmark.ts';

it.each([
  ['counted at once (ABUSE_HOLD_MS=0)', {}],
  ['with the abuse hold on (ABUSE_HOLD_MS=10000, default limits)', { ABUSE_HOLD_MS: '10000', ABUSE_LIMIT_EVENTS_10S: '100', ABUSE_LIMIT_EVENTS_1M: '300' }],
] as const)('every accepted event is counted after a SIGTERM under load, %s', async (_name, extra: Record<string, string>) => {
  const dir = tempDir('telmark-sigterm-');
  const dataDir = dir.path;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    // testEnv's long flush interval: everything still pending at SIGTERM must go out in the final flush.
    env: { ...process.env, ...testEnv(dataDir), ...extra },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up line in 60 s:\n${out}`)), 60_000);
    const check = () => {
      const m = /collector\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      } else setTimeout(check, 100);
    };
    check();
  });

  let accepted = 0;
  let refused = 0;
  let sent = 0;
  let stop = false;
  const worker = async (w: number) => {
    while (!stop && sent < 20_000) {
      const i = sent++;
      if (i === 1500) child.kill('SIGTERM');
      try {
        const res = await postBeacon(url, pageview(`https://example.com/p/${i % 50}`), {
          'content-type': 'text/plain',
          'x-forwarded-for': `10.${w}.${(i >> 8) & 255}.${i & 255}`,
        });
        if (res.status === 202) accepted++;
        else refused++;
        await res.arrayBuffer();
      } catch {
        // Connection refused or reset: the server is gone. Nothing was accepted.
        refused++;
        stop = true;
      }
    }
  };
  await Promise.all(Array.from({ length: 20 }, (_, w) => worker(w)));
  const code = await exited;
  expect(code, out).toBe(0);
  expect(out).toMatch(/SIGTERM received/);
  expect(out).toMatch(/flushed all aggregates/);
  expect(accepted).toBeGreaterThanOrEqual(1500);

  const store = openStore({ mode: 'embedded', dataDir, database: 'telmark' });
  try {
    const counted = await sumPageviews(store, 'example.com');
    console.log(`sigterm: ${accepted} accepted (202), ${refused} refused after SIGTERM, ${counted} counted`);
    expect(counted).toBe(accepted);
  } finally {
    await store.close();
    dir.remove();
  }
}, 120_000);
