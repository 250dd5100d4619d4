// Privacy promise 7: "a marketer never receives a full IP". A real telmark holds full addresses
// in its abuse buffer (a burst from an IPv4 and an IPv6 address gets both flagged; ordinary
// visitors are held too), and staff reach the dashboard from full addresses of their own. One
// user per role (and one marketer+viewer) signs in and calls every route of the dashboard, the
// list read from the Hono app itself, so a route added later is scanned without editing this
// file. Every answer (status, body and headers) is recorded; only the security role may receive
// an address, and only from /api/security. The security role's look-up is the control: it does
// receive the address, and the same scan finds it there.
import ipaddr from 'ipaddr.js';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localAbuseOperations } from '../../collector/abuse/operations.ts';
import { createDashboardApp } from '../../dashboard/server/app.ts';
import type { Role } from '../../dashboard/server/auth/roles.ts';
import type { UserRecord } from '../../dashboard/server/auth/store.ts';
import { CookieClient, createUser, PASSWORD, signIn, totpCode, type JsonAnswer } from '../helpers/accounts.ts';
import { ShareClient } from '../helpers/share.ts';
import { pageview, SECURITY_KEY, startTestTelmark, STATS_KEY, type TestTelmark } from '../helpers/telmark.ts';

/** Burst past ABUSE_LIMIT_EVENTS_10S, so both get flagged. */
const ABUSERS = ['198.51.100.66', '2001:db8:dead:beef::42'];
/** Ordinary visitors: held in the buffer (not flagged) and counted. */
const VISITORS = ['203.0.113.77', '192.0.2.199', '2001:db8:85a3:8d3:1319:8a2e:370:7348'];
/** Where each staff member's browser is (the dashboard sees it through X-Forwarded-For). */
// One network (/24, /48) per caller: the wrong setup and invite tokens the scan sends count as
// failures per network, like failed sign-ins, and must not lock one caller out for another.
const STAFF_IPS = ['100.64.12.34', '2001:db8:5eed:1:2:3:4:5', '100.64.13.34', '2001:db8:5eee:1:2:3:4:5', '100.64.14.34', '2001:db8:5eef:1:2:3:4:5'];

/** Every spelling of an address a response could carry: as sent, canonical, expanded, IPv4-mapped. */
function spellings(ip: string): string[] {
  const a = ipaddr.parse(ip);
  const out = new Set<string>([ip, a.toString(), a.toNormalizedString()]);
  const v6 = a.kind() === 'ipv4' ? (a as ipaddr.IPv4).toIPv4MappedAddress() : (a as ipaddr.IPv6);
  out.add(v6.toString());
  out.add(v6.toNormalizedString());
  out.add(v6.toRFC5952String());
  out.add(v6.parts.map((p) => p.toString(16).padStart(4, '0')).join(':'));
  if (a.kind() === 'ipv4') {
    out.add(`::ffff:${ip}`);
    out.add(`0:0:0:0:0:ffff:${ip}`);
    out.add(`0000:0000:0000:0000:0000:ffff:${ip}`);
  }
  return [...out].map((s) => s.toLowerCase());
}
const FULL = { abusers: ABUSERS.flatMap(spellings), visitors: VISITORS.flatMap(spellings), staff: STAFF_IPS.flatMap(spellings) };
const ALL_FULL = [...FULL.abusers, ...FULL.visitors, ...FULL.staff];

/** The full-address spellings found in `text` (case-insensitive). */
function leaks(text: string, needles = ALL_FULL): string[] {
  const lower = text.toLowerCase();
  return needles.filter((n) => lower.includes(n));
}

interface Recorded {
  who: string;
  method: string;
  path: string;
  url: string;
  status: number;
  text: string;
  headers: string;
}

interface Caller {
  who: string;
  roles: Role[];
  user: UserRecord;
  email: string;
  staffIp: string;
  client: CookieClient;
  totpUri?: string;
  /** Ids this caller made during the scan (its API key), for the routes that take them. */
  keyId?: string;
  goalId?: string;
  /** The shared link this caller made (revoked again by the DELETE route). */
  linkId?: string;
}

const CALLERS: { who: string; roles: Role[]; sites: 'all' | string[] }[] = [
  { who: 'admin', roles: ['admin'], sites: 'all' },
  { who: 'marketer', roles: ['marketer'], sites: ['example.com'] },
  { who: 'viewer', roles: ['viewer'], sites: ['example.com'] },
  { who: 'security', roles: ['security'], sites: 'all' },
  { who: 'marketer+viewer', roles: ['marketer', 'viewer'], sites: 'all' },
];
const NO_SECURITY = ['admin', 'marketer', 'viewer', 'marketer+viewer'];

