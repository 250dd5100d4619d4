// /api/v1/sites/{site}/ad-spend: a site's imported ad spend, for admins and marketers
// (`site-settings:write`, by session or key), on their own sites. Import (CSV or JSON, all or
// nothing; a re-imported key replaces the old row), list and delete by date range. Every change
// is audited before it is made. `dry_run=true` answers what an import would change, storing nothing
// (the dashboard's preview).
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { parseClientJson } from '../../../schema/text.ts';
import type { AuditEntry } from '../../../schema/audit-log.ts';
import type { Store } from '../../../schema/client.ts';
import { listSpend, saveSpend, spendKey, type SpendRow } from '../../../schema/ad-spend.ts';
import { addDays } from '../../../schema/dates.ts';
import { moneyUnits, unitsToDecimal } from '../../../schema/money.ts';
import type { Site } from '../../../schema/sites.ts';
import { AuthError, auditOrRefuse } from '../auth/accounts.ts';
import { requires, siteOfRequest, type AuthEnv } from '../auth/principal.ts';
import { actorOf } from '../auth/routes.ts';
import { parsePairs, parseSpendCsv, parseSpendJson, SpendImportError, type SpendImportOptions } from './parse.ts';

export interface SpendRoutesDeps {
  store: Store;
  sites: () => Promise<Site[]>;
  audit: (entry: AuditEntry) => Promise<void>;
  now: () => number;
  log: (line: string) => void;
  /** After spend changed (the Stats API's caches drop the site). */
  changed?: (site: string) => void;
}

/** An import body: 10 MB, about 100,000 CSV lines (more than MAX_SPEND_ROWS). */
export const MAX_SPEND_BODY_BYTES = 10 * 1024 * 1024;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date in the form YYYY-MM-DD');
const RANGE = z.object({ from: isoDate, to: isoDate }).refine((r) => r.from <= r.to, { message: 'from is after to', path: ['from'] });
const JSON_IMPORT = z.object({
  rows: z.array(z.unknown()),
  map: z.record(z.string(), z.string()).optional(),
  defaults: z.record(z.string(), z.string()).optional(),
});

/** What an import covers and changes. */
export function importSummary(rows: SpendRow[], existing: Set<string>) {
  const byCurrency = new Map<string, bigint>();
  for (const r of rows) byCurrency.set(r.currency, (byCurrency.get(r.currency) ?? 0n) + moneyUnits(r.amount));
  const days = [...new Set(rows.map((r) => r.day))].sort();
  const replaced = rows.filter((r) => existing.has(spendKey(r))).length;
  return {
    rows: rows.length,
    new_rows: rows.length - replaced,
    replaced_rows: replaced,
    days: days.length,
    from: days[0],
    to: days.at(-1),
    campaigns: new Set(rows.map((r) => `${r.utmSource}\x1f${r.utmCampaign}`)).size,
    // To the cent (cut, not rounded), for people to read.
    spend: [...byCurrency].map(([currency, units]) => ({ currency, amount: unitsToDecimal(units).replace(/(\.\d\d)\d*$/, '$1') })),
  };
}

export function spendRoutes(deps: SpendRoutesDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  const siteOf = siteOfRequest(deps.sites);
  const audit = (entry: AuditEntry) => auditOrRefuse(deps.audit, entry, (line) => deps.log(`spend: ${line}`));
  const range = (c: Context) => {
    const parsed = RANGE.safeParse({ from: c.req.query('from'), to: c.req.query('to') });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AuthError(400, `${issue.path.join('.') || 'range'}: ${issue.message}`);
    }
    return parsed.data;
  };

  /** The rows of the request, validated all or nothing. */
  const readImport = async (c: Context): Promise<SpendRow[]> => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    try {
      if (type === 'text/csv') {
        const opts: SpendImportOptions = { map: parsePairs(c.req.query('map'), 'map'), defaults: parsePairs(c.req.query('defaults'), 'defaults') };
        return parseSpendCsv(await c.req.text(), opts);
      }
      if (type === 'application/json') {
        let raw: unknown;
        try {
          raw = parseClientJson(await c.req.text());
        } catch {
          throw new AuthError(400, 'body is not valid JSON');
        }
        const parsed = JSON_IMPORT.safeParse(raw);
        if (!parsed.success) throw new AuthError(400, `body: ${parsed.error.issues[0]!.path.join('.') || 'rows'}: ${parsed.error.issues[0]!.message}`);
        return parseSpendJson(parsed.data, { map: parsed.data.map, defaults: parsed.data.defaults });
      }
    } catch (err) {
      if (err instanceof SpendImportError) throw new AuthError(400, err.message);
      throw err;
    }
    throw new AuthError(415, 'send text/csv (a header row, then one row per day and campaign) or application/json {"rows":[...]}');
  };

  app.post(
    '/:site/ad-spend',
    requires('site-settings:write'),
    bodyLimit({ maxSize: MAX_SPEND_BODY_BYTES, onError: (c) => c.json({ error: `an import is at most ${MAX_SPEND_BODY_BYTES / 1024 / 1024} MB; split the file` }, 413) }),
    async (c) => {
      const site = await siteOf(c);
      const rows = await readImport(c);
      const days = rows.map((r) => r.day).sort();
      const existing = new Set((await listSpend(deps.store, site.domain, days[0]!, days.at(-1)!)).map(spendKey));
      const summary = importSummary(rows, existing);
      if (c.req.query('dry_run') === 'true') return c.json({ dry_run: true, ...summary });
      await audit({ ...actorOf(c.get('principal')!), action: 'spend.import', outcome: 'ok', status: 200, detail: `${rows.length} spend row(s), ${summary.from}..${summary.to}, on ${site.domain}` });
      await saveSpend(deps.store, site.domain, rows, deps.now());
      deps.changed?.(site.domain);
      return c.json(summary);
    },
  );

  app.get('/:site/ad-spend', requires('site-settings:write'), async (c) => {
    const site = await siteOf(c);
    const { from, to } = range(c);
    const rows = await listSpend(deps.store, site.domain, from, to);
    return c.json({
      rows: rows.map((r) => ({ date: r.day, utm_source: r.utmSource, utm_campaign: r.utmCampaign, utm_medium: r.utmMedium, spend: r.amount, currency: r.currency, clicks: r.clicks, impressions: r.impressions })),
    });
  });

  app.delete('/:site/ad-spend', requires('site-settings:write'), async (c) => {
    const site = await siteOf(c);
    const { from, to } = range(c);
    if (addDays(from, 366 * 5) < to) throw new AuthError(400, 'to: at most five years at once');
    const rows = await listSpend(deps.store, site.domain, from, to);
    await audit({ ...actorOf(c.get('principal')!), action: 'spend.delete', outcome: 'ok', status: 200, detail: `${rows.length} spend row(s), ${from}..${to}, on ${site.domain}` });
    await saveSpend(deps.store, site.domain, rows, deps.now(), true);
    deps.changed?.(site.domain);
    return c.json({ deleted: rows.length, from, to });
  });

  return app;
}
