// Shared links (issue 10 §7) over real HTTP against real embedded ClickHouse: making, listing
// and revoking them (audited; the table holds the token's hash, never the token), opening one
// without an account (the token swapped for a cookie scoped to /share/, Referrer-Policy:
// no-referrer), what its visitor reaches (the statistics of its one site, k-anonymous like
// everyone's) and what not, passwords (throttled), expiry on the test clock, revocation.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CookieClient, createUser, signIn } from '../helpers/accounts.ts';
import { ShareClient } from '../helpers/share.ts';
import { auditRows, cellsAsText, pageview, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

let t: TestTelmark;
let marketer: CookieClient;
let viewer: CookieClient;
const LINKS = '/api/v1/sites/example.com/shared-links';
const LINK_PASSWORD = 'lantern-quarry-mosaic-17';
/** Four visitors from Google, one from Bing: with PRIVACY_MIN_VISITORS=2, Bing is folded. */
const VISITORS = ['203.0.113.10', '203.0.114.10', '203.0.115.10', '203.0.116.10'];
const BING_VISITOR = '198.51.100.20';
const QUERY = { site_id: 'example.com', metrics: ['visitors', 'pageviews'], date_range: 'day' };
const BY_SOURCE = { ...QUERY, dimensions: ['visit:source'] };

async function makeLink(body: Record<string, unknown>): Promise<{ id: string; token: string; url: string }> {
  const made = await marketer.post(LINKS, body);
  expect(made.status, JSON.stringify(made.json)).toBe(201);
  return { id: made.json.link.id, token: made.json.token, url: made.json.url };
}

async function opened(token: string): Promise<ShareClient> {
  const visitor = new ShareClient(t.dashboardUrl);
  const answer = await visitor.open(token);
  expect(answer.status).toBe(303);
  return visitor;
}

beforeAll(async () => {
  t = await startTestTelmark({ SITES: 'example.com,other.example', PRIVACY_MIN_VISITORS: '2' });
  for (const ip of VISITORS) {
    for (const p of ['/', '/pricing']) expect((await t.beacon(pageview(`https://example.com${p}`, 'https://www.google.com/'), { 'x-forwarded-for': ip })).status).toBe(202);
  }
  expect((await t.beacon(pageview('https://example.com/', 'https://www.bing.com/'), { 'x-forwarded-for': BING_VISITOR })).status).toBe(202);
  for (const ip of VISITORS) expect((await t.beacon(pageview('https://other.example/', undefined, 'other.example'), { 'x-forwarded-for': ip })).status).toBe(202);
  await t.flush();
  await createUser(t, 'mia@example.com', ['marketer'], { sites: ['example.com'] });
  await createUser(t, 'vic@example.com', ['viewer'], { sites: ['example.com'] });
  marketer = (await signIn(t, 'mia@example.com', { now: t.clock.now })).client;
  viewer = (await signIn(t, 'vic@example.com', { now: t.clock.now })).client;
}, 60_000);
afterAll(async () => {
  await t?.destroy();
});

describe('managing shared links', () => {
  it('a marketer creates, lists and revokes links; each change is audited; the table holds the token\'s SHA-256, never the token', async () => {
    const expires = new Date(t.clock.now() + 7 * 86_400_000).toISOString();
    const made = await marketer.post(LINKS, { label: 'Board report', expires_at: expires });
    expect(made.status).toBe(201);
    expect(made.json.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(made.json.url).toBe(`${t.dashboardUrl}/share/${made.json.token}`);
    expect(made.json.link).toEqual({
      id: expect.stringMatching(/^sl_[0-9a-f]{16}$/),
      label: 'Board report',
      created_by: 'mia@example.com',
      created_at: new Date(t.clock.now()).toISOString(),
      expires_at: expires,
      password: false,
      last_used_at: null,
      revoked_at: null,
      status: 'live',
    });
    t.clock.advance(1); // newest first: a later instant than the first
    const second = await makeLink({ label: 'Agency', password: LINK_PASSWORD });
    const list = await marketer.get(LINKS);
    expect(list.status).toBe(200);
    expect(list.json.links.map((l: { label: string; password: boolean }) => [l.label, l.password])).toEqual([
      ['Agency', true],
      ['Board report', false],
    ]);
    // No answer after the creation carries a token or a hash.
    expect(JSON.stringify(list.json)).not.toContain(made.json.token);
    expect(JSON.stringify(list.json)).not.toMatch(/[0-9a-f]{64}|\$argon2/);

    const revoke = await marketer.del(`${LINKS}/${second.id}`);
    expect(revoke.status).toBe(200);
    expect(revoke.json).toEqual({ revoked: true });
    const after = (await marketer.get(LINKS)).json.links.find((l: { id: string }) => l.id === second.id);
    expect(after).toMatchObject({ status: 'revoked', revoked_at: new Date(t.clock.now()).toISOString() });
    expect((await marketer.del(`${LINKS}/sl_0123456789abcdef`)).status).toBe(404);

    // (Audit rows within one instant of the test clock: compared without their order.)
    const audit = (await auditRows(t)).filter((r) => r.action.startsWith('share.'));
    expect(audit.map((r) => `${r.action} ${r.status} ${r.key_id} ${r.detail}`).sort()).toEqual([
      `share.create 201 session shared link ${made.json.link.id} on example.com (password: no, expires: ${expires})`,
      `share.create 201 session shared link ${second.id} on example.com (password: yes, expires: never)`,
      `share.revoke 200 session shared link ${second.id} on example.com`,
    ].sort());
    const marketerId = (await t.accounts!.store.findUserByEmail('mia@example.com'))!.id;
    for (const r of audit) expect(r.user_id).toBe(marketerId);

    // What ClickHouse holds: the SHA-256 of the token; the password as argon2id; neither in clear.
    const { columns, rows } = await cellsAsText(t.store, 'telmark', 'shared_links');
    const row = rows.find((r) => r[columns.indexOf('id')] === made.json.link.id)!;
    expect(row[columns.indexOf('token_hash')]).toBe(createHash('sha256').update(made.json.token).digest('hex'));
    const all = rows.flat().join('\n');
    expect(all).not.toContain(made.json.token);
    expect(all).not.toContain(second.token);
    expect(all).not.toContain(LINK_PASSWORD);
    expect(rows.find((r) => r[columns.indexOf('id')] === second.id)![columns.indexOf('password_hash')]).toMatch(/^\$argon2id\$/);
  });

  it('bad input is a 400 naming the field; a weak password is refused with the reason', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{}, /^label: /],
      [{ label: '' }, /^label: must not be empty/],
      [{ label: 'x', expires_at: 'tomorrow' }, /^expires_at: an ISO 8601 date and time/],
      [{ label: 'x', expires_at: new Date(t.clock.now() - 1000).toISOString() }, /^expires_at: must be in the future/],
      [{ label: 'x', password: 'short' }, /^password: password must be at least 12 characters/],
      [{ label: 'x', password: 'password1234' }, /^password: this (is a common password|password is too weak)/],
    ];
    for (const [body, error] of cases) {
      const answer = await marketer.post(LINKS, body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.error, JSON.stringify(body)).toMatch(error);
    }
  });

  it('viewers may not manage links (403); a site outside the marketer\'s is a 404', async () => {
    expect((await viewer.get(LINKS)).status).toBe(403);
    expect((await viewer.post(LINKS, { label: 'x' })).json).toEqual({ error: 'your roles do not allow this (needs site-settings:write)' });
    expect((await marketer.get('/api/v1/sites/other.example/shared-links')).status).toBe(404);
    expect((await marketer.post('/api/v1/sites/other.example/shared-links', { label: 'x' })).status).toBe(404);
  });
});