let t: TestTelmark;
let routes: { method: string; path: string }[] = [];
let victim: UserRecord;
const callers: Caller[] = [];
const recorded: Recorded[] = [];

/** The dashboard's routes (method + path), read from an app built like start-all builds it. */
function dashboardRoutes(): { method: string; path: string }[] {
  const app = createDashboardApp({
    store: t.store,
    accounts: t.accounts!,
    statsApiKeys: [STATS_KEY],
    securityApiKeys: [SECURITY_KEY],
    cookies: { insecureHttp: false, isHttps: () => false },
    clientIp: () => undefined,
    audit: async () => {},
    privacyMinVisitors: 1,
    isReady: () => true,
    log: () => {},
    security: { operations: localAbuseOperations(t.collector.abuse!) },
  });
  const seen = new Map<string, { method: string; path: string }>();
  for (const r of app.routes) {
    // app.use() middleware is registered for every method ('ALL'); routes name theirs.
    if (r.method === 'ALL') continue;
    seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  }
  return [...seen.values()];
}

/** Signs in over HTTP from `staffIp`; enrols TOTP on the test clock when the role needs it. */
async function signInFrom(email: string, staffIp: string, totpUri?: string): Promise<{ client: CookieClient; totpUri?: string }> {
  const client = new CookieClient(t.dashboardUrl);
  const h = { 'x-forwarded-for': staffIp };
  if (totpUri) t.clock.advance(30); // each code works once: a later sign-in needs a later step
  const login = await client.post('/api/auth/login', { email, password: PASSWORD, ...(totpUri ? { totp: totpCode(totpUri, t.clock.now()) } : {}) }, h);
  if (login.status !== 200) throw new Error(`sign-in of ${email}: ${login.status} ${JSON.stringify(login.json)}`);
  if (!login.json.totp_setup_required) return { client, totpUri };
  const uri = login.json.otpauth_uri as string;
  const confirm = await client.post('/api/auth/totp/confirm', { code: totpCode(uri, t.clock.now()) }, h);
  if (confirm.status !== 200) throw new Error(`TOTP enrolment of ${email}: ${confirm.status} ${JSON.stringify(confirm.json)}`);
  return { client, totpUri: uri };
}

/**
 * The CSV export's answer as text to scan: its files, not the compressed bytes (the zip is asked
 * for again as bytes; it is a GET).
 */
async function zipText(url: string, headers: Record<string, string>): Promise<string> {
  const zip = await fetch(`${t.dashboardUrl}${url}`, { headers });
  const text = Object.entries(unzipSync(new Uint8Array(await zip.arrayBuffer()))).map(([name, bytes]) => `${name}\n${strFromU8(bytes)}`).join('\n');
  expect(text, 'the export holds the scanned traffic').toMatch(/^sources\.csv\nvisit:source,visitors/m);
  return text;
}

