import { IDENTIFIER } from './config.ts';
import { AD_SPEND_TABLE, API_KEYS_TABLE, AUDIT_LOG_TABLE, CUBE_NAMES, DAY_CLOSINGS_TABLE, FUNNELS_TABLE, GOALS_TABLE, LOGIN_SESSIONS_TABLE, SHARED_LINK_USES_TABLE, SHARED_LINKS_TABLE, SITE_PROPS_TABLE, USERS_TABLE, cubeTable, ingestTable } from './cubes.ts';

/**
 * Least privilege in server mode (privacy promise 7): the collector may only insert aggregates
 * (into the Null ingest tables; the materialized views write the cubes with their own rights),
 * read site settings, and fold its hour cubes into day cubes (the day closer); the dashboard may
 * only read aggregates, and keeps the accounts (users, login sessions, API keys). Both append to the audit log (security API and data-subject requests) and neither
 * may read it back: its rows are for the ClickHouse administrator. Statements for `npm run users`.
 */
export function grantStatements(
  db: string,
  users: { collector: string; dashboard: string },
  passwords: { collector: string; dashboard: string },
  opts: { certificateAuth?: boolean } = {},
): string[] {
  const ident = (s: string) => {
    if (!IDENTIFIER.test(s)) throw new Error(`"${s}" is not a valid ClickHouse user name`);
    return s;
  };
  const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const c = ident(users.collector);
  const d = ident(users.dashboard);
  // Mutual TLS (CLICKHOUSE_CERT): the user is the client certificate whose common name is its name.
  const identified = (user: string, password: string) =>
    opts.certificateAuth ? `IDENTIFIED WITH ssl_certificate CN ${quote(user)}` : `IDENTIFIED WITH sha256_password BY ${quote(password)}`;
  return [
    `CREATE USER IF NOT EXISTS ${c} ${identified(c, passwords.collector)}`,
    `CREATE USER IF NOT EXISTS ${d} ${identified(d, passwords.dashboard)}`,
    // Both start by reading which migrations are applied (schema/migrate.ts); on a current schema
    // that is all they do there: migrations themselves run as the admin (`npm run migrate`).
    `GRANT SELECT ON ${db}.schema_migrations TO ${c}`,
    `GRANT SELECT ON ${db}.schema_migrations TO ${d}`,
    ...CUBE_NAMES.map((cube) => `GRANT INSERT ON ${db}.${ingestTable(cube)} TO ${c}`),
    // SITES registers the sites it names at start (collector/site-registry.ts seed()).
    `GRANT SELECT, INSERT ON ${db}.sites TO ${c}`,
    // Site settings the collector needs (goals to match, allowed prop keys): read only.
    `GRANT SELECT ON ${db}.${GOALS_TABLE} TO ${c}`,
    `GRANT SELECT ON ${db}.${SITE_PROPS_TABLE} TO ${c}`,
    `GRANT SELECT ON ${db}.${FUNNELS_TABLE} TO ${c}`,
    ...CUBE_NAMES.flatMap((cube) => [`GRANT SELECT ON ${db}.${cubeTable(cube, 'hour')} TO ${c}`, `GRANT INSERT ON ${db}.${cubeTable(cube, 'day')} TO ${c}`]),
    `GRANT SELECT, INSERT ON ${db}.${DAY_CLOSINGS_TABLE} TO ${c}`,
    `GRANT INSERT ON ${db}.${AUDIT_LOG_TABLE} TO ${c}`,
    `GRANT SELECT ON ${db}.sites TO ${d}`,
    `GRANT SELECT ON ${db}.${DAY_CLOSINGS_TABLE} TO ${d}`,
    // Funnel progress is read per hour and day only (the funnels endpoint has no realtime range),
    // so the dashboard gets no right on funnel_steps_minute.
    ...CUBE_NAMES.flatMap((cube) =>
      (cube === 'funnel_steps' ? (['hour', 'day'] as const) : (['minute', 'hour', 'day'] as const)).map((g) => `GRANT SELECT ON ${db}.${cubeTable(cube, g)} TO ${d}`),
    ),
    `GRANT INSERT ON ${db}.${AUDIT_LOG_TABLE} TO ${d}`,
    // Accounts: the dashboard reads and writes them (new row versions) and deletes an account's
    // rows when it is closed (ALTER ... DELETE). The collector has no right on them at all.
    ...[USERS_TABLE, LOGIN_SESSIONS_TABLE, API_KEYS_TABLE].map((t) => `GRANT SELECT, INSERT, ALTER DELETE ON ${db}.${t} TO ${d}`),
    // Site settings and imported spend: new row versions only (a deleted goal or spend row is a
    // row with deleted = 1). The collector has no right on the spend.
    ...[GOALS_TABLE, SITE_PROPS_TABLE, FUNNELS_TABLE, AD_SPEND_TABLE].map((t) => `GRANT SELECT, INSERT ON ${db}.${t} TO ${d}`),
    // Shared links (a revocation is a new version) and their last use. The collector has no right on them.
    ...[SHARED_LINKS_TABLE, SHARED_LINK_USES_TABLE].map((t) => `GRANT SELECT, INSERT ON ${db}.${t} TO ${d}`),
  ];
}
