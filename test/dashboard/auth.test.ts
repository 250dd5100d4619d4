// Accounts over real HTTP against a real telmark (embedded chDB), on a test clock: the first
// admin's setup link, sign-in with password and TOTP, throttling, session cookies and lifetimes,
// CSRF, role and site changes on the next request, API keys, export and deletion, and the audit
// trail of all of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditRows, beaconsFrom, cellsAsText, startTestTelmark, STATS_KEY, type TestTelmark } from '../helpers/telmark.ts';
import { CookieClient, createUser, loginWithHost, PASSWORD, signIn, totpCode } from '../helpers/accounts.ts';

let t: TestTelmark;
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** Every cell of every table as text: for "is this secret stored anywhere" scans. */
async function everyCell(): Promise<string> {
  const tables = await (
    await t.store.client.query({ query: `SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree'`, query_params: { db: t.store.db }, format: 'JSONEachRow' })
  ).json<{ name: string }>();
  const parts: string[] = [];
  for (const { name } of tables) parts.push((await cellsAsText(t.store, t.store.db, name)).rows.map((r) => r.join('|')).join('\n'));
  return parts.join('\n');
}

function auditOf(action: string) {
  return auditRows(t).then((rows) => rows.filter((r) => r.action === action));
}

/**
 * A fresh admin session (admins' sessions end after 30 idle minutes, and tests move the clock by
 * days). Each sign-in is 31 s after the last, so its TOTP code is a new one (codes work once).
 */
let adminUri: string | undefined;
async function asAdmin(): Promise<CookieClient> {
  if (!adminUri) {
    await createUser(t, 'boss@example.com', ['admin']);
    const first = await signIn(t, 'boss@example.com', { now: t.clock.now });
    adminUri = first.otpauthUri!;
    return first.client;
  }
  t.clock.advance(31);
  return (await signIn(t, 'boss@example.com', { now: t.clock.now, totpUri: adminUri })).client;
}

beforeAll(async () => {
  t = await startTestTelmark({ ABUSE_LIMIT_EVENTS_10S: '20' });
}, 60_000);
afterAll(async () => {
  await t?.destroy();
});

describe('the first admin', () => {
  it('a one-time setup link (valid one hour) creates the first admin while no account exists', async () => {
    expect(t.setupUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#\/setup\/[A-Za-z0-9_-]{43}$/);
    const token = t.setupUrl!.split('/').pop()!;
    const c = new CookieClient(t.dashboardUrl);
    expect((await c.get('/api/auth/setup')).json).toEqual({ setup_required: true });
    const wrong = await c.post('/api/auth/setup', { token: 'x'.repeat(43), email: 'first@example.com', password: PASSWORD });
    expect(wrong.status).toBe(403);
    const weak = await c.post('/api/auth/setup', { token, email: 'first@example.com', password: 'password1234' });
    expect(weak.status).toBe(400);
    expect(weak.json.error).toMatch(/common password|too weak/);
    const made = await c.post('/api/auth/setup', { token, email: 'First@Example.com', password: PASSWORD });
    expect(made.status).toBe(201);
    expect(made.json.user).toMatchObject({ email: 'first@example.com', roles: ['admin'], sites: 'all' });
    expect((await c.post('/api/auth/setup', { token, email: 'second@example.com', password: PASSWORD })).status).toBe(403);
    expect((await c.get('/api/auth/setup')).json).toEqual({ setup_required: false });
    expect((await auditOf('auth.setup')).map((r) => r.outcome)).toEqual(['invalid_token', 'invalid_token']);
    // Wrong link tokens are throttled per network like failed sign-ins (no flood of audit rows).
    const from = { 'x-forwarded-for': '192.0.2.99' };
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await c.post('/api/auth/invite/accept', { token: `${i}`.repeat(43), password: PASSWORD }, from)).status);
    expect(statuses).toEqual([403, 403, 403, 403, 403, 429]);
    expect((await auditOf('auth.invite.accept')).length).toBe(5);
  });
});