async function record(c: Caller, client: CookieClient, method: string, pattern: string, url: string, body?: unknown): Promise<JsonAnswer> {
  const answer = await client.call(method, url, body, { 'x-forwarded-for': c.staffIp });
  const headers = [...answer.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  let text = typeof answer.json === 'string' ? answer.json : JSON.stringify(answer.json);
  if (answer.headers.get('content-type') === 'application/zip') text = await zipText(url, { cookie: client.cookie, 'x-forwarded-for': c.staffIp });
  recorded.push({ who: c.who, method, path: pattern, url, status: answer.status, text, headers });
  return answer;
}

/** Routes that end the caller's session or account, or erase what others would look at: called last. */
const LAST_ORDER = ['DELETE /api/security/abuse/ips/:ip', 'POST /api/auth/logout', 'DELETE /api/auth/account'];
const LAST = new Set(LAST_ORDER);

/** The request(s) a route gets from `c`: URL (path parameters filled in) and JSON body. */
async function requestsFor(c: Caller, method: string, path: string): Promise<{ url: string; body?: unknown; client?: CookieClient }[]> {
  const key = `${method} ${path}`;
  switch (key) {
    case 'POST /api/auth/setup':
      return [{ url: path, body: { token: 'x'.repeat(43), email: 'setup@example.com', password: PASSWORD } }];
    case 'POST /api/auth/invite/accept':
      return [{ url: path, body: { token: 'x'.repeat(43), password: PASSWORD } }];
    case 'POST /api/auth/login':
      // Signs in again (a second session for the roles without TOTP; "totp required" for the others).
      return [{ url: path, body: { email: c.email, password: PASSWORD }, client: new CookieClient(t.dashboardUrl) }];
    case 'POST /api/auth/totp/confirm':
      return [{ url: path, body: { code: '000000' } }];
    case 'POST /api/auth/password':
      return [{ url: path, body: { current_password: PASSWORD, new_password: PASSWORD } }];
    case 'POST /api/auth/totp/setup':
    case 'POST /api/auth/totp/disable':
    case 'POST /api/auth/recovery-codes':
    case 'DELETE /api/auth/account':
      return [{ url: path, body: { password: PASSWORD } }];
    case 'POST /api/auth/keys': {
      const scopes = c.roles.includes('security') ? ['security'] : ['stats:read'];
      return [{ url: path, body: { name: `scan ${c.who}`, scopes, sites: c.user.sites } }];
    }
    case 'DELETE /api/auth/sessions/:id': {
      // Another session of the same person (ending the current one would end the scan).
      const other = await signInFrom(c.email, c.staffIp, c.totpUri);
      if (other.totpUri) c.totpUri = other.totpUri;
      const me = await other.client.get('/api/auth/me');
      return [{ url: path.replace(':id', me.json.session.id) }];
    }
    case 'DELETE /api/auth/keys/:id':
      return [{ url: path.replace(':id', c.keyId ?? '0123456789abcdef') }];
    case 'POST /api/users/invite':
      return [{ url: path, body: { email: `invited-by-${c.who.replace('+', '-')}@example.com`, roles: ['viewer'], sites: ['example.com'] } }];
    case 'PATCH /api/users/:id':
      return [{ url: path.replace(':id', c.user.id), body: { sites: c.user.sites } }];
    case 'DELETE /api/users/:id/sessions':
      // Own id would end the caller's sessions: someone else's.
      return [{ url: path.replace(':id', victim.id) }];
    case 'DELETE /api/users/:id':
      // Own id: refused with 400 (deleting yourself goes through /api/auth/account).
      return [{ url: path.replace(':id', c.user.id) }];
    case 'POST /api/v2/query':
      return [
        { url: path, body: { site_id: 'example.com', metrics: ['visitors', 'visits', 'pageviews', 'events'], date_range: 'day' } },
        { url: path, body: { site_id: 'example.com', metrics: ['visitors', 'pageviews'], dimensions: ['visit:source'], date_range: 'day' } },
        { url: path, body: { site_id: 'example.com', metrics: ['pageviews'], dimensions: ['event:page'], date_range: 'day' } },
      ];
    case 'GET /api/v1/stats/realtime/visitors':
      return [{ url: `${path}?site_id=example.com` }];
    case 'GET /api/security/abuse/flagged':
      return [{ url: `${path}?page=1&limit=50` }];
    case 'GET /api/v1/sites/:site/goals':
    case 'GET /api/v1/sites/:site/props':
      return [{ url: path.replace(':site', 'example.com') }];
    case 'POST /api/v1/sites/:site/goals':
      return [{ url: path.replace(':site', 'example.com'), body: { type: 'event', event_name: `Scan ${c.who}`, currency: 'EUR' } }];
    case 'PUT /api/v1/sites/:site/props':
      return [{ url: path.replace(':site', 'example.com'), body: { allowed: ['plan'] } }];
    case 'DELETE /api/v1/sites/:site/goals/:id':
      return [{ url: path.replace(':site', 'example.com').replace(':id', c.goalId ?? 'g_0123456789abcdef') }];
    case 'GET /api/v1/sites/:site/funnels':
      return [{ url: path.replace(':site', 'example.com') }];
    case 'POST /api/v1/sites/:site/funnels':
      // Goal ids that do not exist: a 400 for those who may, a 403 for the others.
      return [{ url: path.replace(':site', 'example.com'), body: { name: `Scan ${c.who}`, steps: ['g_0123456789abcdef', 'g_fedcba9876543210'] } }];
    case 'DELETE /api/v1/sites/:site/funnels/:id':
    case 'GET /api/v1/sites/:site/funnels/:id/stats':
      return [{ url: path.replace(':site', 'example.com').replace(':id', 'f_0123456789abcdef') }];
    case 'POST /api/v1/sites/:site/ad-spend':
      return [{ url: path.replace(':site', 'example.com'), body: { rows: [{ date: '2026-11-20', utm_source: 'google', utm_campaign: `scan-${c.who}`, spend: '1.00', currency: 'EUR' }] } }];
    case 'GET /api/v1/sites/:site/shared-links':
      return [{ url: path.replace(':site', 'example.com') }];
    case 'POST /api/v1/sites/:site/shared-links':
      return [{ url: path.replace(':site', 'example.com'), body: { label: `Scan ${c.who}` } }];
    case 'DELETE /api/v1/sites/:site/shared-links/:id':
      return [{ url: path.replace(':site', 'example.com').replace(':id', c.linkId ?? 'sl_0123456789abcdef') }];
    case 'GET /api/v1/sites/:site/ad-spend':
    case 'DELETE /api/v1/sites/:site/ad-spend':
      return [{ url: `${path.replace(':site', 'example.com')}?from=2026-11-01&to=2026-11-30` }];
    case 'GET /api/v1/sites/:site/export':
      return [{ url: `${path.replace(':site', 'example.com')}?date_range=day` }];
  }
  // A link that does not exist (the shared link's own visitor is scanned below).
  if (path.startsWith('/share/:token')) return [{ url: `/share/${'x'.repeat(43)}` }];
  if (path.includes(':ip')) {
    // Every spelling the API accepts for the flagged addresses (canonical, expanded, IPv4-mapped).
    return [ABUSERS[0]!, `::ffff:${ABUSERS[0]}`, ABUSERS[1]!, spellings(ABUSERS[1]!).at(-1)!].map((ip) => ({ url: path.replace(':ip', encodeURIComponent(ip)) }));
  }
  if (path.includes(':')) throw new Error(`the scan does not know how to fill ${key}: teach requestsFor`);
  return [{ url: path, body: method === 'GET' || method === 'DELETE' ? undefined : {} }];
}

async function scan(c: Caller, route: { method: string; path: string }): Promise<void> {
  for (const req of await requestsFor(c, route.method, route.path)) {
    const answer = await record(c, req.client ?? c.client, route.method, route.path, req.url, req.body);
    if (route.path === '/api/auth/keys' && route.method === 'POST' && answer.status === 201) c.keyId = answer.json.key.id;
    if (route.path === '/api/v1/sites/:site/goals' && route.method === 'POST' && answer.status === 201) c.goalId = answer.json.goal.id;
    if (route.path === '/api/v1/sites/:site/shared-links' && route.method === 'POST' && answer.status === 201) c.linkId = answer.json.link.id;
  }
}

beforeAll(async () => {
  // With the hold on, a burst's events are dropped once its address is flagged (counts unmoved).
  t = await startTestTelmark({ ABUSE_LIMIT_EVENTS_10S: '20', ABUSE_HOLD_MS: '10000' });
  for (const ip of VISITORS) {
    for (const p of ['/', '/pricing', '/signup']) expect((await t.beacon(pageview(`https://example.com${p}`, 'https://www.google.com/'), { 'x-forwarded-for': ip })).status).toBe(202);
  }
  for (const ip of ABUSERS) {
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => t.beacon(pageview(`https://example.com/burst/${i}`), { 'x-forwarded-for': ip }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 429).length, ip).toBeGreaterThan(0);
  }
  t.clock.advance(11);
  await t.flush();
  // The buffer holds what the scan looks for.
  const flagged = await (await t.admin('/admin/abuse/flagged')).json();
  expect(flagged.results.map((r: { ip: string }) => r.ip).sort()).toEqual([...ABUSERS].sort());

  victim = await createUser(t, 'victim@example.com', ['viewer'], { sites: ['example.com'] });
  for (const [i, spec] of CALLERS.entries()) {
    const email = `${spec.who.replace('+', '-')}@example.com`;
    const user = await createUser(t, email, spec.roles, { sites: spec.sites });
    const staffIp = STAFF_IPS[i % STAFF_IPS.length]!;
    const { client, totpUri } = await signInFrom(email, staffIp);
    callers.push({ who: spec.who, roles: spec.roles, user, email, staffIp, client, totpUri });
  }

  routes = dashboardRoutes();
  const first = routes.filter((r) => !LAST.has(`${r.method} ${r.path}`));
  const last = LAST_ORDER.map((k) => routes.find((r) => `${r.method} ${r.path}` === k)).filter((r) => r !== undefined);
  // Everyone scans the whole dashboard before anyone ends a session or erases an address.
  for (const c of callers) for (const r of first) await scan(c, r);
  for (const c of callers) {
    for (const r of last) {
      if (r.path === '/api/auth/account') {
        // The last word: from a session of its own, after the caller's main session signed out.
        const fresh = await signInFrom(c.email, c.staffIp, c.totpUri);
        await scan({ ...c, client: fresh.client }, r);
      } else await scan(c, r);
    }
  }
}, 120_000);

