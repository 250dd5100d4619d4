// Source lookup: referrer host, Android app or utm_source -> a named source and its category.
// The rows live in tables/sources.ts; this module indexes them once at load time and answers
// each beacon with a few Map lookups (one per host label).
import {
  PAID_SOURCE_ALIASES,
  SECOND_LEVEL_LABELS,
  SOURCES,
  type SourceCategory,
} from './tables/sources.js';

export type { SourceCategory } from './tables/sources.js';

export interface SourceEntry {
  name: string;
  category: SourceCategory;
}

export interface UtmSourceMatch {
  /** Canonical name when our tables know the source, else the utm_source value as given. */
  name: string;
  /** null when our tables do not know the source. */
  category: SourceCategory | null;
  /** The spelling itself says the click was bought ("fb-ads", "google_ads", "adwords"). */
  paid: boolean;
}

// ---- indexes, built once ---------------------------------------------------------------------

const byHost = new Map<string, SourceEntry>();
/** "google" -> Google for the "google.*" rows, keyed without the ".*". */
const byHostAnyTld = new Map<string, SourceEntry>();
const byApp = new Map<string, SourceEntry>();
/** Lower-cased names and aliases; the first row with a name decides its category. */
const byName = new Map<string, SourceEntry>();

for (const row of SOURCES) {
  const entry: SourceEntry = { name: row.name, category: row.category };
  for (const host of row.hosts) {
    if (host.endsWith('.*')) byHostAnyTld.set(host.slice(0, -2), entry);
    else byHost.set(host, entry);
  }
  for (const app of row.apps ?? []) byApp.set(app.toLowerCase(), entry);
  for (const alias of [row.name, ...(row.aliases ?? [])]) {
    const key = alias.toLowerCase();
    if (!byName.has(key)) byName.set(key, entry);
  }
}

// ---- host lookup -------------------------------------------------------------------------------

/** Lower case, no trailing dot, no leading "www." (the same site as without it). */
export function normalizeHost(host: string): string {
  let h = host.toLowerCase();
  if (h.endsWith('.')) h = h.slice(0, -1);
  if (h.startsWith('www.')) h = h.slice(4);
  return h;
}

/** How many trailing labels are the public suffix ("co.uk" -> 2, "de" -> 1); see SECOND_LEVEL_LABELS. */
function publicSuffixLength(labels: readonly string[]): number {
  const n = labels.length;
  const last = labels[n - 1] ?? '';
  const secondLast = labels[n - 2] ?? '';
  return n >= 3 && last.length === 2 && SECOND_LEVEL_LABELS.has(secondLast) ? 2 : 1;
}

/**
 * The most specific row for a host: walk from the full host towards its parent domains, trying at
 * each level the exact host and then the same name under any public suffix ("mail.yahoo.*").
 */
function lookupHost(host: string): SourceEntry | null {
  const labels = host.split('.');
  const suffixLength = publicSuffixLength(labels);
  for (let i = 0; i < labels.length; i++) {
    const exact = byHost.get(labels.slice(i).join('.'));
    if (exact) return exact;
    const nameLabels = labels.length - suffixLength - i;
    if (nameLabels > 0) {
      const anyTld = byHostAnyTld.get(labels.slice(i, i + nameLabels).join('.'));
      if (anyTld) return anyTld;
    }
  }
  return null;
}

/**
 * United Internet webmails (GMX, WEB.DE, 1&1, mail.com) send outbound clicks through
 * "deref-<brand>[-NN].<tld>" dereferrers: "deref-gmx.net" is GMX, "deref-1und1-02.de" is 1&1.
 */
const DEREFERRER = /^deref-([a-z0-9-]+?)(?:-\d+)?\.([a-z.]+)$/;

/** The known source behind a (normalized) referrer host, or null. */
export function sourceForHost(host: string): SourceEntry | null {
  const h = normalizeHost(host);
  if (h === '') return null;
  const found = lookupHost(h);
  if (found) return found;
  const deref = DEREFERRER.exec(h);
  return deref ? lookupHost(`${deref[1]}.${deref[2]}`) : null;
}

/** The known source behind an android-app://<package> referrer, or null. */
export function sourceForApp(packageName: string): SourceEntry | null {
  return byApp.get(packageName.toLowerCase()) ?? null;
}

/**
 * Name shown for a referrer host our tables do not know: the host without "www." and without the
 * mobile/link-shim prefixes ("m.", "l.", "lm.") that only split one site into several rows.
 */
const SAME_SITE_PREFIX = /^(?:m|l|lm|mobile)\./;

export function fallbackSourceName(host: string): string {
  const h = normalizeHost(host);
  const stripped = h.replace(SAME_SITE_PREFIX, '');
  return stripped !== h && stripped.includes('.') ? stripped : h;
}

// ---- names and utm_source ---------------------------------------------------------------------

/** A canonical source name or alias ("Google", "fb", "Youtube") -> its entry, case-insensitively. */
export function sourceForName(name: string): SourceEntry | null {
  const key = name.trim().toLowerCase();
  return byName.get(key) ?? null;
}

/** "<source>-ads", "<source>_ad", "<source>ads": a source tagged as bought. */
const PAID_SUFFIX = /^(.+?)[-_ .]?ads?$/;
/** Looks like a host name ("chatgpt.com", "news.ycombinator.com"). */
const HOST_LIKE = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

function sourceForSpelling(value: string): SourceEntry | null {
  return sourceForName(value) ?? (HOST_LIKE.test(value) ? sourceForHost(value) : null);
}

/**
 * Resolve a utm_source value (already trimmed and lower-cased by utm.ts). Known spellings map to
 * the canonical name; unknown ones keep their own value so campaigns stay distinguishable.
 */
export function sourceForUtm(value: string): UtmSourceMatch {
  const v = value.toLowerCase();
  const known = sourceForSpelling(v);
  if (known) return { name: known.name, category: known.category, paid: false };

  const paidAlias = PAID_SOURCE_ALIASES.get(v);
  const paidEntry = paidAlias ? sourceForName(paidAlias) : null;
  if (paidEntry) return { name: paidEntry.name, category: paidEntry.category, paid: true };

  // Only when the rest is a source we know: "ipad" is not "ip" + "ad".
  const suffixed = PAID_SUFFIX.exec(v);
  const base = suffixed?.[1] ? sourceForSpelling(suffixed[1]) : null;
  if (base) return { name: base.name, category: base.category, paid: true };

  return { name: value, category: null, paid: false };
}
