// The cubes, as the code sees them. Migrations 002, 003, 007, 008, 010, 011 and 012 hold the frozen DDL; a test checks that
// these definitions and the live tables agree, so the flusher and the Stats API can rely on them.

export type CubeName = 'acquisition' | 'pages' | 'entry_pages' | 'tech' | 'event_names' | 'event_tech' | 'event_entry_pages' | 'event_props' | 'funnel_steps';
export type Grain = 'minute' | 'hour' | 'day';

/** Where a visit came from; the visit cube of that name, and the custom-event cube, hold them. */
const ACQUISITION_DIMENSIONS = ['source', 'channel', 'referrer_host', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] as const;

/** Dimension columns per cube, in table order. */
export const CUBE_DIMENSIONS = {
  // `country`: the visit's ISO 3166-1 alpha-2 code ('' unknown; collector/geo/), held by the
  // acquisition, tech and event_names cubes so it crosses with where visits came from, their
  // device and goals (migration 011 says why these three).
  acquisition: [...ACQUISITION_DIMENSIONS, 'country'],
  pages: ['path'],
  entry_pages: ['entry_page'],
  tech: ['device', 'browser', 'os', 'country'],
  // Custom events (and goal conversions, collector/goals/) by name and the acquisition they are
  // credited to (with the visit's country), by the visit's tech and by its entry page; `currency`
  // is the revenue's ('' for none).
  event_names: ['name', ...ACQUISITION_DIMENSIONS, 'country', 'currency'],
  event_tech: ['name', 'device', 'browser', 'os', 'currency'],
  event_entry_pages: ['name', 'entry_page', 'currency'],
  // The values of the prop keys a site allows, per event name.
  event_props: ['name', 'prop_key', 'prop_value'],
  // Funnel progress (collector/goals/funnels.ts): visitors who reached a step ('1'..'8') in order,
  // by the acquisition they had at step 1.
  funnel_steps: ['funnel_id', 'step', 'source', 'channel', 'utm_campaign'],
} as const satisfies Record<CubeName, readonly string[]>;

export type CubeDimension<C extends CubeName> = (typeof CUBE_DIMENSIONS)[C][number];

export const CUBE_NAMES = Object.keys(CUBE_DIMENSIONS) as CubeName[];

/** Summed counters every ingest row carries (visitors travel as the row's visitor_key). */
export const COUNTERS = ['pageviews', 'events', 'visits', 'bounces', 'duration'] as const;

/**
 * Counters only some cubes carry. The pages cube: engagement (scroll_sum / scroll_visits is the
 * scroll depth, engaged_ms the engaged time) and exits (pageviews that are the last of their
 * visit, booked as +1/-1 as the visit moves on: collector/exit-pages.ts). The event cubes: revenue, an exact Decimal(38, 8)
 * that travels as decimal text (schema/money.ts), never as a float.
 */
const EVENT_COUNTERS = ['revenue'] as const;
export const EXTRA_COUNTERS = {
  acquisition: [],
  pages: ['scroll_sum', 'scroll_visits', 'engaged_ms', 'exits'],
  entry_pages: [],
  tech: [],
  event_names: EVENT_COUNTERS,
  event_tech: EVENT_COUNTERS,
  event_entry_pages: EVENT_COUNTERS,
  event_props: [],
  funnel_steps: [],
} as const satisfies Record<CubeName, readonly string[]>;

export type Counter = (typeof COUNTERS)[number] | (typeof EXTRA_COUNTERS)[CubeName][number];

/** Every counter of a cube, in table order. */
export const cubeCounters = (cube: CubeName): readonly Counter[] => [...COUNTERS, ...EXTRA_COUNTERS[cube]];

export const ingestTable = (cube: CubeName) => `ingest_${cube}`;
export const cubeTable = (cube: CubeName, grain: Grain) => `${cube}_${grain}`;

/** Local days of a site already folded into the day cubes. */
export const DAY_CLOSINGS_TABLE = 'day_closings';

/** Who looked at or erased what in the abuse buffer (schema/audit-log.ts writes it). */
export const AUDIT_LOG_TABLE = 'audit_log';

/** Dashboard accounts (dashboard/server/auth/store.ts reads and writes them). */
export const USERS_TABLE = 'users';
export const LOGIN_SESSIONS_TABLE = 'login_sessions';
export const API_KEYS_TABLE = 'api_keys';

/** Site settings for conversions (dashboard/server/goals writes them, the collector reads them). */
export const GOALS_TABLE = 'goals';
export const SITE_PROPS_TABLE = 'site_props';
/** Funnels of a site (dashboard/server/funnels writes them, the collector reads them). */
export const FUNNELS_TABLE = 'funnels';

/** Imported ad spend per site, day and campaign (dashboard/server/spend writes it, the Stats API reads it). */
export const AD_SPEND_TABLE = 'ad_spend';

/** Shared links of a site, and when each was last used (dashboard/server/share reads and writes them). */
export const SHARED_LINKS_TABLE = 'shared_links';
export const SHARED_LINK_USES_TABLE = 'shared_link_uses';