afterAll(async () => t?.destroy());

const answersOf = (who: string) => recorded.filter((r) => r.who === who);
const find = (who: string, method: string, path: string) => recorded.filter((r) => r.who === who && r.method === method && r.path === path);

describe('the scan itself', () => {
  it('read the routes from the app (auth, users, stats, security), and every role called every one of them on the live server', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    for (const k of ['GET /api/auth/me', 'POST /api/auth/login', 'GET /api/users', 'PATCH /api/users/:id', 'GET /api/sites', 'POST /api/v2/query', 'GET /api/security/abuse/flagged', 'GET /api/security/abuse/ips/:ip', 'DELETE /api/security/abuse/ips/:ip', 'GET /api/security/abuse/summary', 'DELETE /api/auth/account']) {
      expect(keys).toContain(k);
    }
    expect(routes.length).toBeGreaterThanOrEqual(30);
    for (const c of CALLERS) {
      for (const r of routes) expect(find(c.who, r.method, r.path).length, `${c.who} ${r.method} ${r.path}`).toBeGreaterThan(0);
    }
    for (const r of recorded) {
      // The live server has each route (an app built apart from it could have drifted)…
      expect(r.text, `${r.who} ${r.method} ${r.url}`).not.toMatch(/no route for/);
      // …and none of them broke.
      expect(r.status, `${r.who} ${r.method} ${r.url}: ${r.text.slice(0, 200)}`).toBeLessThan(500);
    }
  });

  it('the data is there: marketers and viewers see real numbers', () => {
    for (const who of ['marketer', 'viewer', 'marketer+viewer', 'admin']) {
      const total = find(who, 'POST', '/api/v2/query')[0]!;
      expect(total.status, who).toBe(200);
      expect(JSON.parse(total.text).results[0].metrics.slice(0, 3), who).toEqual([VISITORS.length, VISITORS.length, VISITORS.length * 3]);
    }
  });

  it('control: the security role does receive the full addresses from /api/security, and the scan finds them there', () => {
    for (const ip of ABUSERS) {
      const looks = find('security', 'GET', '/api/security/abuse/ips/:ip').filter((r) => r.status === 200 && leaks(r.text, spellings(ip)).length > 0);
      expect(looks.length, ip).toBeGreaterThanOrEqual(2);
      for (const r of looks) expect(JSON.parse(r.text).ip).toBe(ipaddr.parse(ip).toString());
    }
    const flagged = find('security', 'GET', '/api/security/abuse/flagged')[0]!;
    expect(flagged.status).toBe(200);
    expect(leaks(flagged.text, FULL.abusers).length).toBeGreaterThanOrEqual(2);
    // The erase (called last) worked for security staff.
    expect(find('security', 'DELETE', '/api/security/abuse/ips/:ip').filter((r) => r.status === 200).length).toBe(ABUSERS.length);
  });
});

