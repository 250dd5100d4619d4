// English country names for visit:country_name, from Node's own ICU data (Intl.DisplayNames):
// no data file to ship or keep fresh. The table covers every two-letter region code ICU names,
// worked out once at start (676 candidates, a few hundred names).
const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** ISO 3166-1 alpha-2 codes (and the few user-assigned ones databases use, e.g. XK) with their English names. */
export const COUNTRY_CODES: readonly string[] = [...LETTERS].flatMap((a) => [...LETTERS].map((b) => a + b)).filter((code) => names.of(code) !== undefined);
export const COUNTRY_NAMES: readonly string[] = COUNTRY_CODES.map((code) => names.of(code)!);

/** What an unknown country reads as, for both visit:country and visit:country_name (as Plausible says it). */
export const NOT_SET = '(not set)';