describe('opening a link', () => {
  it('swaps the token for a cookie scoped to /share/ (HttpOnly, SameSite=Strict) and redirects off the token; Referrer-Policy: no-referrer everywhere', async () => {
    const { token } = await makeLink({ label: 'Open' });
    const visitor = new ShareClient(t.dashboardUrl);
    const answer = await visitor.open(token);
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('./');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const set = visitor.setCookies.at(-1)!;
    expect(set).toMatch(/^telmark_share=/);
    expect(set).toMatch(/; HttpOnly/);
    expect(set).toMatch(/; SameSite=Strict/);
    expect(set).toMatch(/; Path=\/share\//);
    // The cookie names the link, not the token.
    expect(set).not.toContain(token);
    for (const path of ['/share/api/link', '/share/api/sites']) {
      const a = await visitor.get(path);
      expect(a.status, path).toBe(200);
      expect(a.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
    expect((await visitor.get('/share/api/link')).json).toEqual({ site: 'example.com', label: 'Open', password_required: false, expires_at: null });
    const unknown = await new ShareClient(t.dashboardUrl).open('A'.repeat(43));
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('referrer-policy')).toBe('no-referrer');
    expect(unknown.json).toMatch(/This shared link does not exist/);
  });

  it('the link\'s visitor reads the Stats API for its site, with exact numbers and the same k-anonymity as everyone', async () => {
    const visitor = await opened((await makeLink({ label: 'Stats' })).token);
    const total = await visitor.post('/share/api/v2/query', QUERY);
    expect(total.status).toBe(200);
    expect(total.json.results[0].metrics).toEqual([5, 9]);
    const bySource = await visitor.post('/share/api/v2/query', BY_SOURCE);
    expect(bySource.status).toBe(200);
    // Bing's single visitor is under PRIVACY_MIN_VISITORS=2: folded, exactly as for the operator's key.
    expect(bySource.json.results).toEqual((await t.query(BY_SOURCE)).json.results);
    expect(JSON.stringify(bySource.json)).not.toContain('Bing');
    expect(bySource.json.results.find((r: { dimensions: string[] }) => r.dimensions[0] === 'Google').metrics).toEqual([4, 8]);
    expect((await visitor.get('/share/api/sites')).json.sites.map((s: { domain: string }) => s.domain)).toEqual(['example.com']);
    expect((await visitor.get('/share/api/v1/sites/example.com/goals')).status).toBe(200);
  });

  it('another site, and every route that is not statistics, answers 404 through the share door; the cookie opens nothing under /api', async () => {
    const visitor = await opened((await makeLink({ label: 'Narrow' })).token);
    const other = await visitor.post('/share/api/v2/query', { ...QUERY, site_id: 'other.example' });
    expect(other.status).toBe(404);
    expect(other.json).toEqual({ error: 'a shared link reaches only the statistics of its site' });
    expect((await visitor.get('/share/api/v1/sites/other.example/goals')).status).toBe(404);
    // The Overview's CSV export: its own site only.
    const own = await fetch(`${t.dashboardUrl}/share/api/v1/sites/example.com/export?date_range=day`, { headers: { cookie: visitor.cookie } });
    expect([own.status, own.headers.get('content-type')]).toEqual([200, 'application/zip']);
    expect((await visitor.get('/share/api/v1/sites/other.example/export?date_range=day')).status).toBe(404);
    const forbidden: Array<[string, string, unknown?]> = [
      ['POST', '/share/api/v1/sites/example.com/goals', { type: 'event', event_name: 'Hack' }],
      ['DELETE', '/share/api/v1/sites/example.com/goals/g_0123456789abcdef'],
      ['PUT', '/share/api/v1/sites/example.com/props', { allowed: ['x'] }],
      ['GET', '/share/api/v1/sites/example.com/funnels'],
      ['POST', '/share/api/v1/sites/example.com/funnels', { name: 'x', steps: [] }],
      ['POST', '/share/api/v1/sites/example.com/ad-spend', { rows: [] }],
      ['GET', '/share/api/v1/sites/example.com/ad-spend?from=2026-11-01&to=2026-11-30'],
      ['GET', '/share/api/v1/sites/example.com/shared-links'],
      ['POST', '/share/api/v1/sites/example.com/shared-links', { label: 'x' }],
      ['GET', '/share/api/users'],
      ['POST', '/share/api/users/invite', { email: 'x@example.com', roles: ['admin'], sites: 'all' }],
      ['GET', '/share/api/auth/me'],
      ['GET', '/share/api/auth/keys'],
      ['POST', '/share/api/auth/keys', { name: 'x', scopes: ['stats:read'] }],
      ['GET', '/share/api/security/abuse/summary'],
      ['GET', '/share/api/security/abuse/flagged'],
      ['GET', '/share/api/roles'],
    ];
    for (const [method, path, body] of forbidden) {
      const a = await visitor.call(method, path, body);
      expect(a.status, `${method} ${path}`).toBe(404);
      expect(a.json, `${method} ${path}`).toEqual({ error: 'a shared link reaches only the statistics of its site' });
    }
    // Sent by hand to the staff's API (a browser would not send it there: Path=/share/), it is no credential.
    for (const path of ['/api/sites', '/api/auth/me', '/api/users', '/api/security/abuse/summary', '/api/v1/sites/example.com/goals']) {
      const a = await visitor.get(path);
      expect(a.status, path).toBe(401);
    }
    expect((await visitor.post('/api/v2/query', QUERY)).status).toBe(401);
  });

  it('a password link asks for the password first; wrong ones are throttled like sign-ins; the right one opens it', async () => {
    const { token } = await makeLink({ label: 'Secret', password: LINK_PASSWORD });
    const visitor = await opened(token);
    expect((await visitor.get('/share/api/link')).json).toMatchObject({ label: 'Secret', password_required: true });
    const locked = await visitor.post('/share/api/v2/query', QUERY);
    expect(locked.status).toBe(401);
    expect(locked.json).toEqual({ error: 'this shared link needs its password first' });
    for (let i = 0; i < 5; i++) {
      const wrong = await visitor.post('/share/api/password', { password: `not-the-password-${i}` });
      expect(wrong.status).toBe(401);
      expect(wrong.json).toEqual({ error: 'wrong password' });
    }
    // Five failures in 15 minutes: even the right password waits, like a sign-in.
    const throttled = await visitor.post('/share/api/password', { password: LINK_PASSWORD });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBe(60);
    expect(throttled.json.error).toMatch(/too many wrong passwords; try again in 60 seconds/);
    expect((await visitor.post('/share/api/v2/query', QUERY)).status).toBe(401);
    t.clock.advance(61);
    const right = await visitor.post('/share/api/password', { password: LINK_PASSWORD });
    expect(right.status).toBe(200);
    expect(visitor.setCookies.at(-1)).toMatch(/; SameSite=Strict/);
    const total = await visitor.post('/share/api/v2/query', QUERY);
    expect(total.status).toBe(200);
    expect(total.json.results[0].metrics).toEqual([5, 9]);
    // Someone else with the link still meets the password form.
    const other = await opened(token);
    expect((await other.post('/share/api/v2/query', QUERY)).status).toBe(401);
    // A password POST is JSON only.
    expect((await other.call('POST', '/share/api/password', LINK_PASSWORD, { 'content-type': 'text/plain' })).status).toBe(415);
  });

  it('an expired link answers 404, to the link and to the cookie it gave (test clock)', async () => {
    const { token } = await makeLink({ label: 'Soon', expires_at: new Date(t.clock.now() + 3_600_000).toISOString() });
    const visitor = await opened(token);
    expect((await visitor.post('/share/api/v2/query', QUERY)).status).toBe(200);
    t.clock.advance(3_601);
    const after = await visitor.post('/share/api/v2/query', QUERY);
    expect(after.status).toBe(404);
    expect(after.json.error).toMatch(/no such shared link/);
    expect((await visitor.get('/share/api/link')).status).toBe(404);
    expect((await new ShareClient(t.dashboardUrl).open(token)).status).toBe(404);
    const listed = (await marketer.get(LINKS)).json.links.find((l: { label: string }) => l.label === 'Soon');
    expect(listed.status).toBe('expired');
  });

  it('a revoked link answers 404, to the link and to the cookie it gave', async () => {
    const { id, token } = await makeLink({ label: 'Revoke me' });
    const visitor = await opened(token);
    expect((await visitor.post('/share/api/v2/query', QUERY)).status).toBe(200);
    expect((await marketer.del(`${LINKS}/${id}`)).status).toBe(200);
    expect((await visitor.post('/share/api/v2/query', QUERY)).status).toBe(404);
    expect((await visitor.get('/share/api/sites')).status).toBe(404);
    expect((await new ShareClient(t.dashboardUrl).open(token)).status).toBe(404);
  });

  it('the share cookie cannot be forged or moved to another link', async () => {
    const a = await opened((await makeLink({ label: 'A' })).token);
    const { id: idB } = await makeLink({ label: 'B' });
    // Same signature, another link id: the signature no longer matches.
    const forged = new ShareClient(t.dashboardUrl);
    forged.cookie = a.cookie.replace(/sl_[0-9a-f]{16}/, idB);
    expect((await forged.get('/share/api/link')).status).toBe(404);
    const unsigned = new ShareClient(t.dashboardUrl);
    unsigned.cookie = `telmark_share=${idB}.${t.clock.now() + 3_600_000}.open`;
    expect((await unsigned.get('/share/api/link')).status).toBe(404);
  });

  it('last use is listed, and written at most once a minute per link', async () => {
    const { id, token } = await makeLink({ label: 'Used' });
    const lastUsed = async () => (await marketer.get(LINKS)).json.links.find((l: { id: string }) => l.id === id).last_used_at;
    const first = t.clock.now();
    const visitor = await opened(token);
    await expect.poll(lastUsed, { timeout: 10_000 }).toBe(new Date(first).toISOString());
    t.clock.advance(30);
    for (let i = 0; i < 5; i++) expect((await visitor.post('/share/api/v2/query', QUERY)).status).toBe(200);
    // Within the minute nothing more is written (each read below is a ClickHouse round trip after the calls).
    for (let i = 0; i < 5; i++) expect(await lastUsed()).toBe(new Date(first).toISOString());
    t.clock.advance(31);
    expect((await visitor.post('/share/api/v2/query', QUERY)).status).toBe(200);
    await expect.poll(lastUsed, { timeout: 10_000 }).toBe(new Date(first + 61_000).toISOString());
  });
});

describe('over HTTPS', () => {
  it('the share cookie is __Secure- and Secure (same app, the request seen as HTTPS)', async () => {
    const { createDashboardApp } = await import('../../dashboard/server/app.ts');
    const app = createDashboardApp({
      store: t.store,
      accounts: t.accounts!,
      statsApiKeys: [],
      securityApiKeys: [],
      cookies: { insecureHttp: false, isHttps: () => true },
      clientIp: () => undefined,
      audit: async () => {},
      privacyMinVisitors: 2,
      isReady: () => true,
      log: () => {},
      now: t.clock.now,
    });
    const { token } = await makeLink({ label: 'TLS' });
    const opened = await app.request(`https://stats.example.com/share/${token}`, { headers: { host: 'stats.example.com' } });
    expect(opened.status).toBe(303);
    const set = opened.headers.getSetCookie();
    expect(set).toHaveLength(1);
    expect(set[0]).toMatch(/^__Secure-telmark_share=.+; Max-Age=14400; Path=\/share\/; HttpOnly; Secure; SameSite=Strict$/);
    const cookie = set[0]!.split(';')[0]!;
    const info = await app.request('https://stats.example.com/share/api/link', { headers: { host: 'stats.example.com', cookie } });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ label: 'TLS', password_required: false });
    // Over plain HTTP off loopback (no DASHBOARD_INSECURE_HTTP) the link is refused with the reason, like a sign-in.
    const plain = createDashboardApp({ ...{ store: t.store, accounts: t.accounts!, statsApiKeys: [], securityApiKeys: [], clientIp: () => undefined, audit: async () => {}, privacyMinVisitors: 2, isReady: () => true, log: () => {} }, cookies: { insecureHttp: false, isHttps: () => false } });
    const refused = await plain.request(`http://stats.example.com/share/${token}`, { headers: { host: 'stats.example.com' } });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error).toMatch(/^opening a shared link needs HTTPS here/);
  });
});

// Last: it fills the site's links up to the bound.
describe('bounds', () => {
  it('a site has at most 100 live links: the 101st is a 409; revoked and expired ones do not count', async () => {
    const live = async () => (await marketer.get(LINKS)).json.links.filter((l: { status: string }) => l.status === 'live');
    const start = (await live()).length;
    for (let i = start; i < 100; i++) expect((await marketer.post(LINKS, { label: `Bulk ${i}` })).status).toBe(201);
    const over = await marketer.post(LINKS, { label: 'One too many' });
    expect(over.status).toBe(409);
    expect(over.json).toEqual({ error: 'a site has at most 100 live shared links; revoke one first' });
    expect((await marketer.del(`${LINKS}/${(await live())[0].id}`)).status).toBe(200);
    expect((await marketer.post(LINKS, { label: 'Room again' })).status).toBe(201);
  }, 60_000);
});
