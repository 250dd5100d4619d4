// /api/v1/sites/{site}/funnels: a site's funnels (2-8 ordered steps, each a goal of the site) and
// their numbers. Changing them is a site setting (`site-settings:write`, admins and marketers, on
// their own sites; audited before it is made); reading them is statistics (`stats:read`).
//
// The numbers come from the funnel_steps cube, which the collector fills at ingestion
// (collector/goals/funnels.ts): per step the unique visitors who reached it in order the same UTC
// day, by the acquisition they had at step 1. Closed days from the day cube, the rest from the
// hour cube, as the Stats API reads every cube (dashboard/server/stats/sql.ts).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { AuditEntry } from '../../../schema/audit-log.ts';
import type { Store } from '../../../schema/client.ts';
import { closedDays } from '../../../schema/day-closings.ts';
import { listFunnels, saveFunnel, MAX_FUNNEL_STEPS, MIN_FUNNEL_STEPS, type Funnel } from '../../../schema/funnels.ts';
import { listGoals, type Goal } from '../../../schema/goals.ts';
import type { Site } from '../../../schema/sites.ts';
import { AuthError, auditOrRefuse, oneAtATime } from '../auth/accounts.ts';
import { requires, siteOfRequest, type AuthEnv } from '../auth/principal.ts';
import { actorOf, body } from '../auth/routes.ts';
import { newId } from '../auth/tokens.ts';
import { DATE_PRESETS, isIsoDate, resolvePreset, type DatePreset } from '../stats/date-range.ts';
import type { QueryPlan } from '../stats/query.ts';
import { buildQuery } from '../stats/sql.ts';

export interface FunnelsRoutesDeps {
  store: Store;
  /** The registered sites (cached by the caller). */
  sites: () => Promise<Site[]>;
  audit: (entry: AuditEntry) => Promise<void>;
  now: () => number;
  log: (line: string) => void;
  /** PRIVACY_MIN_VISITORS: a step with fewer visitors is not shown. */
  privacyMinVisitors: number;
  /** Called after every change of a site's funnels (the collector in this process reloads them). */
  changed?: (site: string) => Promise<void>;
}

/** Funnels per site: the collector checks each event that meets a goal against every funnel of its site. */
export const MAX_FUNNELS_PER_SITE = 20;

const FUNNEL = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
  steps: z
    .array(z.string().min(1, 'must be a goal id').max(64, 'must be a goal id'), { error: `must be a list of ${MIN_FUNNEL_STEPS} to ${MAX_FUNNEL_STEPS} goal ids` })
    .min(MIN_FUNNEL_STEPS, `at least ${MIN_FUNNEL_STEPS} steps`)
    .max(MAX_FUNNEL_STEPS, `at most ${MAX_FUNNEL_STEPS} steps`)
    .refine((s) => new Set(s).size === s.length, 'each goal at most once'),
});

/** Filters the stats endpoint takes, as query parameters, and the cube column each narrows. */
const FILTERS = ['utm_campaign', 'source', 'channel'] as const;

const goalName = (goals: Map<string, Goal>, id: string) => goals.get(id)?.displayName ?? '(deleted goal)';

/** A funnel as the API shows it. */
function publicFunnel(f: Funnel, goals: Map<string, Goal>) {
  const created = new Date(f.createdAt).toISOString();
  return {
    id: f.id,
    name: f.name,
    steps: f.stepGoalIds.map((id, i) => ({ step: i + 1, goal_id: id, goal: goalName(goals, id) })),
    created_at: created,
    // Counted at ingestion: nothing before the funnel existed.
    counting_since: created,
  };
}

const pct = (n: number, of: number) => (of > 0 ? Math.round((10_000 * n) / of) / 100 : 0);