describe('no full IP for anyone but security staff, and for them only from the security API', () => {
  it.each(NO_SECURITY)('%s: no answer (body or header) holds a full address in any spelling', (who) => {
    const answers = answersOf(who);
    expect(answers.length).toBeGreaterThanOrEqual(routes.length);
    for (const r of answers) {
      expect(leaks(r.text), `${who} ${r.method} ${r.url} (${r.status}) body: ${r.text.slice(0, 300)}`).toEqual([]);
      expect(leaks(r.headers), `${who} ${r.method} ${r.url} headers: ${r.headers}`).toEqual([]);
    }
  });

  it('security: outside /api/security no answer holds a full address; nowhere does a staff member\'s own address appear', () => {
    for (const r of answersOf('security')) {
      expect(leaks(r.text, FULL.staff), `${r.method} ${r.url}`).toEqual([]);
      expect(leaks(r.headers), `${r.method} ${r.url} headers`).toEqual([]);
      if (!r.path.startsWith('/api/security/')) expect(leaks(r.text), `${r.method} ${r.url}: ${r.text.slice(0, 300)}`).toEqual([]);
    }
  });
});

describe('who may call what', () => {
  const status = (who: string, method: string, path: string) => find(who, method, path).map((r) => r.status);

  it.each(NO_SECURITY)('%s gets 403 on every /api/security route', (who) => {
    const calls = recorded.filter((r) => r.who === who && r.path.startsWith('/api/security/'));
    expect(calls.length).toBeGreaterThanOrEqual(4);
    for (const r of calls) {
      expect(r.status, `${r.method} ${r.url}`).toBe(403);
      expect(JSON.parse(r.text), `${r.method} ${r.url}`).toEqual({ error: 'your roles do not allow this (needs security:abuse)' });
    }
  });

  it.each(['marketer', 'viewer', 'marketer+viewer', 'security'])('%s gets 403 on every /api/users route', (who) => {
    const calls = recorded.filter((r) => r.who === who && (r.path === '/api/users' || r.path.startsWith('/api/users/')));
    expect(calls.length).toBeGreaterThanOrEqual(5);
    for (const r of calls) {
      expect(r.status, `${r.method} ${r.url}`).toBe(403);
      expect(JSON.parse(r.text), `${r.method} ${r.url}`).toEqual({ error: 'your roles do not allow this (needs users:manage)' });
    }
  });

  it.each(['marketer', 'viewer', 'marketer+viewer', 'admin'])('%s gets 200 on /api/sites and the query', (who) => {
    expect(status(who, 'GET', '/api/sites')).toEqual([200]);
    expect(status(who, 'POST', '/api/v2/query')).toEqual([200, 200, 200]);
    expect(JSON.parse(find(who, 'GET', '/api/sites')[0]!.text).sites.map((s: { domain: string }) => s.domain)).toContain('example.com');
    // Current visitors: Plausible's bare number.
    expect(status(who, 'GET', '/api/v1/stats/realtime/visitors')).toEqual([200]);
    expect(typeof JSON.parse(find(who, 'GET', '/api/v1/stats/realtime/visitors')[0]!.text)).toBe('number');
  });

  it('security gets 403 on the statistics; admin gets 403 on the security API and 200 on users', () => {
    expect(status('security', 'GET', '/api/sites')).toEqual([403]);
    expect(status('security', 'POST', '/api/v2/query')).toEqual([403, 403, 403]);
    expect(status('security', 'GET', '/api/v1/stats/realtime/visitors')).toEqual([403]);
    expect(JSON.parse(find('security', 'GET', '/api/sites')[0]!.text)).toEqual({ error: 'your roles do not allow this (needs stats:read)' });
    expect(status('security', 'GET', '/api/security/abuse/summary')).toEqual([200]);
    for (const r of recorded.filter((r) => r.who === 'admin' && r.path.startsWith('/api/security/'))) expect(r.status, `${r.method} ${r.url}`).toBe(403);
    expect(status('admin', 'GET', '/api/users')).toEqual([200]);
    expect(status('admin', 'POST', '/api/users/invite')).toEqual([201]);
    expect(status('admin', 'PATCH', '/api/users/:id')).toEqual([200]);
    expect(status('admin', 'DELETE', '/api/users/:id/sessions')).toEqual([200]);
    expect(status('admin', 'DELETE', '/api/users/:id')).toEqual([400]);
  });

  it('site settings (goals, allowed props): admins and marketers may change them, viewers and security staff get 403; every reader of the stats lists the goals', () => {
    for (const who of ['admin', 'marketer', 'marketer+viewer']) {
      expect(status(who, 'POST', '/api/v1/sites/:site/goals'), who).toEqual([201]);
      expect(status(who, 'DELETE', '/api/v1/sites/:site/goals/:id'), who).toEqual([200]);
      expect(status(who, 'PUT', '/api/v1/sites/:site/props'), who).toEqual([200]);
    }
    for (const who of ['viewer', 'security']) {
      for (const [method, path] of [['POST', '/api/v1/sites/:site/goals'], ['PUT', '/api/v1/sites/:site/props']] as const) {
        expect(status(who, method, path), `${who} ${method} ${path}`).toEqual([403]);
      }
    }
    expect(status('viewer', 'GET', '/api/v1/sites/:site/goals')).toEqual([200]);
    expect(status('security', 'GET', '/api/v1/sites/:site/goals')).toEqual([403]);
    // Ad spend and funnels (issue 9): imports and funnel changes like the other site settings.
    for (const who of ['admin', 'marketer', 'marketer+viewer']) {
      expect(status(who, 'POST', '/api/v1/sites/:site/ad-spend'), who).toEqual([200]);
      expect(status(who, 'POST', '/api/v1/sites/:site/funnels'), who).toEqual([400]);
    }
    // The CSV export (issue 10): every reader of the statistics, nobody else.
    for (const who of ['admin', 'marketer', 'viewer', 'marketer+viewer']) expect(status(who, 'GET', '/api/v1/sites/:site/export'), who).toEqual([200]);
    expect(status('security', 'GET', '/api/v1/sites/:site/export')).toEqual([403]);
    for (const who of ['viewer', 'security']) {
      expect(status(who, 'POST', '/api/v1/sites/:site/ad-spend'), who).toEqual([403]);
      expect(status(who, 'GET', '/api/v1/sites/:site/ad-spend'), who).toEqual([403]);
      expect(status(who, 'POST', '/api/v1/sites/:site/funnels'), who).toEqual([403]);
    }
  });

  it('shared links: admins and marketers make, list and revoke them; viewers and security staff get 403', () => {
    for (const who of ['admin', 'marketer', 'marketer+viewer']) {
      expect(status(who, 'POST', '/api/v1/sites/:site/shared-links'), who).toEqual([201]);
      expect(status(who, 'GET', '/api/v1/sites/:site/shared-links'), who).toEqual([200]);
      expect(status(who, 'DELETE', '/api/v1/sites/:site/shared-links/:id'), who).toEqual([200]);
    }
    for (const who of ['viewer', 'security']) {
      for (const method of ['GET', 'POST', 'DELETE']) {
        const path = method === 'DELETE' ? '/api/v1/sites/:site/shared-links/:id' : '/api/v1/sites/:site/shared-links';
        expect(status(who, method, path), `${who} ${method}`).toEqual([403]);
      }
    }
  });

  it('every signed-in role reaches its own account routes; the calls that end things worked when called last', () => {
    for (const c of CALLERS) {
      expect(status(c.who, 'GET', '/api/auth/me'), c.who).toEqual([200]);
      expect(status(c.who, 'GET', '/api/auth/sessions'), c.who).toEqual([200]);
      expect(status(c.who, 'GET', '/api/auth/export'), c.who).toEqual([200]);
      expect(status(c.who, 'POST', '/api/auth/keys'), c.who).toEqual([201]);
      expect(status(c.who, 'DELETE', '/api/auth/keys/:id'), c.who).toEqual([200]);
      expect(status(c.who, 'DELETE', '/api/auth/sessions/:id'), c.who).toEqual([200]);
      expect(status(c.who, 'POST', '/api/auth/logout'), c.who).toEqual([200]);
      // The only admin may not close their account: nobody could manage users afterwards.
      expect(status(c.who, 'DELETE', '/api/auth/account'), c.who).toEqual([c.who === 'admin' ? 409 : 200]);
    }
  });
});

