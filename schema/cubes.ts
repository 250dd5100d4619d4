// The cubes, as the code sees them. Migrations 002, 003 and 007 hold the frozen DDL; a test checks that
// these definitions and the live tables agree, so the flusher and the Stats API can rely on them.

export type CubeName = 'acquisition' | 'pages' | 'entry_pages' | 'tech' | 'event_names';
export type Grain = 'minute' | 'hour' | 'day';

/** Where a visit came from; the visit cube of that name, and the custom-event cube, hold them. */
const ACQUISITION_DIMENSIONS = ['source', 'channel', 'referrer_host', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'] as const;

/** Dimension columns per cube, in table order. */
export const CUBE_DIMENSIONS = {
  acquisition: ACQUISITION_DIMENSIONS,
  pages: ['path'],
  entry_pages: ['entry_page'],
  tech: ['device', 'browser', 'os'],
  // Custom events by name and the acquisition they are credited to (collector/goals/).
  event_names: ['name', ...ACQUISITION_DIMENSIONS],
} as const satisfies Record<CubeName, readonly string[]>;

export type CubeDimension<C extends CubeName> = (typeof CUBE_DIMENSIONS)[C][number];

export const CUBE_NAMES = Object.keys(CUBE_DIMENSIONS) as CubeName[];

/** Summed counters every ingest row carries (visitors travel as the row's visitor_key). */
export const COUNTERS = ['pageviews', 'events', 'visits', 'bounces', 'duration'] as const;
export type Counter = (typeof COUNTERS)[number];

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
