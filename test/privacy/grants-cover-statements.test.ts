// Least privilege, checked against what the code does (privacy promise 7, issue 11 §5). Each
// service gets a store that records every statement it sends (startAll's storeFor seam), then a
// realistic session runs: the collector seeds its site, reads goals, funnels and allowed props,
// counts beacons that fill every cube, flushes, closes a day and audits a security look-up; the
// dashboard starts on the migrated schema, keeps accounts (sign-in, keys, closing an account),
// writes goals, props, funnels, spend and shared links, and reads every cube at every grain
// through the Stats API, funnels, realtime and the export. The tables and verbs are read from the
// statements and compared with schema/grants.ts both ways: every (table, verb) a service uses is
// granted to it, and every grant is used. With CLICKHOUSE_URL set, the same session runs against a
// ClickHouse server as the two real users (`npm run grants` statements); skipped here.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../schema/client.ts';
import { storageConfig } from '../../schema/config.ts';
import { grantStatements } from '../../schema/grants.ts';
import { migrate } from '../../schema/migrate.ts';
import { retentionConfig } from '../../schema/retention.ts';
import { createUser, PASSWORD, signIn } from '../helpers/accounts.ts';
import { ShareClient } from '../helpers/share.ts';
import { SECURITY_KEY, startTestTelmark, T0, type TestTelmark } from '../helpers/telmark.ts';

type Service = 'collector' | 'dashboard';
const DB = 'telmark';

/** What a statement reached: a table (db.name, or system.name) and the ClickHouse privilege it needs. */
export interface Access {
  table: string;
  verb: string;
}

/**
 * The tables and privileges of one statement. Written by hand: no maintained JS parser reads
 * ClickHouse's dialect (FINAL, {name:Type} parameters, -Merge combinators, lambdas). It can be
 * this small because every table reaches SQL through store.table(), always `db.name`; statements
 * naming a table any other way are reported by `unqualified` so they cannot slip past.
 */
export function accesses(sql: string, db: string): Access[] {
  const s = sql.replace(/'(?:[^'\\]|\\.)*'/g, "''").replace(/\s+/g, ' ').trim();
  const refs = [...s.matchAll(new RegExp(`\\b${db}\\.(\\w+)`, 'g'))].map((m) => `${db}.${m[1]}`);
  const system = [...s.matchAll(/\bsystem\.(\w+)/g)].map((m) => ({ table: `system.${m[1]}`, verb: 'SELECT' }));
  const head = /^(\w+)(?: (\w+))?/.exec(s)?.slice(1).map((w) => w?.toUpperCase()) ?? [];
  let target: Access | undefined;
  if (head[0] === 'INSERT') {
    const into = new RegExp(`^INSERT INTO (${db}\\.\\w+)`, 'i').exec(s);
    if (!into) throw new Error(`an INSERT the check cannot read: ${s.slice(0, 120)}`);
    target = { table: into[1]!, verb: 'INSERT' };
  } else if (head[0] === 'ALTER') {
    const alter = new RegExp(`^ALTER TABLE (${db}\\.\\w+) (DELETE|UPDATE|MODIFY TTL)\\b`, 'i').exec(s);
    if (!alter) throw new Error(`an ALTER the check cannot read: ${s.slice(0, 120)}`);
    target = { table: alter[1]!, verb: alter[2]!.toUpperCase() === 'MODIFY TTL' ? 'ALTER TTL' : `ALTER ${alter[2]!.toUpperCase()}` };
  } else if (head[0] !== 'SELECT' && head[0] !== 'WITH') {
    // CREATE, DROP, OPTIMIZE...: no service issues DDL on a migrated schema; report it whole.
    return [...new Set(refs)].map((table) => ({ table, verb: head[0]! })).concat(system);
  }
  const reads = refs.filter((_, i) => !(target && i === 0)).map((table) => ({ table, verb: 'SELECT' }));
  return [...(target ? [target] : []), ...reads, ...system];
}

/** FROM / JOIN / INTO followed by a name that is not `db.`-qualified (nor a subquery or a system table). */
export function unqualified(sql: string, db: string): string[] {
  const s = sql.replace(/'(?:[^'\\]|\\.)*'/g, "''");
  return [...s.matchAll(new RegExp(`\\b(?:FROM|JOIN|INTO)\\s+(?!\\(|${db}\\.|system\\.)([A-Za-z_][\\w.]*)`, 'gi'))].map((m) => m[0]);
}

