// GET /api/v1/sites/{site}/export: the Overview as CSV files in one zip, for the monthly report
// and for scripts (stats:read: a session, a user's key or an operator's stats key).
//
//   ?date_range=30d | 2026-11-01,2026-11-30   (default 30d; the Stats API's presets)
//   &filters=[["is","visit:source",["Google"]]]  (optional, the Stats API's filters as JSON)
//
// One file per card and tab of the Overview, asked exactly as the screen asks (the queries come
// from dashboard/app/lib/panels.ts, which the tables use too), through the same planner and runner
// as POST /api/v2/query: the same numbers, the same k-anonymity ("(other)" rows included). Tables
// go to EXPORT_ROW_LIMIT rows where the screen shows the top 10. Files:
//   about.txt          site, range, filters, privacy threshold, when, and the files' format
//   totals.csv         the headline cards (traffic, or a goal's conversions with a goal filter)
//   visitors.csv       the cards' metrics per day of the range
//   <tab id>.csv       each table: channels, sources, referrers, utm-campaign…, top-pages, goals…
// A tab that cannot answer under the filters (pages or devices under a goal) is left out, as the
// screen shows a note there; about.txt lists what was left out and why.
import { Hono } from 'hono';
import { strToU8, zipSync } from 'fflate';
import { z } from 'zod';
import { CARD_METRICS, overviewTables, tabQuery, type OverviewView } from '../../app/lib/panels.ts';
import type { DateRange, Filter, Query } from '../../app/lib/api.ts';
import { goalFilterOf } from '../../app/lib/cubes.ts';
import type { Principal } from '../auth/principal.ts';
import { requires, siteOfRequest, type AuthEnv } from '../auth/principal.ts';
import type { Site } from '../../../schema/sites.ts';
import type { Goal } from '../../../schema/goals.ts';
import { StatsQueryError } from '../stats/query.ts';
import type { StatsResponse } from '../stats/run.ts';
import { answerToCsv } from './csv.ts';

/** Rows per table in the export (the screen shows 10; the Stats API pages up to 10,000). */
export const EXPORT_ROW_LIMIT = 1000;

export interface ExportRoutesDeps {
  sites: () => Promise<Site[]>;
  /** The Stats API itself: plans and runs one query body for the caller (400s as StatsQueryError). */
  query: (principal: Principal, body: Query) => Promise<StatsResponse>;
  /** The site's goals (for the revenue columns of a goal with a currency). */
  goals: (site: string) => Promise<Goal[]>;
  now: () => number;
}

const PRESET = z.enum(['day', '7d', '30d', 'month', '6mo', '12mo', 'year', 'all']);
const DAY = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const PARAMS = z.object({
  date_range: z
    .string()
    .default('30d')
    .transform((text, ctx): DateRange => {
      const preset = PRESET.safeParse(text);
      if (preset.success) return preset.data;
      const [from, to, ...rest] = text.split(',');
      if (rest.length === 0 && DAY.safeParse(from).success && DAY.safeParse(to).success) return [from!, to!];
      ctx.addIssue({ code: 'custom', message: `a preset (${PRESET.options.join(', ')}) or two dates "YYYY-MM-DD,YYYY-MM-DD"` });
      return z.NEVER;
    }),
  filters: z
    .string()
    .max(10_000)
    .optional()
    .transform((text, ctx): Filter[] => {
      if (text === undefined || text === '') return [];
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) return parsed as Filter[]; // the planner checks each filter and says what is wrong
      } catch {
        // fall through
      }
      ctx.addIssue({ code: 'custom', message: 'a JSON array of Stats API filters, e.g. [["is","visit:source",["Google"]]]' });
      return z.NEVER;
    }),
});

