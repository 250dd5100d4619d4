// /api/v1/sites/{site}/goals and /api/v1/sites/{site}/props: a site's goals (event, page and
// scroll goals, as in Plausible) and the prop keys it allows to be aggregated. For admins and
// marketers (`site-settings:write`), by session or key, on their own sites only; every change is
// audited before it is made.
import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditEntry } from '../../../schema/audit-log.ts';
import type { Store } from '../../../schema/client.ts';
import { isCurrency } from '../../../schema/money.ts';
import { countedAtIngestion, listGoals, saveGoal, allowedProps, setAllowedProps, type Goal } from '../../../schema/goals.ts';
import type { Site } from '../../../schema/sites.ts';
import { pathPatternProblem } from '../../../collector/goals/path-pattern.ts';
import { AuthError, auditOrRefuse, oneAtATime } from '../auth/accounts.ts';
import { requires, siteOfRequest, type AuthEnv } from '../auth/principal.ts';
import { actorOf, body } from '../auth/routes.ts';
import { newId } from '../auth/tokens.ts';

export interface GoalsRoutesDeps {
  store: Store;
  /** The registered sites (cached by the caller). */
  sites: () => Promise<Site[]>;
  audit: (entry: AuditEntry) => Promise<void>;
  now: () => number;
  log: (line: string) => void;
  /** Called after every change of a site's goals or allowed props (caches drop them; the collector in this process reloads them). */
  changed?: (site: string) => Promise<void>;
}

/** Names that are not custom events: pageviews and Plausible's engagement events. */
const NOT_CUSTOM = new Set(['pageview', 'engagement']);
export const MAX_GOAL_PROPS = 3;
/** Goals per site: the collector evaluates page and scroll goals per event, so they stay few. */
export const MAX_GOALS_PER_SITE = 100;
export const MAX_ALLOWED_PROPS = 30;

const displayName = z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters').optional();
const path = z.string().superRefine((p, ctx) => {
  const problem = pathPatternProblem(p);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const GOAL = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('event'),
      event_name: z
        .string()
        .trim()
        .min(1, 'is required')
        .max(120, 'must be at most 120 characters')
        .refine((n) => !NOT_CUSTOM.has(n), 'pageview and engagement are not custom events; use a page goal for a page'),
      props: z
        .record(z.string().min(1).max(300), z.string().max(2000))
        .refine((o) => Object.keys(o).length <= MAX_GOAL_PROPS, `at most ${MAX_GOAL_PROPS} prop conditions`)
        .optional(),
      currency: z
        .string()
        .transform((c) => c.toUpperCase())
        .refine(isCurrency, 'an ISO 4217 currency code such as EUR or USD')
        .optional(),
      display_name: displayName,
    }),
    z.object({ type: z.literal('page'), path, display_name: displayName }),
    z.object({
      type: z.literal('scroll'),
      path,
      threshold: z.number().int('must be a whole number').min(1, 'from 1 to 100').max(100, 'from 1 to 100'),
      display_name: displayName,
    }),
  ],
  { error: 'one of event, page, scroll' },
);
const PROPS = z.object({
  allowed: z.array(z.string().trim().min(1, 'keys must not be empty').max(300, 'keys must be at most 300 characters')).max(MAX_ALLOWED_PROPS, `at most ${MAX_ALLOWED_PROPS} keys`),
});

/** A goal as the API shows it. */
export function publicGoal(g: Goal) {
  const created = new Date(g.createdAt).toISOString();
  return {
    id: g.id,
    type: g.type,
    display_name: g.displayName,
    ...(g.type === 'event' ? { event_name: g.eventName, props: g.props, currency: g.currency || null } : { path: g.path }),
    ...(g.type === 'scroll' ? { threshold: g.threshold } : {}),
    created_at: created,
    // Event goals without prop conditions count over the event history; the others only since
    // they were made (the aggregates of the past do not cross pages, scroll or props with visits).
    counting_since: countedAtIngestion(g) ? created : null,
  };
}

/** Plausible's default display names. */
function defaultName(input: z.infer<typeof GOAL>): string {
  if (input.type === 'event') return input.event_name;
  if (input.type === 'page') return `Visit ${input.path}`;
  return `Scroll ${input.threshold}% on ${input.path}`;
}