/** The (table, verb) pairs granted to each user by GRANT statements. */
export function granted(statements: string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const g of statements.filter((s) => s.startsWith('GRANT '))) {
    const m = /^GRANT (.+) ON (\w+\.\w+) TO (\w+)$/.exec(g);
    if (!m) throw new Error(`a grant the check cannot read: ${g}`);
    const set = out.get(m[3]!) ?? new Set<string>();
    for (const verb of m[1]!.split(', ')) set.add(`${m[2]} ${verb}`);
    out.set(m[3]!, set);
  }
  return out;
}

/** A store whose client records the SQL (or the INSERT's table) of every call before sending it. */
function recording(store: Store, into: string[]): Store {
  const recorded = new Set(['query', 'command', 'exec', 'insert']);
  const client = new Proxy(store.client, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      if (typeof prop !== 'string' || !recorded.has(prop)) return bound;
      return (params: { query?: string; table?: string }) => {
        into.push(prop === 'insert' ? `INSERT INTO ${params.table}` : String(params.query));
        return bound(params);
      };
    },
  });
  // Closed with the store startAll opened, not by the service.
  return { ...store, client, close: async () => {} };
}

/** Days and instants of the session (the test clock starts at T0, 2026-11-20 10:00 UTC). */
const DAY1 = '2026-11-20';
const DAY2 = '2026-11-21';
const VISITORS = ['203.0.113.10', '198.51.100.20', '192.0.2.30'];

interface SessionFigures {
  /** Visitors on DAY1 by the acquisition cube's day table (closed) and the funnel's first step. */
  dayVisitors: number;
  funnelStep1: number;
}

/**
 * One realistic session against a running telmark whose services record (or run as their own
 * users). Every call must succeed: a refused statement would show as a failed request here.
 */