describe('signing in', () => {
  it('one answer for every wrong credential, a dummy hash for unknown emails, and no password or full IP in the audit log', async () => {
    await createUser(t, 'mia@example.com', ['marketer']);
    const c = new CookieClient(t.dashboardUrl);
    const ip = { 'x-forwarded-for': '198.51.100.77' };
    const unknown = await c.post('/api/auth/login', { email: 'nobody@example.com', password: PASSWORD }, ip);
    const wrong = await c.post('/api/auth/login', { email: 'mia@example.com', password: 'not-her-password-at-all' }, ip);
    expect([unknown.status, wrong.status]).toEqual([401, 401]);
    expect(unknown.json).toEqual({ error: 'wrong email or password' });
    expect(wrong.json).toEqual(unknown.json);
    const ok = await c.post('/api/auth/login', { email: 'MIA@example.com', password: PASSWORD }, ip);
    expect(ok.status).toBe(200);
    expect(ok.json.user).toMatchObject({ email: 'mia@example.com', roles: ['marketer'], sites: 'all' });
    // Rows written in one test-clock instant come back in any order: compare them sorted.
    const rows = (await auditOf('auth.login')).slice(-3);
    expect(rows.map((r) => `${r.outcome} ${r.status} ${r.ip_truncated}`).sort()).toEqual(['ok 200 198.51.100.0', 'unknown_account 401 198.51.100.0', 'wrong_password 401 198.51.100.0']);
    expect(rows.find((r) => r.outcome === 'unknown_account')!.user_id).toBe('');
    expect(rows.find((r) => r.outcome === 'wrong_password')!.user_id).toMatch(/^u_[0-9a-f]{16}$/);
    const all = await everyCell();
    expect(all).not.toContain('198.51.100.77');
    expect(all).not.toContain('not-her-password-at-all');
    expect(all).not.toContain(PASSWORD);
  });

  it('the session cookie: 256 random bits, HttpOnly, SameSite=Lax, Path=/, only its hash stored, a new one at every sign-in', async () => {
    const c = new CookieClient(t.dashboardUrl);
    const first = await c.post('/api/auth/login', { email: 'mia@example.com', password: PASSWORD });
    const header = first.headers.getSetCookie().join('\n');
    // Loopback over plain HTTP: no Secure, so no __Host- prefix.
    expect(header).toMatch(/^telmark_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    // The cookie lives as long as the session may at most (30 days for a marketer); the server
    // enforces the sliding idle limit, which a cookie's Max-Age could not follow.
    expect(header).toContain('Max-Age=2592000;');
    const token1 = c.cookie.split('=')[1]!;
    await c.post('/api/auth/login', { email: 'mia@example.com', password: PASSWORD });
    const token2 = c.cookie.split('=')[1]!;
    expect(token2).not.toBe(token1);
    const stored = await everyCell();
    expect(stored).not.toContain(token1);
    expect(stored).not.toContain(token2);
  });

  it('Secure and __Host- over HTTPS behind a trusted proxy; refused over plain HTTP off loopback unless DASHBOARD_INSECURE_HTTP', async () => {
    const c = new CookieClient(t.dashboardUrl);
    const viaProxy = await c.post('/api/auth/login', { email: 'mia@example.com', password: PASSWORD }, { 'x-forwarded-proto': 'https' });
    expect(viaProxy.headers.getSetCookie()[0]).toMatch(/^__Host-telmark_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect((await c.get('/api/auth/me')).status).toBe(200);
    // fetch() may not set Host: a raw request plays a browser that reached us by a public name.
    const refused = await loginWithHost(t.dashboardUrl, 'stats.example.com', { email: 'mia@example.com', password: PASSWORD });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error).toMatch(/HTTPS.*DASHBOARD_INSECURE_HTTP/);
    expect(refused.setCookie).toEqual([]);
  });

  it('throttles per account and per network: 5 failures in 15 minutes give 429 with a growing Retry-After', async () => {
    await createUser(t, 'tom@example.com', ['viewer']);
    const c = new CookieClient(t.dashboardUrl);
    const from = { 'x-forwarded-for': '203.0.113.9' };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await c.post('/api/auth/login', { email: 'tom@example.com', password: `wrong-guess-${i}-xyz` }, from)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    const blocked = await c.post('/api/auth/login', { email: 'tom@example.com', password: PASSWORD }, from);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get('retry-after')).toBe('60');
    expect(blocked.json.error).toMatch(/try again in 60 seconds/);
    // From another network the account is still blocked (per account) ...
    expect((await c.post('/api/auth/login', { email: 'tom@example.com', password: PASSWORD }, { 'x-forwarded-for': '192.0.2.50' })).status).toBe(429);
    // ... and the network is blocked for other accounts too (per network).
    expect((await c.post('/api/auth/login', { email: 'mia@example.com', password: PASSWORD }, { 'x-forwarded-for': '203.0.113.200' })).status).toBe(429);
    t.clock.advance(61);
    expect((await c.post('/api/auth/login', { email: 'tom@example.com', password: 'wrong-again-xyz-123' }, from)).status).toBe(401);
    const longer = await c.post('/api/auth/login', { email: 'tom@example.com', password: PASSWORD }, from);
    expect(longer.status).toBe(429);
    expect(longer.headers.get('retry-after')).toBe('120');
    t.clock.advance(15 * 60);
    expect((await c.post('/api/auth/login', { email: 'tom@example.com', password: PASSWORD }, from)).status).toBe(200);
  });
});