export function goalsRoutes(deps: GoalsRoutesDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  /** Goal creations run one at a time, so two at once cannot both take one display name. */
  const creating = oneAtATime();

  /** The site of the path, if the caller may see it; otherwise 404 as for a site that does not exist. */
  const siteOf = siteOfRequest(deps.sites);

  const audit = (entry: AuditEntry) => auditOrRefuse(deps.audit, entry, (line) => deps.log(`goals: ${line}`));

  const changed = async (site: string) => {
    try {
      await deps.changed?.(site);
    } catch (err) {
      // The collector picks the change up at its next refresh (GOALS_REFRESH_MS) anyway.
      deps.log(`goals: the collector could not reload goals now: ${err instanceof Error ? err.message : String(err)}`);
    }
  };

  // Reading the goals is statistics (the dashboard shows them to every reader of the site) and
  // part of managing them (a site-settings key lists before it deletes); changing them is a site setting.
  app.get('/:site/goals', requires('stats:read', 'site-settings:write'), async (c) => {
    const site = await siteOf(c);
    return c.json({ goals: (await listGoals(deps.store, site.domain)).map(publicGoal) });
  });

  app.post('/:site/goals', requires('site-settings:write'), async (c) => {
    const site = await siteOf(c);
    const input = await body(c, GOAL);
    const make = async () => {
      const name = input.display_name ?? defaultName(input);
      const existing = await listGoals(deps.store, site.domain);
      if (existing.some((g) => g.displayName.toLowerCase() === name.toLowerCase())) {
        throw new AuthError(409, `display_name: a goal named "${name}" exists already on ${site.domain}`);
      }
      if (existing.length >= MAX_GOALS_PER_SITE) throw new AuthError(409, `a site has at most ${MAX_GOALS_PER_SITE} goals; delete one first`);
      // Over the event history, one event name is one goal (a second would count the same events).
      const twin = input.type === 'event' && !Object.keys(input.props ?? {}).length && existing.find((g) => g.type === 'event' && g.eventName === input.event_name && !Object.keys(g.props).length);
      if (twin) throw new AuthError(409, `event_name: the goal "${twin.displayName}" counts the event "${input.event_name}" already`);
      const goal: Goal = {
        site: site.domain,
        id: newId('g'),
        type: input.type,
        displayName: name,
        eventName: input.type === 'event' ? input.event_name : '',
        props: input.type === 'event' ? (input.props ?? {}) : {},
        path: input.type === 'event' ? '' : input.path,
        threshold: input.type === 'scroll' ? input.threshold : 0,
        currency: input.type === 'event' ? (input.currency ?? '') : '',
        createdAt: deps.now(),
      };
      await audit({ ...actorOf(c.get('principal')!), action: 'goal.create', outcome: 'ok', status: 201, detail: `goal ${goal.id} (${goal.type}) on ${site.domain}` });
      await saveGoal(deps.store, goal);
      await changed(site.domain);
      return goal;
    };
    return c.json({ goal: publicGoal(await creating(make)) }, 201);
  });

  app.delete('/:site/goals/:id', requires('site-settings:write'), async (c) => {
    const site = await siteOf(c);
    const goal = (await listGoals(deps.store, site.domain)).find((g) => g.id === c.req.param('id'));
    if (!goal) throw new AuthError(404, 'no such goal on this site');
    await audit({ ...actorOf(c.get('principal')!), action: 'goal.delete', outcome: 'ok', status: 200, detail: `goal ${goal.id} (${goal.type}) on ${site.domain}` });
    await saveGoal(deps.store, goal, true);
    await changed(site.domain);
    return c.json({ deleted: true });
  });

  app.get('/:site/props', requires('site-settings:write'), async (c) => {
    const site = await siteOf(c);
    return c.json({ allowed: await allowedProps(deps.store, site.domain) });
  });

  app.put('/:site/props', requires('site-settings:write'), async (c) => {
    const site = await siteOf(c);
    const { allowed } = await body(c, PROPS);
    const keys = [...new Set(allowed)];
    await audit({ ...actorOf(c.get('principal')!), action: 'props.allow', outcome: 'ok', status: 200, detail: `${keys.length} prop key(s) allowed on ${site.domain}` });
    await setAllowedProps(deps.store, site.domain, keys, deps.now());
    await changed(site.domain);
    return c.json({ allowed: keys });
  });

  return app;
}