async function session(t: TestTelmark): Promise<SessionFigures> {
  const ok = (what: string, status: number, want = 200) => expect(status, what).toBe(want);
  // The marketer keeps the site's settings (standard sessions outlive the day the clock moves on).
  await createUser(t, 'marketer@example.com', ['marketer'], { sites: ['example.com'] });
  const { client: m } = await signIn(t, 'marketer@example.com', { now: t.clock.now });
  const site = '/api/v1/sites/example.com';
  ok('props', (await m.put(`${site}/props`, { allowed: ['plan'] })).status);
  const signup = await m.post(`${site}/goals`, { type: 'event', event_name: 'Signup', currency: 'EUR' });
  ok('goal', signup.status, 201);
  const pricing = await m.post(`${site}/goals`, { type: 'page', path: '/pricing' });
  ok('page goal', pricing.status, 201);
  const scratch = await m.post(`${site}/goals`, { type: 'event', event_name: 'Scratch' });
  ok('delete goal', (await m.del(`${site}/goals/${scratch.json.goal.id}`)).status);
  const funnel = await m.post(`${site}/funnels`, { name: 'Pricing to signup', steps: [pricing.json.goal.id, signup.json.goal.id] });
  ok('funnel', funnel.status, 201);
  const spare = await m.post(`${site}/funnels`, { name: 'Spare', steps: [signup.json.goal.id, pricing.json.goal.id] });
  ok('delete funnel', (await m.del(`${site}/funnels/${spare.json.funnel.id}`)).status);
  ok('funnels', (await m.get(`${site}/funnels`)).status);
  ok('spend', (await m.post(`${site}/ad-spend`, { rows: [{ date: DAY1, utm_source: 'google', utm_campaign: 'spring', spend: '12.50', currency: 'EUR' }] })).status);
  ok('spend list', (await m.get(`${site}/ad-spend?from=${DAY1}&to=${DAY2}`)).status);

  // Visitors from three networks: a campaign visit to /pricing, a signup with a prop and revenue,
  // an engagement event; every cube gets rows (funnel steps included, the funnel exists now).
  for (const ip of VISITORS) {
    const h = { 'x-forwarded-for': ip };
    ok('pageview', (await t.beacon({ n: 'pageview', u: 'https://example.com/pricing?utm_source=google&utm_medium=cpc&utm_campaign=spring', d: 'example.com', r: 'https://www.google.com/' }, h)).status, 202);
    ok('engagement', (await t.beacon({ n: 'engagement', u: 'https://example.com/pricing', d: 'example.com', sd: 80, e: 12000 }, h)).status, 202);
    ok('event', (await t.beacon({ n: 'Signup', u: 'https://example.com/signup', d: 'example.com', p: { plan: 'pro' }, $: { amount: '9.90', currency: 'EUR' } }, h)).status, 202);
  }
  await t.flush();
  // The collector's audited look-up (admin listener), and the dashboard's (security API).
  ok('admin look-up', (await t.admin(`/admin/abuse/ips/${VISITORS[0]}`)).status);
  ok('security look-up', (await fetch(`${t.dashboardUrl}/api/security/abuse/ips/${VISITORS[1]}`, { headers: { authorization: `Bearer ${SECURITY_KEY}` } })).status);

  // The next day, after the day closer's delay: DAY1 is folded into the day cubes.
  t.clock.ms = Date.UTC(2026, 10, 21, 2, 0, 0);
  await t.closeDays();

  // Accounts: a key used for a query, then revoked; a viewer who closes their account.
  const key = await m.post('/api/auth/keys', { name: 'script', scopes: ['stats:read'], sites: ['example.com'] });
  ok('key', key.status, 201);
  const byKey = await fetch(`${t.dashboardUrl}/api/v2/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key.json.secret}` },
    body: JSON.stringify({ site_id: 'example.com', metrics: ['visitors'], date_range: [DAY1, DAY1] }),
  });
  const dayVisitors = (await byKey.json()).results[0].metrics[0] as number;
  ok('keys', (await m.get('/api/auth/keys')).status);
  ok('revoke key', (await m.del(`/api/auth/keys/${key.json.key.id}`)).status);
  await createUser(t, 'leaving@example.com', ['viewer'], { sites: ['example.com'] });
  const { client: v } = await signIn(t, 'leaving@example.com', { now: t.clock.now });
  ok('close account', (await v.del('/api/auth/account', { password: PASSWORD })).status);

  // A shared link: made, opened (its use is recorded), read through, revoked.
  const link = await m.post(`${site}/shared-links`, { label: 'Board' });
  ok('link', link.status, 201);
  const visitor = new ShareClient(t.dashboardUrl);
  ok('open link', (await visitor.open(link.json.token)).status, 303);
  ok('shared query', (await visitor.post('/share/api/v2/query', { site_id: 'example.com', metrics: ['visitors'], date_range: [DAY1, DAY2] })).status);
  ok('links', (await m.get(`${site}/shared-links`)).status);
  ok('revoke link', (await m.del(`${site}/shared-links/${link.json.link.id}`)).status);

  // Every cube at every grain: a closed day plus an open one (day and hour tables), the open day
  // by hour, and realtime (minute tables).
  const cubes: string[][] = [['visit:source'], ['event:page'], ['visit:entry_page'], ['visit:device'], ['event:name'], ['event:name', 'visit:device'], ['event:name', 'visit:entry_page'], ['event:props:plan']];
  for (const dimensions of cubes) {
    for (const [date_range, time] of [[[DAY1, DAY2], []], ['day', ['time:hour']], ['realtime', []]] as const) {
      const res = await m.post('/api/v2/query', { site_id: 'example.com', metrics: ['visitors'], date_range, dimensions: [...dimensions, ...time] });
      ok(`${dimensions.join('+')} ${JSON.stringify(date_range)}: ${JSON.stringify(res.json).slice(0, 200)}`, res.status);
    }
  }
  const spend = await m.post('/api/v2/query', { site_id: 'example.com', metrics: ['visitors', 'spend', 'roas'], date_range: [DAY1, DAY2], dimensions: ['visit:utm_campaign'], filters: [['is', 'event:goal', ['Signup']]] });
  ok(`spend metrics: ${JSON.stringify(spend.json).slice(0, 200)}`, spend.status);
  ok('goals', (await m.post('/api/v2/query', { site_id: 'example.com', metrics: ['visitors', 'conversion_rate', 'total_revenue'], date_range: [DAY1, DAY2], dimensions: ['event:goal'] })).status);
  const steps = await m.get(`${site}/funnels/${funnel.json.funnel.id}/stats?from=${DAY1}&to=${DAY2}`);
  ok('funnel stats', steps.status);
  ok('realtime visitors', (await m.get('/api/v1/stats/realtime/visitors?site_id=example.com')).status);
  ok('export', (await m.get(`${site}/export?date_range=${DAY1},${DAY2}`)).status);
  ok('spend delete', (await m.del(`${site}/ad-spend?from=${DAY1}&to=${DAY1}`)).status);
  return { dayVisitors, funnelStep1: steps.json.steps?.[0]?.visitors };
}

