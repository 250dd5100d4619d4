// UTM fields from the landing page's query string, cleaned so they are safe and stable cube keys.
import type { Utm } from './types.js';

/**
 * Longest UTM value kept, in UTF-16 code units. Real campaign tags are far shorter; the cap stops a
 * hostile URL from turning one beacon into a huge cube key.
 */
export const UTM_MAX_LENGTH = 200;

/**
 * Where utm_source may also come from, in order. Like Plausible, "source" and "ref" (used by
 * Product Hunt, newsletters, link-in-bio tools) count as utm_source when utm_source is absent.
 */
const SOURCE_PARAMS = ['utm_source', 'source', 'ref'] as const;

// C0/C1 control characters: never meaningful in a tag, and they break logs and CSV exports.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Trimmed, control characters removed, capped at UTM_MAX_LENGTH without splitting a surrogate pair. */
export function cleanUtmValue(raw: string | null): string {
  if (raw === null) return '';
  let v = raw.replace(CONTROL_CHARS, '').trim();
  if (v.length > UTM_MAX_LENGTH) {
    let end = UTM_MAX_LENGTH;
    const last = v.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end -= 1; // would cut a pair in half
    v = v.slice(0, end).trimEnd();
  }
  return v;
}

/**
 * The five UTM fields of a page URL; '' when absent.
 *
 * Case: utm_source and utm_medium are lower-cased, because they are vocabularies ("Facebook" and
 * "facebook" are one source, "CPC" and "cpc" one medium) and the channel rules compare them.
 * utm_campaign, utm_content and utm_term keep their case: they are free text the marketer chose,
 * shown back as written (Plausible and GA4 keep campaign case too). The channel rules that read
 * the campaign lower-case it themselves.
 */
export function parseUtm(pageUrl: URL): Utm {
  const q = pageUrl.searchParams;
  let source = '';
  for (const param of SOURCE_PARAMS) {
    source = cleanUtmValue(lower(q.get(param)));
    if (source !== '') break;
  }
  return {
    source,
    medium: cleanUtmValue(lower(q.get('utm_medium'))),
    campaign: cleanUtmValue(q.get('utm_campaign')),
    content: cleanUtmValue(q.get('utm_content')),
    term: cleanUtmValue(q.get('utm_term')),
  };
}

// Lower-case before capping: lower-casing can lengthen a string ("İ" becomes two code units).
function lower(v: string | null): string | null {
  return v === null ? null : v.toLowerCase();
}
