// The referrer string a tracker sends (document.referrer, or whatever a client made up) -> the one
// thing we use from it: which host or Android app it names. Path and query are never read: they
// can hold search terms and personal data, and no rule here needs them.

export type ReferrerOrigin =
  | { kind: 'web'; host: string }
  /** android-app://<package>/...: Chrome's referrer for a link opened from an Android app. */
  | { kind: 'app'; packageName: string };

const PROTOCOLS: ReadonlySet<string> = new Set(['http:', 'https:', 'android-app:']);
const TRAILING_DOT = /\.$/;
/** A bare host someone sent without a scheme ("example.com/page"), accepted as https. */
const SCHEMELESS_HOST = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:[/?#]|$)/i;

function parseUrl(s: string): URL | null {
  try {
    return new URL(s);
  } catch {
    return null;
  }
}

/** Never throws: anything that is not an http(s) or android-app URL with a host is no referrer. */
export function parseReferrer(referrer: string | null | undefined): ReferrerOrigin | null {
  const raw = (referrer ?? '').trim();
  if (raw === '') return null;
  let url = parseUrl(raw);
  // "example.com:8080/x" parses as a URL with the scheme "example.com:"; treat it as a bare host.
  if ((!url || !PROTOCOLS.has(url.protocol)) && SCHEMELESS_HOST.test(raw)) url = parseUrl(`https://${raw}`);
  if (!url) return null;
  const host = url.hostname.toLowerCase().replace(TRAILING_DOT, '');
  if (host === '') return null;
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'web', host };
  if (url.protocol === 'android-app:') return { kind: 'app', packageName: host };
  return null;
}
