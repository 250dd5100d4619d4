import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../schema/client.ts';
import { CUBE_DIMENSIONS, CUBE_NAMES, cubeTable, ingestTable } from '../../schema/cubes.ts';
import { loadMigrations, migrate } from '../../schema/migrate.ts';
import { tempDir, type TempDir } from '../helpers/telmark.ts';

let dir: TempDir;
let store: Store;
beforeAll(() => {
  dir = tempDir('telmark-schema-');
  store = openStore({ mode: 'embedded', dataDir: dir.path, database: 'tm' });
});
afterAll(async () => {
  await store.close();
  dir.remove();
});

const rows = async <T>(query: string, params: Record<string, unknown> = {}) =>
  (await store.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();

describe('migrations', () => {
  it('apply once, are recorded, and a second run does nothing', async () => {
    const logs: string[] = [];
    const first = await migrate(store, { retentionMonths: 25, log: (l) => logs.push(l) });
    expect(first.applied).toEqual(loadMigrations().map((m) => m.name));
    const second = await migrate(store, { retentionMonths: 25, log: (l) => logs.push(l) });
    expect(second.applied).toEqual([]);
    expect(logs.at(-1)).toBe('migrate: schema is up to date');
    const recorded = await rows<{ version: number }>('SELECT version FROM tm.schema_migrations FINAL ORDER BY version');
    expect(recorded.map((r) => Number(r.version))).toEqual(loadMigrations().map((m) => m.version));
  });

  it('cube tables match the definitions the flusher and Stats API rely on', async () => {
    for (const cube of CUBE_NAMES) {
      for (const table of [ingestTable(cube), cubeTable(cube, 'minute'), cubeTable(cube, 'hour')]) {
        const cols = await rows<{ name: string }>('SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String} ORDER BY position', { db: 'tm', t: table });
        const names = cols.map((c) => c.name);
        expect(names.slice(0, 2 + CUBE_DIMENSIONS[cube].length), table).toEqual(['site', 'ts', ...CUBE_DIMENSIONS[cube]]);
      }
      const engine = await rows<{ engine: string }>('SELECT engine FROM system.tables WHERE database = {db:String} AND name = {t:String}', { db: 'tm', t: ingestTable(cube) });
      expect(engine[0]?.engine).toBe('Null');
    }
  });

  it('minute cubes keep 48 hours, hour cubes HOURLY_RETENTION_DAYS, day cubes RETENTION_MONTHS; changes are applied', async () => {
    const ttl = async (t: string) => (await rows<{ engine_full: string }>('SELECT engine_full FROM system.tables WHERE database = {db:String} AND name = {t:String}', { db: 'tm', t }))[0]!.engine_full;
    expect(await ttl('pages_minute')).toMatch(/TTL ts \+ toIntervalHour\(48\)/);
    expect(await ttl('pages_hour')).toMatch(/TTL ts \+ toIntervalDay\(14\)/);
    expect(await ttl('pages_day')).toMatch(/TTL day \+ toIntervalMonth\(25\)/);
    expect(await ttl('day_closings')).toMatch(/TTL day \+ toIntervalMonth\(25\)/);
    const logs: string[] = [];
    await migrate(store, { retentionMonths: 13, hourlyRetentionDays: 7, log: (l) => logs.push(l) });
    expect(await ttl('pages_hour')).toMatch(/toIntervalDay\(7\)/);
    expect(await ttl('pages_day')).toMatch(/toIntervalMonth\(13\)/);
    expect(await ttl('pages_minute')).toMatch(/toIntervalHour\(48\)/);
    // Each cube's hour and day tables, and the day-closings log.
    expect(logs.filter((l) => l.includes('retention')).length).toBe(CUBE_NAMES.length * 2 + 1);
  });

  it('the audit log keeps AUDIT_RETENTION_DAYS (default 400), changed at the next start like the cubes', async () => {
    const ttl = async () => (await rows<{ engine_full: string }>("SELECT engine_full FROM system.tables WHERE database = 'tm' AND name = 'audit_log'"))[0]!.engine_full;
    expect(await ttl()).toMatch(/TTL toDateTime\(ts\) \+ toIntervalDay\(400\)/);
    const logs: string[] = [];
    await migrate(store, { retentionMonths: 13, hourlyRetentionDays: 7, auditRetentionDays: 30, log: (l) => logs.push(l) });
    expect(await ttl()).toMatch(/TTL toDateTime\(ts\) \+ toIntervalDay\(30\)/);
    expect(logs).toEqual(['migrate: audit_log retention 400 day(s) -> 30 day(s)', 'migrate: schema is up to date']);
  });

  it('no table can hold an IP or a user agent: every column is a dimension, a count, a sketch or a setting', async () => {
    // The audit log is the one exception, by design: a truncated address and a keyed hash of the
    // full one (schema/audit-log.ts), never the address itself. Its columns are exactly these.
    const audit = await rows<{ name: string; type: string }>("SELECT name, type FROM system.columns WHERE database = 'tm' AND table = 'audit_log' ORDER BY position");
    expect(audit.map((c) => `${c.name} ${c.type}`)).toEqual([
      "ts DateTime64(3, 'UTC')",
      'via LowCardinality(String)',
      'key_id LowCardinality(String)',
      'user_id String',
      'subject_id String',
      'action LowCardinality(String)',
      'ip_truncated String',
      'ip_hash String',
      'outcome LowCardinality(String)',
      'status UInt16',
      'detail String',
    ]);
    // The staff's accounts are the other exception (DESIGN: email, password hash, roles; minimal
    // and deletable). Their columns are exactly these: no address, no user-agent string.
    const accountColumns = await rows<{ table: string; name: string }>(
      "SELECT table, name FROM system.columns WHERE database = 'tm' AND table IN ('users', 'login_sessions', 'api_keys') ORDER BY table, position",
    );
    expect(accountColumns.map((c) => `${c.table}.${c.name}`)).toEqual([
      ...['id', 'user_id', 'name', 'secret_hash', 'scopes', 'all_sites', 'sites', 'created_at', 'last_used_at', 'revoked', 'version'].map((c) => `api_keys.${c}`),
      ...['id', 'token_hash', 'user_id', 'mfa', 'enrol_only', 'device', 'created_at', 'last_seen_at', 'ended', 'version'].map((c) => `login_sessions.${c}`),
      ...[
        'id', 'email', 'password_hash', 'roles', 'all_sites', 'sites', 'enabled', 'totp_secret', 'totp_enabled', 'totp_pending', 'totp_last_step',
        'recovery_codes', 'invite_hash', 'invite_expires_at', 'created_at', 'last_login_at', 'version',
      ].map((c) => `users.${c}`),
    ]);
    // Shared links (issue 10 §7): the token and password as hashes only, the maker's opaque id; no address.
    const shareColumns = await rows<{ table: string; name: string }>(
      "SELECT table, name FROM system.columns WHERE database = 'tm' AND table IN ('shared_links', 'shared_link_uses') ORDER BY table, position",
    );
    expect(shareColumns.map((c) => `${c.table}.${c.name}`)).toEqual([
      ...['site', 'id', 'last_used_at'].map((c) => `shared_link_uses.${c}`),
      ...['site', 'id', 'label', 'token_hash', 'password_hash', 'created_by', 'created_at', 'expires_at', 'revoked_at', 'version'].map((c) => `shared_links.${c}`),
    ]);
    const cols = await rows<{ table: string; name: string; type: string }>(
      "SELECT table, name, type FROM system.columns WHERE database = 'tm' AND table NOT IN ('audit_log', 'users', 'login_sessions', 'api_keys', 'shared_links', 'shared_link_uses')",
    );
    const allowed = new Set(['site', 'ts', 'visitor_key', 'pageviews', 'events', 'visits', 'bounces', 'duration', 'visitors', 'revenue', 'scroll_sum', 'scroll_visits', 'engaged_ms', 'exits', 'domain', 'timezone', 'added_at', 'version', 'name', 'applied_at', 'day', 'closed_at', ...Object.values(CUBE_DIMENSIONS).flat()]);
    // Site settings: goals (names, patterns, currency), the allowed prop keys and funnels (names, steps' goal ids).
    const settings = new Set(['site', 'id', 'type', 'display_name', 'event_name', 'prop_keys', 'prop_values', 'path', 'threshold', 'currency', 'created_at', 'deleted', 'version', 'allowed', 'updated_at', 'name', 'step_goal_ids']);
    // Imported ad spend: the marketer's own numbers per day and campaign, nothing about visitors.
    const spend = new Set(['site', 'day', 'utm_source', 'utm_campaign', 'campaign_key', 'utm_medium', 'amount', 'currency', 'clicks', 'impressions', 'imported_at', 'deleted', 'version']);
    const allowedIn = (table: string) => (['goals', 'site_props', 'funnels'].includes(table) ? settings : table === 'ad_spend' ? spend : allowed);
    for (const c of cols) expect(allowedIn(c.table).has(c.name), `${c.table}.${c.name}`).toBe(true);
  });
});