describe('the same with API keys (Authorization: Bearer)', () => {
  it('a marketer\'s own key and the operator\'s stats key get 403 and no address from the security API; the security key is the control', async () => {
    const owner = await createUser(t, 'keyed-marketer@example.com', ['marketer'], { sites: ['example.com'] });
    const { secret } = await t.accounts!.createKey(owner, { name: 'scan', scopes: ['stats:read'], sites: ['example.com'] }, { userId: owner.id, keyId: 'session' });
    // A held (not flagged) visitor: still in the buffer after the abusers were erased.
    const ip = VISITORS[0]!;
    const paths = ['/api/security/abuse/flagged', `/api/security/abuse/ips/${ip}`, '/api/security/abuse/summary'];
    const get = async (path: string, key: string) => {
      const res = await fetch(`${t.dashboardUrl}${path}`, { headers: { authorization: `Bearer ${key}` } });
      return { status: res.status, text: await res.text(), headers: [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n') };
    };
    for (const key of [secret, STATS_KEY]) {
      for (const path of [...paths, '/api/users']) {
        const r = await get(path, key);
        expect(r.status, path).toBe(403);
        expect(leaks(r.text + r.headers), path).toEqual([]);
      }
      const sites = await get('/api/sites', key);
      expect(sites.status).toBe(200);
      expect(leaks(sites.text + sites.headers)).toEqual([]);
    }
    const control = await get(`/api/security/abuse/ips/${ip}`, SECURITY_KEY);
    expect(control.status).toBe(200);
    expect(leaks(control.text, spellings(ip))).not.toEqual([]);
  });
});

describe('a shared link\'s visitor (no account: the share cookie)', () => {
  /** What the read-only Overview reads through the share door; everything else there is 404. */
  const SHARE_READS = new Set(['GET /api/sites', 'POST /api/v2/query', 'GET /api/v1/sites/:site/goals', 'GET /api/v1/sites/:site/export']);

  /** The request(s) the share visitor sends for a route: ids that do not exist, the scan's queries. */
  function shareRequestsFor(method: string, path: string): { url: string; body?: unknown }[] {
    if (method === 'POST' && path === '/api/v2/query') {
      return [
        { url: path, body: { site_id: 'example.com', metrics: ['visitors', 'visits', 'pageviews', 'events'], date_range: 'day' } },
        { url: path, body: { site_id: 'example.com', metrics: ['visitors', 'pageviews'], dimensions: ['visit:source'], date_range: 'day' } },
        { url: path, body: { site_id: 'example.com', metrics: ['pageviews'], dimensions: ['event:page'], date_range: 'day' } },
      ];
    }
    if (path.startsWith('/share/:token')) return [{ url: `/share/${'x'.repeat(43)}` }];
    if (path.includes(':ip')) return ABUSERS.map((ip) => ({ url: path.replace(':ip', encodeURIComponent(ip)) }));
    const url = path.replace(':site', 'example.com').replace(':id', 'x_0123456789abcdef');
    return [{ url, body: method === 'GET' || method === 'DELETE' ? undefined : {} }];
  }

  it('reaches the statistics of its site through /share/api and nothing else; the cookie opens nothing under /api; no answer holds a full address', async () => {
    await createUser(t, 'sharing-marketer@example.com', ['marketer'], { sites: ['example.com'] });
    const { client } = await signIn(t, 'sharing-marketer@example.com', { now: t.clock.now });
    const made = await client.post('/api/v1/sites/example.com/shared-links', { label: 'Scan' });
    expect(made.status).toBe(201);
    const visitor = new ShareClient(t.dashboardUrl);
    expect((await visitor.open(made.json.token)).status).toBe(303);
    const anonymous = new ShareClient(t.dashboardUrl);

    let reads = 0;
    for (const r of routes) {
      const key = `${r.method} ${r.path}`;
      for (const req of shareRequestsFor(r.method, r.path)) {
        const headers = { 'x-forwarded-for': STAFF_IPS[0]! };
        // Through the share door (the share pages' own routes as they are).
        const doorUrl = req.url.startsWith('/share/') ? req.url : `/share${req.url}`;
        const door = await visitor.call(r.method, doorUrl, req.body, headers);
        let text = JSON.stringify(door.json) + [...door.headers.entries()].join('\n');
        if (door.headers.get('content-type') === 'application/zip') text = await zipText(doorUrl, { ...headers, cookie: visitor.cookie });
        expect(leaks(text), `${key} via ${doorUrl}`).toEqual([]);
        expect(door.status, `${key} via ${doorUrl}`).toBeLessThan(500);
        if (SHARE_READS.has(key)) {
          expect(door.status, `${key} via ${doorUrl}: ${text.slice(0, 200)}`).toBe(200);
          reads++;
        } else if (r.path.startsWith('/api/')) {
          expect([door.status, door.json], `${key} via ${doorUrl}`).toEqual([404, { error: 'a shared link reaches only the statistics of its site' }]);
        }
        if (req.url.startsWith('/share/')) continue;
        // Straight to the staff's API with the share cookie: exactly what a caller without one gets.
        const direct = await visitor.call(r.method, req.url, req.body, headers);
        const bare = await anonymous.call(r.method, req.url, req.body, headers);
        expect(leaks(JSON.stringify(direct.json) + [...direct.headers.entries()].join('\n')), `${key} direct`).toEqual([]);
        expect(direct.status, `${key} direct`).toBe(bare.status);
      }
    }
    expect(reads).toBe(6);
    // The numbers are the real ones.
    const total = await visitor.post('/share/api/v2/query', { site_id: 'example.com', metrics: ['visitors', 'visits', 'pageviews'], date_range: 'day' });
    expect(total.json.results[0].metrics).toEqual([VISITORS.length, VISITORS.length, VISITORS.length * 3]);
  });
});
