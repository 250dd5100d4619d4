// How many distinct values of each client-chosen dimension a site keeps per UTC day: the one table
// the collector (collector/cardinality/caps.ts, goals/event-names.ts, goals/prop-values.ts), the
// README's "Cardinality limits" table and test/unit/cardinality-doc.test.ts all read.
//
// Why per UTC day: it is the period the visitor-key salt already lives for (visits, attribution
// and funnels all restart at UTC midnight), so every set is dropped at one known moment; a site's
// local day can therefore see up to twice a limit (two UTC days), still bounded.
//
// How the numbers were chosen: a busy real site stays well under each one (so nothing real folds),
// while a flood of made-up values stops there. Paths are already redacted (ids become ":id") and
// the read side folds groups under PRIVACY_MIN_VISITORS anyway, so a day's ten-thousand-and-first
// distinct page is almost surely a one-visitor row that would never have been shown on its own.
// `maxChars` is the longest value the upstream module lets through (cut or refused before here;
// prop values excepted, see below); a longer value folds, so the memory bound below holds
// whatever a client sends.

export interface CardinalityLimit {
  /** Distinct values kept per site (per site and key for prop_value) and UTC day; past it, "(other)". */
  perDay: number;
  /** Longest value (UTF-16 code units) the cap set may hold; a longer one folds. */
  maxChars: number;
  /** Why this many: shown in the README. */
  why: string;
}

export const CARDINALITY_LIMITS = {
  path: {
    perDay: 10_000,
    maxChars: 512,
    // Lands in: pages.path (pages, exit pages), entry_pages.entry_page, event_entry_pages.entry_page.
    why: 'a shop or news site views a few thousand distinct (redacted) pages a day',
  },
  referrer_host: {
    perDay: 2_000,
    maxChars: 253,
    // Lands in: acquisition / event_names referrer_host.
    why: 'busy sites see hundreds of referring hosts a day; 253 is the longest DNS name',
  },
  source: {
    perDay: 2_000,
    maxChars: 253,
    // Lands in: acquisition / event_names / funnel_steps source (sources our tables know always pass).
    why: 'one per referring host or utm_source at most',
  },
  utm_source: { perDay: 500, maxChars: 200, why: 'a marketing team tags a few dozen sources' },
  utm_medium: { perDay: 200, maxChars: 200, why: 'media are a short vocabulary (cpc, email, social...)' },
  utm_campaign: {
    perDay: 1_000,
    maxChars: 200,
    // Lands in: acquisition / event_names / funnel_steps utm_campaign.
    why: 'a few hundred live campaigns, with headroom',
  },
  utm_content: { perDay: 1_000, maxChars: 200, why: 'a few ad variants per campaign' },
  utm_term: { perDay: 2_000, maxChars: 200, why: 'paid-search keywords run into the hundreds or low thousands' },
  browser: {
    perDay: 300,
    maxChars: 500,
    // Lands in: tech / event_tech browser (the families we name always pass).
    why: 'ua-parser-js knows about 200 browsers; names it copies from a user agent can be made up',
  },
  os: {
    perDay: 200,
    maxChars: 500,
    // Lands in: tech / event_tech os (the families we name always pass).
    why: 'ua-parser-js knows fewer than 100 operating systems',
  },
  event_name: {
    perDay: 1_000,
    maxChars: 120,
    // Lands in: event_names / event_tech / event_entry_pages / event_props name.
    why: 'sites send tens of custom event names, rarely hundreds',
  },
  prop_value: {
    perDay: 1_000,
    // Beacons may carry 2,000 characters; a longer value than this is free text (a comment, a
    // URL), not a category worth counting, and would make this set the bulk of the memory bound.
    maxChars: 300,
    // Lands in: event_props prop_value, per allowed key (at most 30 keys a site).
    why: 'a plan, a variant, a category: tens of values, rarely hundreds; a longer value is free text',
  },
} as const satisfies Record<string, CardinalityLimit>;

export type CappedDimension = keyof typeof CARDINALITY_LIMITS;

export const CAPPED_DIMENSIONS = Object.keys(CARDINALITY_LIMITS) as CappedDimension[];

/** Most allowed prop keys a site has (MAX_ALLOWED_PROPS of dashboard/server/goals; a test keeps them equal): prop_value sets exist per key. */
export const MAX_PROP_KEYS_PER_SITE = 30;

/**
 * Bytes one held value costs beyond its characters, rounded up: in V8 a string header (16-24
 * bytes, 8-aligned) and the Set's hash-table slot (about 24 bytes at its load factor).
 */
export const BYTES_PER_VALUE_OVERHEAD = 64;

/**
 * The most memory the cap sets of one site can hold in a day: every set full of values of the
 * longest length, two bytes a character (a one-byte string takes half).
 */
export function worstCaseBytesPerSite(): number {
  let bytes = 0;
  for (const d of CAPPED_DIMENSIONS) {
    const { perDay, maxChars } = CARDINALITY_LIMITS[d];
    bytes += (d === 'prop_value' ? MAX_PROP_KEYS_PER_SITE : 1) * perDay * (2 * maxChars + BYTES_PER_VALUE_OVERHEAD);
  }
  return bytes;
}
