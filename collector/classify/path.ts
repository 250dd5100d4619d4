// Page path clean-up for the pages cube: the path only (no query string, no fragment), readable
// (percent-decoded), with per-visitor identifiers replaced by ":id", and capped in length.
//
// Why redact: paths like /orders/48213377, /reset/3f2a...e1 or /users/ann@example.com name one
// person or one object. They would be personal data in an aggregate store (privacy promise 2), and
// each would be a cube row of its own, drowning the pages report in rows of one.

/** Longest path kept, in UTF-16 code units. Longer paths are cut (never an error). */
export const PATH_MAX_LENGTH = 512;

/** What an identifier is replaced with. */
export const REDACTED = ':id';

/**
 * Raw paths are cut to this many characters before any work, at a "/" so no identifier is left
 * half-redacted. It bounds the work a hostile URL can cause; the output cap is far smaller anyway.
 */
const RAW_PATH_LIMIT = 8 * PATH_MAX_LENGTH;

/**
 * E-mail addresses anywhere in a segment: always personal data. Part lengths are bounded (RFC 5321
 * limits) so a long segment with a stray "@" cannot make the match quadratic. Only run on segments
 * that contain "@".
 */
const EMAIL = /[a-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,8}\.[a-z]{2,24}/gi;

/**
 * Within a decoded segment, an identifier is:
 * - a UUID (any version, 8-4-4-4-12 hex), or
 * - an alphanumeric run (bounded by anything else: "-", "_", ".", the segment's ends) that
 *   - holds 6+ consecutive digits: row ids, order and phone numbers, timestamps. Up to 5 digits
 *     stays readable: years (/2024/05/), page numbers and small catalogue ids are few and meaningful;
 *   - or holds 16+ consecutive hex characters: 64-bit ids, hashes, API tokens. No word is 16
 *     letters of a-f, while shorter runs hit real words ("decade", "facade", "c0ffee");
 *   - or is 20+ characters of letters *and* digits: base62/base64url share, session and reset
 *     tokens. Real slugs are split by "-" into short words long before 20 characters.
 * The whole run goes, so "abc1234567" (an id with a prefix) leaves nothing behind, while
 * "2024-05-01" (three short runs) stays.
 */
const IDENTIFIER = new RegExp(
  [
    String.raw`(?<![a-z0-9])[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?![a-z0-9])`,
    String.raw`(?<![a-z0-9])(?:(?=[a-z0-9]*[0-9]{6})|(?=[a-z0-9]*[0-9a-f]{16})|(?=[a-z0-9]{20})(?=[a-z0-9]*[0-9])(?=[a-z0-9]*[a-z]))[a-z0-9]+`,
  ].join('|'),
  'gi',
);

/** Runs of escapes, decoded one run at a time when the whole segment will not decode. */
const ESCAPE_RUN = /(?:%[0-9a-f]{2})+/gi;

/**
 * Decoded characters that would change the path's meaning ("/", "?", "#", a literal "%") or break
 * logs, CSV and display (controls, line separators, bidi overrides): written back escaped.
 */
const UNSAFE_CHARS = /[%/?#\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function tryDecode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/**
 * Percent-decode one segment without ever throwing: a malformed escape ("%zz", a lone "%E2")
 * stays as written while the valid escapes around it are decoded.
 */
function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  return tryDecode(segment) ?? segment.replace(ESCAPE_RUN, (run) => tryDecode(run) ?? run);
}

function cleanSegment(segment: string): string {
  let s = decodeSegment(segment);
  if (s.includes('@')) s = s.replace(EMAIL, REDACTED);
  return s.replace(IDENTIFIER, REDACTED).replace(UNSAFE_CHARS, encodeURIComponent);
}

/**
 * Identifiers in free text that a client chose (an event name, a prop value) replaced as in
 * paths: e-mail addresses, long numbers, long hex runs, tokens and UUIDs become ":id".
 */
export function redactText(text: string): string {
  const s = text.includes('@') ? text.replace(EMAIL, REDACTED) : text;
  return s.replace(IDENTIFIER, REDACTED);
}

/** Cut to at most `max` code units without leaving half a surrogate pair or half an escape. */
function cap(path: string, max: number): string {
  if (path.length <= max) return path;
  let end = max;
  const last = path.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  const pct = path.lastIndexOf('%', end - 1);
  if (pct >= 0 && pct > end - 3) end = pct;
  return path.slice(0, end);
}

/**
 * The cleaned path of a page URL: starts with "/", has no query string or fragment, identifiers
 * redacted per segment, at most PATH_MAX_LENGTH code units. Never throws.
 */
export function cleanPath(url: URL): string {
  let raw = url.pathname;
  if (raw.length > RAW_PATH_LIMIT) raw = raw.slice(0, Math.max(raw.lastIndexOf('/', RAW_PATH_LIMIT), 0));
  const joined = raw.split('/').map(cleanSegment).join('/');
  return cap(joined.startsWith('/') ? joined : `/${joined}`, PATH_MAX_LENGTH);
}
