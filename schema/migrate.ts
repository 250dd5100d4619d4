import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Store } from './client.ts';
import { AUDIT_LOG_TABLE, LOGIN_SESSIONS_TABLE } from './cubes.ts';
import { DEFAULT_AUDIT_RETENTION_DAYS, DEFAULT_HOURLY_RETENTION_DAYS } from './retention.ts';

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

export interface MigrationOptions {
  retentionMonths: number;
  /** How long hour cubes (with their visitor sketches) are kept; day cubes keep RETENTION_MONTHS. */
  hourlyRetentionDays?: number;
  /** How long audit_log rows are kept (AUDIT_RETENTION_DAYS). */
  auditRetentionDays?: number;
  /** Progress lines for the operator (stdout in the CLI, silent in tests). */
  log?: (line: string) => void;
}

/** `NNN_name.sql` files, in version order, split into statements on `;` at the end of a line. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(`${dir}/${file}`, 'utf8');
      const statements = sql
        .split(/;\s*$/m)
        .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
        .filter(Boolean);
      return { version: Number(file.slice(0, 3)), name: file.replace(/\.sql$/, ''), statements };
    });
}

function render(statement: string, store: Store, opts: MigrationOptions): string {
  return statement
    .replaceAll('{db}', store.db)
    .replaceAll('{retention_months}', String(opts.retentionMonths))
    .replaceAll('{audit_retention_days}', String(opts.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS));
}

/**
 * Applies every migration not yet recorded in `schema_migrations`. Statements are idempotent
 * (IF NOT EXISTS), so a run cut short is finished by the next one. Then brings every table's TTL
 * in line with the retention settings, which are settings rather than migrations.
 */
export async function migrate(store: Store, opts: MigrationOptions): Promise<{ applied: string[] }> {
  const log = opts.log ?? (() => {});
  const { client } = store;
  // A schema that is up to date costs one read: the services start against it as their own
  // ClickHouse users (schema/grants.ts), who may create nothing. DDL runs only when there is
  // something to apply, as the admin who runs `npm run migrate`.
  const done = await appliedVersions(store);
  const pending = loadMigrations().filter((m) => !done?.has(m.version));
  if (!done) {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${store.db}` });
    await client.command({
      query: `CREATE TABLE IF NOT EXISTS ${store.table('schema_migrations')}
        (version UInt32, name String, applied_at DateTime('UTC') DEFAULT now())
        ENGINE = ReplacingMergeTree ORDER BY version`,
    });
  }
  const applied: string[] = [];
  for (const m of pending) {
    log(`migrate: applying ${m.name} (${m.statements.length} statements)`);
    for (const statement of m.statements) {
      await client.command({ query: render(statement, store, opts) });
    }
    await client.insert({
      table: store.table('schema_migrations'),
      values: [{ version: m.version, name: m.name }],
      format: 'JSONEachRow',
    });
    applied.push(m.name);
  }
  await syncRetention(
    store,
    {
      months: opts.retentionMonths,
      hourlyDays: opts.hourlyRetentionDays ?? DEFAULT_HOURLY_RETENTION_DAYS,
      auditDays: opts.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS,
    },
    log,
  );
  if (applied.length === 0) log('migrate: schema is up to date');
  return { applied };
}


/** Versions recorded in schema_migrations; undefined when that table does not exist yet. */
async function appliedVersions(store: Store): Promise<Set<number> | undefined> {
  const exists = await (
    await store.client.query({
      query: `SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = 'schema_migrations'`,
      query_params: { db: store.db },
      format: 'JSONEachRow',
    })
  ).json<{ n: string | number }>();
  if (Number(exists[0]?.n ?? 0) === 0) return undefined;
  const rows = await (
    await store.client.query({ query: `SELECT version FROM ${store.table('schema_migrations')} FINAL`, format: 'JSONEachRow' })
  ).json<{ version: number }>();
  return new Set(rows.map((r) => Number(r.version)));
}

/**
 * Retention is a setting, not a migration: at every start each table's TTL is brought in line
 * with it. Minute cubes: 48 hours. Hour cubes (with sketches): HOURLY_RETENTION_DAYS. The audit
 * log: AUDIT_RETENTION_DAYS. Day cubes and the closing log: RETENTION_MONTHS. An ALTER only runs
 * when a value changed.
 */
async function syncRetention(
  store: Store,
  { months, hourlyDays, auditDays }: { months: number; hourlyDays: number; auditDays: number },
  log: (l: string) => void,
): Promise<void> {
  const rows = await (
    await store.client.query({
      query: `SELECT name, engine_full FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree'`,
      query_params: { db: store.db },
      format: 'JSONEachRow',
    })
  ).json<{ name: string; engine_full: string }>();
  for (const { name, engine_full } of rows) {
    // The TTL's time expression is a column (`ts`, `day`) or, for DateTime64 columns, `toDateTime(ts)`.
    const current = /TTL ([\w()]+) \+ toInterval(\w+)\((\d+)\)/.exec(engine_full);
    // Login sessions end after at most 30 days whatever the aggregates' retention is.
    if (!current || name === LOGIN_SESSIONS_TABLE) continue;
    const [, column = 'ts', unit = '', amount = '0'] = current;
    const wanted =
      name === AUDIT_LOG_TABLE
        ? { unit: 'Day', amount: auditDays }
        : name.endsWith('_hour')
          ? { unit: 'Day', amount: hourlyDays }
          : name.endsWith('_minute')
            ? { unit: 'Hour', amount: 48 }
            : { unit: 'Month', amount: months };
    if (unit === wanted.unit && Number(amount) === wanted.amount) continue;
    log(`migrate: ${name} retention ${amount} ${unit.toLowerCase()}(s) -> ${wanted.amount} ${wanted.unit.toLowerCase()}(s)`);
    await store.client.command({ query: `ALTER TABLE ${store.table(name)} MODIFY TTL ${column} + INTERVAL ${wanted.amount} ${wanted.unit.toUpperCase()}` });
  }
}
