// `npm run grants`: creates the collector's and the dashboard's ClickHouse users with exactly the
// grants they need (server mode). Run as an admin (CLICKHOUSE_USER with access management).
// `--print` only prints the statements. Passwords: TELMARK_COLLECTOR_PASSWORD / TELMARK_DASHBOARD_PASSWORD.
// `--cert-auth`: the users are identified by client certificates (CN telmark_collector /
// telmark_dashboard) instead, for services that connect with CLICKHOUSE_CERT / CLICKHOUSE_KEY.
import { randomBytes } from 'node:crypto';
import { openStore } from '../schema/client.ts';
import { storageConfig } from '../schema/config.ts';
import { grantStatements } from '../schema/grants.ts';

const config = storageConfig(process.env);
const passwords = {
  collector: process.env.TELMARK_COLLECTOR_PASSWORD || randomBytes(18).toString('base64url'),
  dashboard: process.env.TELMARK_DASHBOARD_PASSWORD || randomBytes(18).toString('base64url'),
};
const certificateAuth = process.argv.includes('--cert-auth');
const statements = grantStatements(config.database, { collector: 'telmark_collector', dashboard: 'telmark_dashboard' }, passwords, { certificateAuth });
if (process.argv.includes('--print') || config.mode === 'embedded') {
  if (config.mode === 'embedded') console.log('-- embedded chDB has no users; these are the statements for a ClickHouse server:');
  for (const s of statements) console.log(`${s};`);
  process.exit(0);
}
const store = openStore(config);
for (const s of statements) await store.client.command({ query: s });
await store.close();
console.log(
  certificateAuth
    ? 'created telmark_collector and telmark_dashboard, identified by client certificates with those common names'
    : `created telmark_collector (password ${passwords.collector}) and telmark_dashboard (password ${passwords.dashboard})`,
);
