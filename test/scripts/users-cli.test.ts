// `npm run users` and `npm run grants` as an operator runs them: child processes on a fresh
// DATA_DIR while telmark is stopped; then telmark started on that directory honours what the CLI
// did (sign-in over HTTP), and while it runs the CLI says plainly that the directory is in use.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieClient, PASSWORD } from '../helpers/accounts.ts';
import { auditRows, loopbackEnv, startTelmarkWith, tempDir, type StartedTelmark, type TempDir } from '../helpers/telmark.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// What `npx tsx` resolves to, without npx's own start-up second.
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const NEW_PASSWORD = 'lantern-quarry-mosaic-thistle-17';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: TempDir;

/** Runs a script with `input` piped on standard input; the environment is this one plus DATA_DIR only. */
function run(script: string, args: string[], input?: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dir.path };
  for (const k of Object.keys(env)) if (k.startsWith('CLICKHOUSE_')) delete env[k];
  return new Promise((resolve) => {
    const child = execFile(TSX, [script, ...args], { cwd: ROOT, env, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (input !== undefined) child.stdin!.end(input);
    else child.stdin!.end();
  });
}
const users = (args: string[], input?: string) => run('scripts/users.ts', args, input);

beforeAll(() => {
  dir = tempDir('telmark-users-cli-');
});
afterAll(() => dir?.remove());

describe('npm run users (telmark stopped)', () => {
  it('creates a marketer of two sites with the password from standard input', async () => {
    const r = await users(['create', 'Mara@Example.com', '--role', 'marketer', '--sites', 'a.com,b.com'], `${PASSWORD}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('created mara@example.com (marketer; a.com, b.com)');
    expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('refuses a weak password with the reason (exit 2), an unknown role, a taken email and a missing --role', async () => {
    const weak = await users(['create', 'weak@example.com', '--role', 'viewer'], 'password1234\n');
    expect(weak.code).toBe(2);
    expect(weak.stderr).toMatch(/^telmark users: this password is too weak: .*common/m);
    const short = await users(['create', 'weak@example.com', '--role', 'viewer'], 'short\n');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('password must be at least 12 characters');

    const role = await users(['create', 'wiz@example.com', '--role', 'wizard'], `${PASSWORD}\n`);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('unknown role "wizard" (roles: admin, marketer, viewer, security)');
    const noRole = await users(['create', 'wiz@example.com'], `${PASSWORD}\n`);
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toContain('create needs --role');

    const taken = await users(['create', 'mara@example.com', '--role', 'viewer'], `${PASSWORD}\n`);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('a user with this email exists already');
  });

  it('lists users with roles, sites and state, never a password or hash; disable and enable change the state', async () => {
    expect((await users(['create', 'vic@example.com', '--role', 'viewer,marketer'], `${PASSWORD}\n`)).code).toBe(0);
    expect((await users(['create', 'gone@example.com', '--role', 'security'], `${PASSWORD}\n`)).stdout).toContain('they set up their second factor (TOTP) at their first sign-in');

    const disabled = await users(['disable', 'vic@example.com']);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.stdout).toContain('disabled vic@example.com and ended their sessions');
    let list = await users(['list']);
    expect(list.code, list.stderr).toBe(0);
    const line = (email: string) => list.stdout.split('\n').find((l) => l.startsWith(`${email}\t`));
    expect(line('mara@example.com')).toBe('mara@example.com\tmarketer\ta.com,b.com\tenabled\t2FA off\tlast sign-in never');
    expect(line('vic@example.com')).toMatch(/^vic@example\.com\tviewer,marketer\tall sites\tdisabled\t/);
    expect(line('gone@example.com')).toMatch(/^gone@example\.com\tsecurity\tall sites\tenabled\t2FA off\t/);
    expect(line('weak@example.com')).toBeUndefined();
    expect(line('wiz@example.com')).toBeUndefined();
    expect(list.stdout).not.toContain(PASSWORD);
    expect(list.stdout).not.toMatch(/argon2|\$v=19/);

    expect((await users(['enable', 'vic@example.com'])).stdout).toContain('enabled vic@example.com');
    list = await users(['list']);
    expect(line('vic@example.com')).toMatch(/\tenabled\t/);
    // Disabled again for the sign-in check below.
    expect((await users(['disable', 'vic@example.com'])).code).toBe(0);
    expect((await users(['disable', 'nobody@example.com'])).stderr).toContain('no user nobody@example.com');
  });

  it('resets a password (from standard input, policy applied) and deletes a user', async () => {
    const weak = await users(['reset-password', 'mara@example.com'], 'qwertyuiop123\n');
    expect(weak.code).toBe(2);
    const reset = await users(['reset-password', 'mara@example.com'], `${NEW_PASSWORD}\n`);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('new password set for mara@example.com');

    const del = await users(['delete', 'gone@example.com']);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout).toContain('deleted gone@example.com');
    const list = await users(['list']);
    expect(list.stdout).not.toContain('gone@example.com');
    expect(list.stdout).toContain('mara@example.com');
  });
});

describe('telmark started on the CLI\'s DATA_DIR', () => {
  let t: StartedTelmark;
  beforeAll(async () => {
    t = await startTelmarkWith(() => loopbackEnv(dir.path), { tmpPrefix: 'telmark-users-cli-unused-' });
  });
  afterAll(async () => t?.destroy());

  it('signs in the CLI-created user with the reset password; the disabled, the deleted and the old password get the generic 401', async () => {
    expect(t.setupUrl).toBeUndefined();
    const mara = new CookieClient(t.dashboardUrl);
    const ok = await mara.post('/api/auth/login', { email: 'mara@example.com', password: NEW_PASSWORD });
    expect(ok.status, JSON.stringify(ok.json)).toBe(200);
    expect(ok.json.user).toMatchObject({ email: 'mara@example.com', roles: ['marketer'], sites: ['a.com', 'b.com'] });
    expect((await mara.get('/api/auth/me')).json.user.email).toBe('mara@example.com');

    for (const [email, password] of [
      ['mara@example.com', PASSWORD],
      ['vic@example.com', PASSWORD],
      ['gone@example.com', PASSWORD],
    ]) {
      const r = await new CookieClient(t.dashboardUrl).post('/api/auth/login', { email, password });
      expect(r.status, email).toBe(401);
      expect(r.json, email).toEqual({ error: 'wrong email or password' });
    }
  });

  it('the CLI\'s changes were audited as via=cli', async () => {
    const rows = (await auditRows(t)).filter((r) => r.via === 'cli');
    const actions = rows.map((r) => r.action);
    expect(actions.filter((a) => a === 'user.create')).toHaveLength(3);
    expect(actions).toEqual(expect.arrayContaining(['user.update', 'user.password.reset', 'user.delete']));
    expect(rows.every((r) => r.key_id === 'cli')).toBe(true);
  });

  it('while it runs, the CLI says plainly that the data directory is in use', async () => {
    const r = await users(['list']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^telmark users: .*data directory .* is in use by another telmark process\. Stop it first/m);
    expect(r.stderr).toMatch(/While telmark runs, manage users on the dashboard's Users page, or stop it and run this again\./);
    const c = await users(['create', 'late@example.com', '--role', 'viewer'], `${PASSWORD}\n`);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toMatch(/in use/);
  });
});

describe('npm run grants -- --print', () => {
  it('prints the dashboard\'s grants on the account tables, and none to the collector', async () => {
    const r = await run('scripts/grants.ts', ['--print']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.startsWith('GRANT'));
    expect(lines.length).toBeGreaterThan(10);
    for (const table of ['users', 'login_sessions', 'api_keys']) {
      const on = lines.filter((l) => l.includes(`.${table} `));
      expect(on, table).toEqual([`GRANT SELECT, INSERT, ALTER DELETE ON telmark.${table} TO telmark_dashboard;`]);
    }
    // The collector never reaches the accounts, and nobody may read the audit log back.
    for (const l of lines.filter((l) => l.endsWith('TO telmark_collector;'))) expect(l).not.toMatch(/\.(users|login_sessions|api_keys) /);
    expect(lines.filter((l) => l.includes('.audit_log ')).every((l) => l.startsWith('GRANT INSERT ON'))).toBe(true);
  });
});