describe('TOTP', () => {
  it('admins enrol at their first sign-in; the enrolment session may do nothing else; codes and recovery codes work once', async () => {
    await createUser(t, 'ada@example.com', ['admin']);
    const c = new CookieClient(t.dashboardUrl);
    const first = await c.post('/api/auth/login', { email: 'ada@example.com', password: PASSWORD });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ totp_setup_required: true, otpauth_uri: expect.stringMatching(/^otpauth:\/\/totp\/telmark:ada%40example\.com\?.*secret=[A-Z2-7]+/) });
    const enrolToken = c.cookie;
    expect((await c.get('/api/users')).status).toBe(403);
    expect((await c.get('/api/users')).json.error).toMatch(/second factor/);
    // A reload half-way through enrolment finds the same QR code again.
    expect((await c.get('/api/auth/me')).json).toMatchObject({ totp_setup_required: true, permissions: [], otpauth_uri: first.json.otpauth_uri });
    expect((await c.post('/api/auth/totp/confirm', { code: '000000' })).status).toBe(400);
    const uri = first.json.otpauth_uri as string;
    const confirm = await c.post('/api/auth/totp/confirm', { code: totpCode(uri, t.clock.now()) });
    expect(confirm.status).toBe(200);
    const codes = confirm.json.recovery_codes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
    // A new token for the new privilege; the enrolment token is over.
    expect(c.cookie).not.toBe(enrolToken);
    expect((await c.get('/api/users')).status).toBe(200);
    const stale = new CookieClient(t.dashboardUrl);
    stale.cookie = enrolToken;
    expect((await stale.get('/api/auth/me')).status).toBe(401);

    // Later sign-ins need a code.
    const later = new CookieClient(t.dashboardUrl);
    expect((await later.post('/api/auth/login', { email: 'ada@example.com', password: PASSWORD })).json).toEqual({ error: 'totp required' });
    expect((await later.post('/api/auth/login', { email: 'ada@example.com', password: PASSWORD, totp: '123456' })).json).toEqual({ error: 'wrong email or password' });
    t.clock.advance(30);
    const code = totpCode(uri, t.clock.now());
    expect((await later.post('/api/auth/login', { email: 'ada@example.com', password: PASSWORD, totp: code })).status).toBe(200);
    // The same code a second time: refused (each code is accepted once).
    expect((await new CookieClient(t.dashboardUrl).post('/api/auth/login', { email: 'ada@example.com', password: PASSWORD, totp: code })).status).toBe(401);
    // A recovery code, lower-case and without dashes, works once.
    const recovery = codes[3]!.toLowerCase().replace(/-/g, '');
    expect((await new CookieClient(t.dashboardUrl).post('/api/auth/login', { email: 'ada@example.com', password: PASSWORD, totp: recovery })).status).toBe(200);
    expect((await new CookieClient(t.dashboardUrl).post('/api/auth/login', { email: 'ada@example.com', password: PASSWORD, totp: codes[3] })).status).toBe(401);
    const outcomes = (await auditOf('auth.login')).filter((r) => r.outcome.includes('totp') || r.outcome.includes('recovery')).map((r) => r.outcome);
    expect(outcomes.sort()).toEqual(['ok_recovery_code', 'totp_required', 'totp_setup_required', 'wrong_recovery_code', 'wrong_totp', 'wrong_totp']);
    expect((await auditOf('auth.totp.enrol')).map((r) => r.outcome).sort()).toEqual(['ok', 'wrong_code']);
    // The secret is sealed at rest and the recovery codes are hashed.
    const stored = await everyCell();
    expect(stored).not.toContain(new URL(uri).searchParams.get('secret')!);
    for (const c of codes) expect(stored).not.toContain(c);
  });

  it('moving to a new phone: the old factor works until a code from the new one is confirmed', async () => {
    const client = await asAdmin();
    const old = adminUri!;
    const move = await client.post('/api/auth/totp/setup', { password: PASSWORD });
    expect(move.json.otpauth_uri).toMatch(/^otpauth:/);
    expect(move.json.otpauth_uri).not.toBe(old);
    // Not confirmed yet: the old phone still signs in.
    t.clock.advance(31);
    expect((await signIn(t, 'boss@example.com', { now: t.clock.now, totpUri: old })).client).toBeDefined();
    const confirmed = await client.post('/api/auth/totp/confirm', { code: totpCode(move.json.otpauth_uri, t.clock.now()) });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json.recovery_codes).toHaveLength(10);
    t.clock.advance(31);
    // (From a network of its own: this failure must not count against loopback's.)
    const refused = await new CookieClient(t.dashboardUrl).post(
      '/api/auth/login',
      { email: 'boss@example.com', password: PASSWORD, totp: totpCode(old, t.clock.now() + 30_000) },
      { 'x-forwarded-for': '192.0.2.200' },
    );
    expect(refused.status).toBe(401);
    adminUri = move.json.otpauth_uri;
    expect((await signIn(t, 'boss@example.com', { now: t.clock.now, totpUri: adminUri })).client).toBeDefined();
    expect((await auditOf('auth.totp.move')).map((r) => r.outcome)).toEqual(['ok']);
  });

  it('a marketer may enrol optionally, and then needs a code too', async () => {
    await createUser(t, 'opt@example.com', ['marketer']);
    const { client } = await signIn(t, 'opt@example.com', { now: t.clock.now });
    expect((await client.post('/api/auth/totp/setup', { password: 'wrong-password-here' })).status).toBe(400);
    const setup = await client.post('/api/auth/totp/setup', { password: PASSWORD });
    expect(setup.json.otpauth_uri).toMatch(/^otpauth:/);
    expect((await client.post('/api/auth/totp/confirm', { code: totpCode(setup.json.otpauth_uri, t.clock.now()) })).status).toBe(200);
    expect((await new CookieClient(t.dashboardUrl).post('/api/auth/login', { email: 'opt@example.com', password: PASSWORD })).json).toEqual({ error: 'totp required' });
    expect((await client.post('/api/auth/totp/disable', { password: PASSWORD })).status).toBe(200);
    expect((await new CookieClient(t.dashboardUrl).post('/api/auth/login', { email: 'opt@example.com', password: PASSWORD })).status).toBe(200);
  });
});