export function exportRoutes(deps: ExportRoutesDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const siteOf = siteOfRequest(deps.sites);

  app.get('/:site/export', requires('stats:read'), async (c) => {
    const site = await siteOf(c);
    const params = PARAMS.safeParse({ date_range: c.req.query('date_range'), filters: c.req.query('filters') });
    if (!params.success) {
      const issue = params.error.issues[0]!;
      return c.json({ error: `${issue.path.join('.')}: ${issue.message}` }, 400);
    }
    const principal = c.get('principal')!;
    const view: OverviewView = { siteId: site.domain, dateRange: params.data.date_range, filters: params.data.filters };
    const goal = goalFilterOf(view.filters);
    const goals = (await deps.goals(site.domain)).filter((g) => g.type === 'event' && g.currency !== '');
    const revenue = { goal: goal !== null && goals.some((g) => g.displayName === goal), anyGoal: goals.length > 0 };
    const cards = [...(goal ? CARD_METRICS.goal : CARD_METRICS.traffic)];
    const ask = (query: Query) => deps.query(principal, query);

    const files: Record<string, Uint8Array> = {};
    const leftOut: string[] = [];
    let totals: StatsResponse;
    try {
      // The totals first: a bad range or filter is one 400, before any other query runs.
      totals = await ask({ site_id: site.domain, metrics: cards, date_range: view.dateRange, filters: view.filters });
    } catch (err) {
      if (err instanceof StatsQueryError) return c.json({ error: err.message }, 400);
      throw err;
    }
    files['totals.csv'] = strToU8(answerToCsv(totals, [], cards));
    const perDay = await ask({ site_id: site.domain, metrics: cards, date_range: view.dateRange, dimensions: ['time:day'], filters: view.filters, order_by: [['time:day', 'asc']], pagination: { limit: 10_000 } });
    files['visitors.csv'] = strToU8(answerToCsv(perDay, ['time:day'], cards));

    for (const tabs of Object.values(overviewTables(goal, revenue))) {
      for (const tab of tabs) {
        const planned = tabQuery(tab, view, EXPORT_ROW_LIMIT);
        if (!planned) {
          leftOut.push(`${tab.id}.csv: ${tab.label} cannot be counted per goal (goals are kept by where visits came from, not by page or device)`);
          continue;
        }
        try {
          const answer = await ask(planned.query);
          files[`${tab.id}.csv`] = strToU8(answerToCsv(answer, [tab.dimension], tab.metrics));
          if (planned.unfiltered) leftOut.push(`${tab.id}.csv: all traffic, without the filters it cannot take (${tab.label} is stored apart from where visits came from)`);
        } catch (err) {
          if (!(err instanceof StatsQueryError)) throw err;
          leftOut.push(`${tab.id}.csv: ${err.message}`);
        }
      }
    }

    const query = totals.query as { date_range: unknown };
    const [from, to] = Array.isArray(query.date_range) ? (query.date_range as string[]) : [String(query.date_range), ''];
    files['about.txt'] = strToU8(
      [
        `telmark export of ${site.domain}`,
        `Date range: ${from} to ${to} (${site.timezone})`,
        `Filters: ${view.filters.length ? JSON.stringify(view.filters) : 'none'}`,
        `Made: ${new Date(deps.now()).toISOString()}`,
        `Privacy: groups of fewer than ${String(totals.meta.privacy_min_visitors)} visitors are folded into "(other)" rows, as on screen.`,
        '',
        'Each CSV: a header row; the dimension (by its Stats API name), then the metrics by their Stats API names.',
        'Money metrics take two columns: <metric> (the amount) and <metric>_currency. An empty cell: nothing to divide by.',
        `Tables hold up to ${EXPORT_ROW_LIMIT} rows.`,
        ...(leftOut.length ? ['', 'Notes:', ...leftOut.map((l) => `- ${l}`)] : []),
        '',
      ].join('\n'),
    );
    // Files are small and CSV compresses well; level 6 is fflate's default trade-off.
    const zip = zipSync(files, { level: 6 });
    const name = `telmark-${site.domain}-${from}-${to}.zip`.replace(/[^A-Za-z0-9._-]/g, '_');
    return c.body(zip, 200, { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${name}"`, 'cache-control': 'no-store' });
  });
  return app;
}
