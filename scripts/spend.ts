// `npm run spend -- <command>`: ad spend from the command line, the same import as
// POST /api/v1/sites/{site}/ad-spend (dashboard/server/spend/parse.ts), audited as `cli`. It opens
// the store itself: with embedded chDB, while telmark runs, import through the dashboard or the API.
import { readFileSync } from 'node:fs';
import { listSpend, saveSpend, spendKey } from '../schema/ad-spend.ts';
import { AuditLog, loadAuditHashKey } from '../schema/audit-log.ts';
import type { Store } from '../schema/client.ts';
import { ConfigError } from '../schema/env.ts';
import { errorLine } from '../schema/errors.ts';
import { listSites, normaliseDomain } from '../schema/sites.ts';
import { parsePairs, parseSpendCsv, SpendImportError } from '../dashboard/server/spend/parse.ts';
import { openCliStore, option, PlainError, required, UsageError } from './cli.ts';
import { importSummary } from '../dashboard/server/spend/routes.ts';

const USAGE = `usage: npm run spend -- <command>
  import FILE.csv --site example.com [--map "Day=date,Campaign=utm_campaign,Cost=spend"]
                  [--defaults "utm_source=google,currency=EUR"] [--dry-run]
  list --site example.com --from YYYY-MM-DD --to YYYY-MM-DD
  delete --site example.com --from YYYY-MM-DD --to YYYY-MM-DD
CSV columns: date,utm_source,utm_campaign,spend,currency (+ utm_medium, clicks, impressions), any order.`;

async function open(): Promise<{ store: Store; audit: AuditLog }> {
  const env = process.env;
  const { store, storage } = await openCliStore(env, 'While telmark runs, import through the API (POST /api/v1/sites/{site}/ad-spend) instead.');
  return { store, audit: new AuditLog(store, { hashKey: loadAuditHashKey(env, storage.dataDir).key, via: 'cli' }) };
}

async function main(args: string[]): Promise<void> {
  const [command, file] = args;
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return;
  }
  if (!['import', 'list', 'delete'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  const site = normaliseDomain(required(args, '--site'));
  // Read and check everything before opening the store: a bad file fails fast and changes nothing.
  let rows: ReturnType<typeof parseSpendCsv> = [];
  if (command === 'import') {
    if (!file || file.startsWith('--')) throw new UsageError('import needs a FILE');
    rows = parseSpendCsv(readFileSync(file, 'utf8'), { map: parsePairs(option(args, '--map'), 'map'), defaults: parsePairs(option(args, '--defaults'), 'defaults') });
  }
  const { store, audit } = await open();
  try {
    if (!(await listSites(store)).some((s) => s.domain === site)) throw new UsageError(`no site "${site}" (SITES, or add it on the dashboard)`);
    if (command === 'import') {
      const days = rows.map((r) => r.day).sort();
      const existing = new Set((await listSpend(store, site, days[0]!, days.at(-1)!)).map(spendKey));
      const summary = importSummary(rows, existing);
      const spent = summary.spend.map((s) => `${s.amount} ${s.currency}`).join(' + ');
      const what = `${summary.rows} row(s), ${summary.days} day(s) ${summary.from}..${summary.to}, ${summary.campaigns} campaign(s), ${spent}: ${summary.new_rows} new, ${summary.replaced_rows} replacing earlier rows`;
      if (args.includes('--dry-run')) {
        console.log(`would import ${what} (dry run: nothing stored)`);
        return;
      }
      await audit.write({ userId: '', keyId: 'cli', action: 'spend.import', outcome: 'ok', status: 200, detail: `${rows.length} spend row(s), ${summary.from}..${summary.to}, on ${site}` });
      await saveSpend(store, site, rows, Date.now());
      console.log(`imported ${what}`);
    } else {
      const from = required(args, '--from');
      const to = required(args, '--to');
      const stored = await listSpend(store, site, from, to);
      if (command === 'list') {
        console.log('date,utm_source,utm_campaign,utm_medium,spend,currency,clicks,impressions');
        for (const r of stored) console.log([r.day, r.utmSource, r.utmCampaign, r.utmMedium, r.amount, r.currency, r.clicks ?? '', r.impressions ?? ''].join(','));
      } else {
        await audit.write({ userId: '', keyId: 'cli', action: 'spend.delete', outcome: 'ok', status: 200, detail: `${stored.length} spend row(s), ${from}..${to}, on ${site}` });
        await saveSpend(store, site, stored, Date.now(), true);
        console.log(`deleted ${stored.length} row(s) from ${from} to ${to}`);
      }
    }
  } finally {
    await store.close();
  }
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError || err instanceof SpendImportError || err instanceof ConfigError || err instanceof PlainError) {
    console.error(`telmark spend: ${err.message}`);
    if (err instanceof UsageError) console.error(USAGE);
    process.exit(2);
  }
  console.error(`telmark spend: ${errorLine(err)}`);
  process.exit(1);
}
