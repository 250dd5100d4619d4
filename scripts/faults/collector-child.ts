// A collector in a child process (`scripts/collector.ts`, as `npm run collector` runs it), for
// the fault scripts and tests that kill it: chDB binds one data directory per process, so the
// parent reads the store only after the child is gone.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '../../schema/client.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CollectorChild {
  url: string;
  pid: number;
  /** Everything the child printed so far. */
  output(): string;
  kill(signal: NodeJS.Signals): void;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Loopback listeners on free ports, one site, loopback trusted (so X-Forwarded-For picks the client address). */
export function childEnv(dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATA_DIR: dataDir,
    COLLECTOR_PORT: '0',
    COLLECTOR_ADMIN_PORT: '0',
    COLLECTOR_HOST: '127.0.0.1',
    SITES: 'example.com',
    TRUSTED_PROXIES: '127.0.0.1/32,::1',
    STATS_API_KEYS: 'faults-stats-key-0123456789',
    SECURITY_API_KEYS: 'faults-security-key-0123456789',
    ...extra,
  };
}

/** Starts the child and resolves once it prints its collector URL (it has replayed its spool by then). */
export async function startCollectorChild(env: Record<string, string>, timeoutMs = 90_000): Promise<CollectorChild> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'collector.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const end = Date.now() + timeoutMs;
    const check = () => {
      const m = /collector\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
      else if (child.exitCode !== null || Date.now() > end) reject(new Error(`collector child did not start:\n${out}`));
      else setTimeout(check, 50);
    };
    check();
  });
  return { url, pid: child.pid!, output: () => out, kill: (signal) => child.kill(signal), exited };
}

/** sum(pageviews) of a site in the hourly acquisition cube, read after the child has exited. */
export async function countedPageviews(dataDir: string, site = 'example.com'): Promise<number> {
  const store: Store = openStore({ mode: 'embedded', dataDir, database: 'telmark' });
  try {
    const rs = await store.client.query({
      query: `SELECT sum(pageviews) AS n FROM ${store.table('acquisition_hour')} WHERE site = {s:String}`,
      query_params: { s: site },
      format: 'JSONEachRow',
    });
    return Number((await rs.json<{ n: string }>())[0]!.n);
  } finally {
    await store.close();
  }
}

/**
 * Pageviews from `workers` concurrent clients, each beacon from its own address, until `stop()`
 * says so or the server goes away. Counts the ones answered 202 (accepted) and every answer.
 */
export async function sendPageviews(url: string, opts: { workers: number; stop: () => boolean; onAccepted?: () => void }): Promise<{ accepted: number; refused: number }> {
  let i = 0;
  let accepted = 0;
  let refused = 0;
  let gone = false;
  const worker = async () => {
    while (!gone && !opts.stop()) {
      const n = i++;
      try {
        const res = await fetch(`${url}/api/event`, {
          method: 'POST',
          headers: {
            'content-type': 'text/plain',
            'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
            'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
          },
          body: JSON.stringify({ n: 'pageview', u: `https://example.com/p/${n % 50}`, d: 'example.com', r: null }),
        });
        await res.arrayBuffer();
        if (res.status === 202) {
          accepted++;
          opts.onAccepted?.();
        } else refused++;
      } catch {
        // Connection refused or reset: the server is gone; what was not answered was not accepted.
        gone = true;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.workers }, worker));
  return { accepted, refused };
}