describe('sessions', () => {
  it('marketers stay 14 days after their last request and 30 days at most; admins 30 minutes idle and 12 hours at most', async () => {
    await createUser(t, 'long@example.com', ['viewer']);
    const idle = (await signIn(t, 'long@example.com', { now: t.clock.now })).client;
    const active = (await signIn(t, 'long@example.com', { now: t.clock.now })).client;
    for (let day = 1; day <= 29; day++) {
      t.clock.ms += DAY;
      expect((await active.get('/api/auth/me')).status, `day ${day}`).toBe(200);
      if (day === 13) expect((await idle.get('/api/auth/me')).status).toBe(200);
    }
    // idle's last request was on day 13: 16 days ago.
    const gone = await idle.get('/api/auth/me');
    expect(gone.status).toBe(401);
    expect(gone.json.error).toMatch(/expired/);
    t.clock.ms += DAY + 1;
    expect((await active.get('/api/auth/me')).status).toBe(401);

    const admin = await signIn(t, 'ada@example.com', { now: t.clock.now, totpUri: undefined }).catch(() => undefined);
    expect(admin).toBeUndefined(); // ada has TOTP: signIn without a code must fail
    await createUser(t, 'sec@example.com', ['security']);
    const sec = (await signIn(t, 'sec@example.com', { now: t.clock.now })).client;
    t.clock.ms += 29 * MIN;
    expect((await sec.get('/api/auth/me')).status).toBe(200);
    t.clock.ms += 31 * MIN;
    expect((await sec.get('/api/auth/me')).status).toBe(401);
  });

  it('the privileged session ends after 12 hours however active', async () => {
    await createUser(t, 'sec2@example.com', ['security']);
    const { client, otpauthUri } = await signIn(t, 'sec2@example.com', { now: t.clock.now });
    expect(otpauthUri).toBeDefined();
    for (let i = 0; i < 24; i++) {
      t.clock.ms += 29 * MIN;
      const status = (await client.get('/api/auth/me')).status;
      if (i < 24) expect(status, `after ${((i + 1) * 29) / 60} h`).toBe((i + 1) * 29 * MIN < 12 * 60 * MIN ? 200 : 401);
    }
  });

  it('sliding renewal writes a session row at most once a minute, however many requests', async () => {
    const { client } = await signIn(t, 'mia@example.com', { now: t.clock.now });
    const me = await client.get('/api/auth/me');
    const count = async () =>
      Number(
        (
          await (
            await t.store.client.query({ query: `SELECT count() AS n FROM ${t.store.table('login_sessions')} WHERE id = {id:String}`, query_params: { id: me.json.session.id }, format: 'JSONEachRow' })
          ).json<{ n: string }>()
        )[0]!.n,
      );
    const before = await count();
    for (let i = 0; i < 50; i++) {
      t.clock.ms += 1000;
      expect((await client.get('/api/auth/me')).status).toBe(200);
    }
    // 50 requests over 50 s: no write. One more after the minute: one write.
    expect(await count()).toBe(before);
    t.clock.ms += 11_000;
    await client.get('/api/auth/me');
    await new Promise((r) => setTimeout(r, 200));
    expect(await count()).toBe(before + 1);
  });

  it('sign-out ends the session at once; a password change ends the others; people see and end their sessions; admins end a user\'s', async () => {
    await createUser(t, 'sam@example.com', ['marketer']);
    const a = (await signIn(t, 'sam@example.com', { now: t.clock.now })).client;
    const b = (await signIn(t, 'sam@example.com', { now: t.clock.now })).client;
    const c = (await signIn(t, 'sam@example.com', { now: t.clock.now })).client;
    const list = await a.get('/api/auth/sessions');
    expect(list.json.sessions).toHaveLength(3);
    expect(list.json.sessions.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    expect(list.json.sessions[0]).toMatchObject({ device: expect.stringMatching(/ on /), last_seen_at: expect.any(String) });
    const bId = (await b.get('/api/auth/me')).json.session.id;
    expect((await a.del(`/api/auth/sessions/${bId}`)).json).toEqual({ ended: 1 });
    expect((await b.get('/api/auth/me')).status).toBe(401);
    expect((await a.get('/api/auth/sessions')).json.sessions).toHaveLength(2);

    const cToken = c.cookie;
    expect((await c.post('/api/auth/logout')).status).toBe(200);
    expect(c.cookie).toBe('');
    const afterLogout = new CookieClient(t.dashboardUrl);
    afterLogout.cookie = cToken;
    expect((await afterLogout.get('/api/auth/me')).status).toBe(401);

    const d = (await signIn(t, 'sam@example.com', { now: t.clock.now })).client;
    const weak = await a.post('/api/auth/password', { current_password: PASSWORD, new_password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.json.error).toMatch(/at least 12/);
    const changed = await a.post('/api/auth/password', { current_password: PASSWORD, new_password: 'amber-falcon-quiet-harbor-7' });
    expect(changed.json).toMatchObject({ ok: true, ended_sessions: 1 });
    expect((await a.get('/api/auth/me')).status).toBe(200);
    expect((await d.get('/api/auth/me')).status).toBe(401);

    const admin = await asAdmin();
    const sam = (await admin.get('/api/users')).json.users.find((u: { email: string }) => u.email === 'sam@example.com');
    expect((await admin.del(`/api/users/${sam.id}/sessions`)).json).toEqual({ ended: 1 });
    expect((await a.get('/api/auth/me')).status).toBe(401);
  });
});

describe('roles, sites and CSRF', () => {
  it('role and site changes and disabling count on the user\'s next request; disabling ends their sessions', async () => {
    await createUser(t, 'vic@example.com', ['marketer'], { sites: ['example.com'] });
    const vic = (await signIn(t, 'vic@example.com', { now: t.clock.now })).client;
    const admin = await asAdmin();
    expect((await vic.get('/api/sites')).json.sites.map((s: { domain: string }) => s.domain)).toEqual(['example.com']);
    const id = (await vic.get('/api/auth/me')).json.user.id;
    expect((await admin.patch(`/api/users/${id}`, { sites: ['other.example'] })).status).toBe(200);
    expect((await vic.get('/api/sites')).json.sites).toEqual([]);
    // A site outside the user's sites answers like a site that does not exist.
    const q = await vic.post('/api/v2/query', { site_id: 'example.com', metrics: ['visitors'], date_range: 'day' });
    expect(q.status).toBe(400);
    expect(q.json.error).toMatch(/unknown site/);
    expect((await admin.patch(`/api/users/${id}`, { roles: ['security'] })).status).toBe(200);
    const me = await vic.get('/api/auth/me');
    // Security needs a second factor this session never passed: it may only enrol now.
    expect(me.json).toMatchObject({ totp_setup_required: true, permissions: [] });
    expect((await vic.get('/api/sites')).status).toBe(403);
    expect((await admin.patch(`/api/users/${id}`, { roles: ['viewer'], sites: 'all' })).status).toBe(200);
    expect((await vic.get('/api/auth/me')).json.permissions.sort()).toEqual(['account', 'stats:read']);
    expect((await admin.patch(`/api/users/${id}`, { enabled: false })).status).toBe(200);
    expect((await vic.get('/api/auth/me')).status).toBe(401);
    expect((await new CookieClient(t.dashboardUrl).post('/api/auth/login', { email: 'vic@example.com', password: PASSWORD })).status).toBe(401);
    const changes = (await auditOf('user.update')).filter((r) => r.status === 200);
    expect(changes.length).toBeGreaterThanOrEqual(4);
    expect((await admin.patch(`/api/users/${(await admin.get('/api/auth/me')).json.user.id}`, { enabled: false })).status).toBe(400);
  });

  it('two invitations of one email at once: one account, one 409', async () => {
    const admin = await asAdmin();
    const both = await Promise.all([1, 2].map(() => admin.post('/api/users/invite', { email: 'twice@example.com', roles: ['viewer'] })));
    expect(both.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await admin.get('/api/users')).json.users.filter((u: { email: string }) => u.email === 'twice@example.com')).toHaveLength(1);
  });

  it('state changes take JSON only and refuse another Origin; GET changes nothing', async () => {
    const { client } = await signIn(t, 'mia@example.com', { now: t.clock.now });
    const form = await client.post('/api/auth/keys', 'name=x&scopes=stats:read', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    const plain = await client.post('/api/auth/logout', 'x', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    const foreign = await client.post('/api/auth/keys', { name: 'x', scopes: ['stats:read'] }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.json.error).toMatch(/another site/);
    const crossSite = await client.post('/api/auth/keys', { name: 'x', scopes: ['stats:read'] }, { origin: '', 'sec-fetch-site': 'cross-site' });
    expect([403]).toContain(crossSite.status);
    const del = await client.del('/api/auth/sessions', undefined, { origin: 'https://evil.example' });
    expect(del.status).toBe(403);
    expect((await client.get('/api/auth/keys')).json.keys).toEqual([]);
    expect((await client.get('/api/auth/me')).status).toBe(200);
    // No GET route changes anything: the app's GET routes are reads by construction (a list).
    expect((await client.get('/api/auth/logout')).status).toBe(404);
  });
});

describe('API keys', () => {
  it('people make keys no wider than their roles, shown once and stored hashed; revoked keys stop at once', async () => {
    await createUser(t, 'kim@example.com', ['viewer'], { sites: ['example.com'] });
    const { client } = await signIn(t, 'kim@example.com', { now: t.clock.now });
    expect((await client.post('/api/auth/keys', { name: 'too wide', scopes: ['security'] })).status).toBe(403);
    expect((await client.post('/api/auth/keys', { name: 'other site', scopes: ['stats:read'], sites: ['other.example'] })).status).toBe(403);
    const made = await client.post('/api/auth/keys', { name: 'monthly report', scopes: ['stats:read'], sites: ['example.com'] });
    expect(made.status).toBe(201);
    const secret = made.json.secret as string;
    expect(secret).toMatch(/^tmk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    // The secret part: everything after the id (base64url may itself hold "_").
    const secretPart = secret.slice('tmk_0123456789abcdef_'.length);
    expect((await client.get('/api/auth/keys')).json.keys).toEqual([{ ...made.json.key, last_used_at: null }]);
    expect(JSON.stringify((await client.get('/api/auth/keys')).json)).not.toContain(secretPart);
    const bearer = (key: string) => ({ authorization: `Bearer ${key}`, 'content-type': 'application/json' });
    const query = () =>
      fetch(`${t.dashboardUrl}/api/v2/query`, { method: 'POST', headers: bearer(secret), body: JSON.stringify({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day' }) });
    expect((await query()).status).toBe(200);
    // Its last use is recorded (written at most once a minute, not per request).
    await expect.poll(async () => (await client.get('/api/auth/keys')).json.keys[0].last_used_at).toBe(new Date(t.clock.now()).toISOString());
    // A key cannot manage the account, nor open the security API.
    expect((await fetch(`${t.dashboardUrl}/api/auth/keys`, { headers: bearer(secret) })).status).toBe(403);
    expect((await fetch(`${t.dashboardUrl}/api/security/abuse/summary`, { headers: bearer(secret) })).status).toBe(403);
    expect(await everyCell()).not.toContain(secretPart);
    // The operator's STATS_API_KEYS keep working.
    expect((await fetch(`${t.dashboardUrl}/api/sites`, { headers: bearer(STATS_KEY) })).status).toBe(200);
    // Revoked: refused on the next request.
    expect((await client.del(`/api/auth/keys/${made.json.key.id}`)).json).toEqual({ revoked: true });
    expect((await query()).status).toBe(401);
    expect((await auditOf('key.create')).length).toBeGreaterThanOrEqual(1);
    expect((await auditOf('key.revoke')).length).toBe(1);
  });

  it('a key works only as far as its owner\'s roles reach now', async () => {
    await createUser(t, 'kay@example.com', ['marketer']);
    const { client } = await signIn(t, 'kay@example.com', { now: t.clock.now });
    const made = await client.post('/api/auth/keys', { name: 'script', scopes: ['stats:read'] });
    const id = (await client.get('/api/auth/me')).json.user.id;
    const sites = () => fetch(`${t.dashboardUrl}/api/sites`, { headers: { authorization: `Bearer ${made.json.secret}` } });
    expect((await sites()).status).toBe(200);
    await t.accounts!.updateUser(id, { roles: ['security'] }, { userId: '', keyId: 'test' });
    expect((await sites()).status).toBe(403);
    await t.accounts!.updateUser(id, { roles: ['marketer'], enabled: false }, { userId: '', keyId: 'test' });
    expect((await sites()).status).toBe(401);
  });
});

describe('security staff', () => {
  it('reach the abuse buffer with their session (second factor passed); every call audited with their user id', async () => {
    const statuses = await beaconsFrom(t, '192.0.2.44', 25);
    expect(statuses).toContain(429);
    await createUser(t, 'sol@example.com', ['security']);
    const { client } = await signIn(t, 'sol@example.com', { now: t.clock.now });
    const id = (await client.get('/api/auth/me')).json.user.id;
    const record = await client.get('/api/security/abuse/ips/192.0.2.44');
    expect(record.status).toBe(200);
    expect(record.json.flag.rule).toBe('events_10s');
    expect((await client.get('/api/security/abuse/summary')).json.thresholds.events_10s).toBe(20);
    const erased = await client.del('/api/security/abuse/ips/192.0.2.44');
    expect(erased.status).toBe(200);
    const marketer = (await signIn(t, 'mia@example.com', { now: t.clock.now })).client;
    expect((await marketer.get('/api/security/abuse/summary')).status).toBe(403);
    const rows = (await auditRows(t)).filter((r) => r.action.startsWith('abuse.'));
    const mine = rows.filter((r) => r.user_id === id);
    expect(mine.map((r) => r.outcome)).toEqual(expect.arrayContaining(['ok', 'erased']));
    expect(rows.some((r) => r.outcome === 'forbidden' && r.key_id === 'session' && r.user_id !== '')).toBe(true);
  });
});

describe('the person\'s own data', () => {
  it('exports their account as JSON, and deleting it removes every trace but an opaque id in the audit log', async () => {
    await createUser(t, 'dora@example.com', ['marketer']);
    const { client } = await signIn(t, 'dora@example.com', { now: t.clock.now });
    await client.post('/api/auth/keys', { name: 'mine', scopes: ['stats:read'] });
    const exported = await client.get('/api/auth/export');
    expect(exported.headers.get('content-disposition')).toMatch(/attachment/);
    expect(exported.json.account).toMatchObject({ email: 'dora@example.com', roles: ['marketer'] });
    expect(exported.json.sessions).toHaveLength(1);
    expect(exported.json.api_keys).toHaveLength(1);
    expect(JSON.stringify(exported.json)).not.toMatch(/argon2|password_hash|secret_hash|token_hash/);
    const id = exported.json.account.id as string;
    expect((await client.del('/api/auth/account', { password: 'not-my-password-1' })).status).toBe(400);
    expect((await client.del('/api/auth/account', { password: PASSWORD })).json).toEqual({ deleted: true });
    expect((await client.get('/api/auth/me')).status).toBe(401);
    const all = await everyCell();
    expect(all).not.toContain('dora@example.com');
    for (const table of ['users', 'login_sessions', 'api_keys']) {
      const { rows } = await cellsAsText(t.store, t.store.db, table);
      expect(rows.filter((r) => r.includes(id)), table).toEqual([]);
    }
    const trail = (await cellsAsText(t.store, t.store.db, 'audit_log')).rows.filter((r) => r.includes(id));
    expect(trail.length).toBeGreaterThanOrEqual(3); // sign-in, key creation, deletion
    expect((await new CookieClient(t.dashboardUrl).post('/api/auth/login', { email: 'dora@example.com', password: PASSWORD })).status).toBe(401);
  });

  it('an admin deletes a user; invites are one-time links that set a password', async () => {
    const admin = await asAdmin();
    const invite = await admin.post('/api/users/invite', { email: 'new@example.com', roles: ['viewer'], sites: ['example.com'] });
    expect(invite.status).toBe(201);
    expect(invite.json.invite_url).toMatch(/\/#\/invite\/[A-Za-z0-9_-]{43}$/);
    expect(invite.json.user).toMatchObject({ invite_pending: true, roles: ['viewer'], sites: ['example.com'] });
    expect((await new CookieClient(t.dashboardUrl).post('/api/auth/login', { email: 'new@example.com', password: PASSWORD })).status).toBe(401);
    const token = invite.json.invite_url.split('/').pop();
    const anon = new CookieClient(t.dashboardUrl);
    expect((await anon.post('/api/auth/invite/accept', { token, password: 'short' })).status).toBe(400);
    expect((await anon.post('/api/auth/invite/accept', { token, password: PASSWORD })).json).toEqual({ user: { email: 'new@example.com' } });
    expect((await anon.post('/api/auth/invite/accept', { token, password: PASSWORD })).status).toBe(403);
    const signed = await signIn(t, 'new@example.com', { now: t.clock.now });
    const id = (await signed.client.get('/api/auth/me')).json.user.id;
    expect((await admin.del(`/api/users/${id}`)).json).toEqual({ deleted: true });
    expect((await signed.client.get('/api/auth/me')).status).toBe(401);
    expect(await everyCell()).not.toContain('new@example.com');
    expect((await auditOf('user.delete')).map((r) => r.outcome)).toEqual(['ok']);
  });
});
