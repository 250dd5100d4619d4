// What signing in and being signed in cost. A child process starts the dashboard (startAll,
// collector off) on a fresh DATA_DIR, creates a viewer, and times real HTTP requests one at a time:
// - the same read (GET /api/sites) with the operator's stats key (no account lookup: the
//   baseline), with a session cookie, and with a user's own API key: the ratio is what accounts
//   add to every request;
// - POST /api/auth/login (argon2id verification, audit row, session row);
// - how many ClickHouse writes the session's sliding renewal made meanwhile (at most one a minute).
import { LOGIN_SESSIONS_TABLE } from '../../schema/cubes.ts';
import { upsertSites } from '../../schema/sites.ts';
import { startAll } from '../start-all.ts';
import { BENCH_SITE, BENCH_STATS_KEY, fmtInt, fmtMs, percentile, progress, table, tempDir, toParent, withChild, type Progress } from './common.ts';

export interface AuthOptions {
  /** Requests per credential kind, alternated in rounds so that drift hits all kinds alike. */
  requests: number;
  logins: number;
}

export const AUTH_DEFAULTS: AuthOptions = { requests: 3000, logins: 30 };
export const AUTH_QUICK: AuthOptions = { requests: 300, logins: 8 };

const PASSWORD = 'plum-orbit-canyon-velvet-42';

interface Timing {
  p50: number;
  p99: number;
  mean: number;
}

export interface AuthResult {
  requests: number;
  logins: number;
  /** GET /api/sites, ms per request. */
  envKey: Timing;
  session: Timing;
  userKey: Timing;
  login: Timing;
  /** Session rows written during the session-cookie requests (sliding renewal). */
  sessionWrites: number;
  sessionSeconds: number;
}

function timing(ms: number[]): Timing {
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), mean: ms.reduce((a, b) => a + b, 0) / ms.length };
}

export async function authServer(o: AuthOptions): Promise<void> {
  const log = progress('auth');
  const dir = tempDir('telmark-bench-auth-');
  try {
    const running = await startAll(
      { DATA_DIR: dir.path, DASHBOARD_PORT: '0', DASHBOARD_HOST: '127.0.0.1', STATS_API_KEYS: BENCH_STATS_KEY },
      { collector: false, log: () => {} },
    );
    try {
      const { store, dashboardUrl } = running;
      const accounts = running.accounts!;
      await upsertSites(store, [{ domain: BENCH_SITE, timezone: 'UTC' }]);
      await accounts.createUser({ email: 'bench@example.com', password: PASSWORD, roles: ['viewer'], sites: 'all' }, { userId: '', keyId: 'bench' });
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${dashboardUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', origin: dashboardUrl, ...headers }, body: JSON.stringify(body) });

      // Sign-ins, each its own session (as a person signing in on several devices).
      const loginMs: number[] = [];
      let cookie = '';
      for (let i = 0; i < o.logins; i++) {
        const t0 = performance.now();
        const res = await post('/api/auth/login', { email: 'bench@example.com', password: PASSWORD });
        await res.arrayBuffer();
        loginMs.push(performance.now() - t0);
        if (res.status !== 200) throw new Error(`sign-in answered ${res.status}`);
        cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
      }
      log(`${o.logins} sign-ins: p50 ${fmtMs(percentile(loginMs, 50))} ms`);
      const made = await post('/api/auth/keys', { name: 'bench', scopes: ['stats:read'] }, { cookie });
      const userKey = ((await made.json()) as { secret: string }).secret;

      const kinds = {
        envKey: { authorization: `Bearer ${BENCH_STATS_KEY}` },
        session: { cookie },
        userKey: { authorization: `Bearer ${userKey}` },
      } as const;
      const ms: Record<keyof typeof kinds, number[]> = { envKey: [], session: [], userKey: [] };
      const sessionRows = async () => {
        const rs = await store.client.query({ query: `SELECT count() AS n FROM ${store.table(LOGIN_SESSIONS_TABLE)}`, format: 'JSONEachRow' });
        return Number((await rs.json<{ n: string }>())[0]!.n);
      };
      const rowsBefore = await sessionRows();
      const t0 = performance.now();
      const rounds = 10;
      for (let round = 0; round < rounds; round++) {
        for (const kind of Object.keys(kinds) as Array<keyof typeof kinds>) {
          for (let i = 0; i < o.requests / rounds; i++) {
            const start = performance.now();
            const res = await fetch(`${dashboardUrl}/api/sites`, { headers: kinds[kind] });
            await res.arrayBuffer();
            if (res.status !== 200) throw new Error(`${kind}: GET /api/sites answered ${res.status}`);
            ms[kind].push(performance.now() - start);
          }
        }
        log(`round ${round + 1}/${rounds}`);
      }
      const sessionSeconds = (performance.now() - t0) / 1000;
      // Let a renewal write that is under way land before counting.
      await new Promise((r) => setTimeout(r, 300));
      const sessionWrites = (await sessionRows()) - rowsBefore;
      const result: AuthResult = {
        requests: o.requests,
        logins: o.logins,
        envKey: timing(ms.envKey),
        session: timing(ms.session),
        userKey: timing(ms.userKey),
        login: timing(loginMs),
        sessionWrites,
        sessionSeconds,
      };
      await toParent({ type: 'result', result });
    } finally {
      await running.stop();
    }
  } finally {
    dir.remove();
  }
}

export async function runAuth(o: AuthOptions, log: Progress): Promise<AuthResult> {
  log(`child process: dashboard on a fresh DATA_DIR; ${fmtInt(o.requests)} GET /api/sites per credential kind, ${o.logins} sign-ins`);
  return withChild('auth-server', o, (child) => child.next<AuthResult>('result'));
}

export function authMarkdown(r: AuthResult): string[] {
  const row = (label: string, t: Timing, base?: Timing | 'self') => [label, fmtMs(t.p50), fmtMs(t.p99), base === 'self' ? '1.00x' : base ? `${(t.p50 / base.p50).toFixed(2)}x` : '–'];
  return [
    `### Accounts: what signing in and staying signed in cost (\`npm run bench -- --only=auth\`)`,
    '',
    `Real HTTP, one request at a time, ${fmtInt(r.requests)} \`GET /api/sites\` per credential kind (alternated in rounds), against the dashboard on embedded ClickHouse:`,
    '',
    table(
      ['Request', 'p50 ms', 'p99 ms', 'p50 vs operator key'],
      [
        row('`GET /api/sites`, operator key (`STATS_API_KEYS`, no account lookup)', r.envKey, 'self'),
        row('`GET /api/sites`, session cookie (session + user checked per request)', r.session, r.envKey),
        row("`GET /api/sites`, a user's own key (`tmk_…`)", r.userKey, r.envKey),
        row(`\`POST /api/auth/login\` (argon2id m=19 MiB t=2 p=1, audit row, session row; ${r.logins} sign-ins)`, r.login),
      ],
    ),
    '',
    `Sliding renewal: ${fmtInt(r.requests)} requests with one session over ${r.sessionSeconds.toFixed(1)} s wrote **${r.sessionWrites}** session row(s) to ClickHouse (at most one a minute per session, never one per request).`,
    '',
  ];
}