export function funnelsRoutes(deps: FunnelsRoutesDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  /** Funnel creations run one at a time, so two at once cannot both take one name. */
  const creating = oneAtATime();

  /** The site of the path, if the caller may see it; otherwise 404 as for a site that does not exist. */
  const siteOf = siteOfRequest(deps.sites);
  const goalsOf = async (site: string) => new Map((await listGoals(deps.store, site)).map((g) => [g.id, g]));
  const funnelOf = async (site: Site, id: string): Promise<Funnel> => {
    const funnel = (await listFunnels(deps.store, site.domain)).find((f) => f.id === id);
    if (!funnel) throw new AuthError(404, 'no such funnel on this site');
    return funnel;
  };

  const audit = (entry: AuditEntry) => auditOrRefuse(deps.audit, entry, (line) => deps.log(`funnels: ${line}`));

  const changed = async (site: string) => {
    try {
      await deps.changed?.(site);
    } catch (err) {
      // The collector picks the change up at its next refresh (GOALS_REFRESH_MS) anyway.
      deps.log(`funnels: the collector could not reload funnels now: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  app.get('/:site/funnels', requires('stats:read', 'site-settings:write'), async (c) => {
    const site = await siteOf(c);
    const goals = await goalsOf(site.domain);
    return c.json({ funnels: (await listFunnels(deps.store, site.domain)).map((f) => publicFunnel(f, goals)) });
  });

  app.post('/:site/funnels', requires('site-settings:write'), async (c) => {
    const site = await siteOf(c);
    const input = await body(c, FUNNEL);
    const make = async () => {
      const goals = await goalsOf(site.domain);
      const unknown = input.steps.findIndex((id) => !goals.has(id));
      if (unknown >= 0) throw new AuthError(400, `steps.${unknown}: no goal "${input.steps[unknown]!.slice(0, 64)}" on ${site.domain}`);
      const existing = await listFunnels(deps.store, site.domain);
      if (existing.some((f) => f.name.toLowerCase() === input.name.toLowerCase())) {
        throw new AuthError(409, `name: a funnel named "${input.name}" exists already on ${site.domain}`);
      }
      if (existing.length >= MAX_FUNNELS_PER_SITE) throw new AuthError(409, `a site has at most ${MAX_FUNNELS_PER_SITE} funnels; delete one first`);
      const funnel: Funnel = { site: site.domain, id: newId('f'), name: input.name, stepGoalIds: input.steps, createdAt: deps.now() };
      await audit({ ...actorOf(c.get('principal')!), action: 'funnel.create', outcome: 'ok', status: 201, detail: `funnel ${funnel.id} (${funnel.stepGoalIds.length} steps) on ${site.domain}` });
      await saveFunnel(deps.store, funnel);
      await changed(site.domain);
      return { funnel, goals };
    };
    const { funnel, goals } = await creating(make);
    return c.json({ funnel: publicFunnel(funnel, goals) }, 201);
  });

  app.delete('/:site/funnels/:id', requires('site-settings:write'), async (c) => {
    const site = await siteOf(c);
    const funnel = await funnelOf(site, c.req.param('id'));
    await audit({ ...actorOf(c.get('principal')!), action: 'funnel.delete', outcome: 'ok', status: 200, detail: `funnel ${funnel.id} on ${site.domain}` });
    await saveFunnel(deps.store, funnel, true);
    await changed(site.domain);
    return c.json({ deleted: true });
  });

  app.get('/:site/funnels/:id/stats', requires('stats:read'), async (c) => {
    const site = await siteOf(c);
    const funnel = await funnelOf(site, c.req.param('id'));
    const range = dateRange(c, site, deps.now());
    const filters: Array<[column: string, value: string]> = [];
    for (const name of FILTERS) {
      const value = c.req.query(name);
      if (value !== undefined) filters.push([name, value]);
    }
    const counts = await stepVisitors(deps.store, site, funnel.id, range, filters);
    const k = deps.privacyMinVisitors;
    // A step reached by 1..k-1 visitors is not shown, nor anything it could be worked out from
    // (a step nobody reached is no group of visitors: 0 is shown).
    const shown = funnel.stepGoalIds.map((_, i) => {
      const n = counts.get(i + 1) ?? 0;
      return n > 0 && n < k ? null : n;
    });
    const goals = await goalsOf(site.domain);
    const steps = funnel.stepGoalIds.map((id, i) => {
      const visitors = shown[i]!;
      const first = shown[0]!;
      const previous = i === 0 ? visitors : shown[i - 1]!;
      const known = (...xs: Array<number | null>) => xs.every((x) => x !== null);
      return {
        step: i + 1,
        goal: goalName(goals, id),
        visitors,
        // Visitors of the previous step who did not reach this one (0 at step 1).
        dropoff: i === 0 ? (visitors === null ? null : 0) : known(previous, visitors) ? previous! - visitors! : null,
        conversion_rate_from_first: known(first, visitors) ? pct(visitors!, first!) : null,
        conversion_rate_from_previous: known(previous, visitors) ? pct(visitors!, previous!) : null,
      };
    });
    return c.json({
      funnel: publicFunnel(funnel, goals),
      date_range: [range.from, range.to],
      filters: Object.fromEntries(filters),
      steps,
      counting_since: new Date(funnel.createdAt).toISOString(),
      ...(shown.includes(null) ? { note: `steps reached by fewer than ${k} visitors are not shown (null), nor the drop-off and rates they would reveal (PRIVACY_MIN_VISITORS)` } : {}),
    });
  });

  return app;
}

/** date_range=<preset> (default 30d), or from=YYYY-MM-DD&to=YYYY-MM-DD; local days of the site. */
function dateRange(c: Context<AuthEnv>, site: Site, now: number): { from: string; to: string } {
  const from = c.req.query('from');
  const to = c.req.query('to');
  if (from !== undefined || to !== undefined) {
    if (!from || !isIsoDate(from)) throw new AuthError(400, 'from: a date such as 2026-11-01 (with to)');
    if (!to || !isIsoDate(to)) throw new AuthError(400, 'to: a date such as 2026-11-30 (with from)');
    if (from > to) throw new AuthError(400, 'from: must not be after to');
    return { from, to };
  }
  const preset = c.req.query('date_range') ?? '30d';
  if (preset === 'realtime' || !(DATE_PRESETS as readonly string[]).includes(preset)) {
    throw new AuthError(400, `date_range: one of ${DATE_PRESETS.filter((p) => p !== 'realtime').join(', ')}, or from and to`);
  }
  const r = resolvePreset(preset as DatePreset, site.timezone, now);
  return { from: r.from, to: r.to };
}

/**
 * Unique visitors per step over the range, through the Stats API's own SQL builder (closed local
 * days from the day cube, the rest from the hour cube). k = 1: the caller hides small steps itself.
 * Filter columns come from FILTERS only; values travel as parameters.
 */
async function stepVisitors(store: Store, site: Site, funnelId: string, range: { from: string; to: string }, filters: Array<[string, string]>): Promise<Map<number, number>> {
  const closed = await closedDays(store, site.domain, range.from, range.to);
  const plan: QueryPlan = {
    site: site.domain,
    timeZone: site.timezone,
    metrics: ['visitors'],
    cube: 'funnel_steps',
    grain: 'day',
    range,
    dimensions: ['step'],
    dimensionColumns: [{ name: 'step', column: 'step' }],
    filters: ([['funnel_id', funnelId], ...filters] as Array<[string, string]>).map(([column, value]) => ({ op: 'is' as const, dimension: column, column, values: [value] })),
    orderBy: [],
    limit: MAX_FUNNEL_STEPS,
    offset: 0,
    warnings: [],
  };
  const built = buildQuery(store, plan, 1, closed);
  const rs = await store.client.query({ query: built.sql, query_params: built.params, format: 'JSONEachRow' });
  return new Map((await rs.json<{ o0: string; m_visitors: string | number }>()).map((r) => [Number(r.o0), Number(r.m_visitors)]));
}