describe('least privilege: every statement each service sends is granted to it, and every grant is used (embedded chDB)', () => {
  const statements: Record<Service, string[]> = { collector: [], dashboard: [] };
  let t: TestTelmark;
  let figures: SessionFigures;

  beforeAll(async () => {
    t = await startTestTelmark({}, T0, { storeFor: (service, store) => recording(store, statements[service]) });
    // Each service, as its own process in server mode, runs migrate at start: on a migrated
    // schema that must be reads only.
    for (const service of ['collector', 'dashboard'] as const) await migrate(recording(t.store, statements[service]), retentionConfig({}));
    figures = await session(t);
  }, 120_000);
  afterAll(async () => {
    await t?.destroy();
  });

  it('the session counted what it sent (the statements recorded are the real work)', () => {
    expect(figures.dayVisitors).toBe(VISITORS.length);
    expect(figures.funnelStep1).toBe(VISITORS.length);
    expect(statements.collector.length).toBeGreaterThan(20);
    expect(statements.dashboard.length).toBeGreaterThan(50);
  });

  it('every table reaches SQL as db.name (so the check below sees it)', () => {
    for (const service of ['collector', 'dashboard'] as const) {
      expect(statements[service].flatMap((s) => unqualified(s, DB)), service).toEqual([]);
    }
  });

  const grants = granted(grantStatements(DB, { collector: 'tc', dashboard: 'td' }, { collector: 'x', dashboard: 'y' }));
  for (const [service, user] of [['collector', 'tc'], ['dashboard', 'td']] as const) {
    it(`${service}: what it does equals what it is granted (system tables aside: readable by every user)`, () => {
      const used = new Set(statements[service].flatMap((s) => accesses(s, DB)).filter((a) => !a.table.startsWith('system.')).map((a) => `${a.table} ${a.verb}`));
      const allowed = grants.get(user)!;
      expect([...used].filter((u) => !allowed.has(u)).sort(), 'used but not granted').toEqual([]);
      expect([...allowed].filter((g) => !used.has(g)).sort(), 'granted but never used').toEqual([]);
    });
  }

  it('the statement reader knows the shapes it meets', () => {
    expect(accesses(`INSERT INTO ${DB}.acquisition_day (site) SELECT site FROM ${DB}.acquisition_hour WHERE site = {s:String}`, DB)).toEqual([
      { table: `${DB}.acquisition_day`, verb: 'INSERT' },
      { table: `${DB}.acquisition_hour`, verb: 'SELECT' },
    ]);
    expect(accesses(`ALTER TABLE ${DB}.users DELETE WHERE id = {id:String}`, DB)).toEqual([{ table: `${DB}.users`, verb: 'ALTER DELETE' }]);
    expect(accesses(`SELECT 'not ${DB}.users' FROM ${DB}.goals FINAL`, DB)).toEqual([{ table: `${DB}.goals`, verb: 'SELECT' }]);
    expect(accesses(`CREATE TABLE IF NOT EXISTS ${DB}.x (a UInt8) ENGINE = Null`, DB)).toEqual([{ table: `${DB}.x`, verb: 'CREATE' }]);
    expect(unqualified('SELECT a FROM users', DB)).toEqual(['FROM users']);
  });
});

const url = process.env.CLICKHOUSE_URL;
if (!url) console.log('least privilege on a server: CLICKHOUSE_URL not set; skipped (embedded chDB has no users)');

describe.skipIf(!url)('least privilege on a ClickHouse server: the same session as telmark_collector and telmark_dashboard', () => {
  const database = `telmark_grants_${process.pid}_${Date.now()}`;
  const suffix = randomBytes(4).toString('hex');
  const users = { collector: `telmark_collector_${suffix}`, dashboard: `telmark_dashboard_${suffix}` };
  const passwords = { collector: randomBytes(18).toString('base64url'), dashboard: randomBytes(18).toString('base64url') };
  const opened: Store[] = [];
  let t: TestTelmark;
  let admin: Store;

  beforeAll(async () => {
    const server = { CLICKHOUSE_URL: url!, CLICKHOUSE_USER: process.env.CLICKHOUSE_USER ?? 'default', CLICKHOUSE_PASSWORD: process.env.CLICKHOUSE_PASSWORD ?? '', CLICKHOUSE_DATABASE: database };
    const config = storageConfig({ ...server, DATA_DIR: '/tmp' });
    if (config.mode !== 'server') throw new Error('CLICKHOUSE_URL is set, so this is server mode');
    admin = openStore(config);
    await migrate(admin, retentionConfig({}));
    for (const s of grantStatements(database, users, passwords)) await admin.client.command({ query: s });
    const asUser = (service: Service) => {
      const store = openStore({ ...config, username: users[service], password: passwords[service] });
      opened.push(store);
      return store;
    };
    t = await startTestTelmark(server, T0, { storeFor: (service) => asUser(service) });
  }, 120_000);
  afterAll(async () => {
    await t?.destroy();
    for (const s of opened) await s.close();
    for (const u of Object.values(users)) await admin?.client.command({ query: `DROP USER IF EXISTS ${u}` });
    await admin?.client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await admin?.close();
  });

  it('every request of the session succeeds with exactly the granted rights, and counts exactly', async () => {
    const figures = await session(t);
    expect(figures).toEqual({ dayVisitors: VISITORS.length, funnelStep1: VISITORS.length });
  });
});
