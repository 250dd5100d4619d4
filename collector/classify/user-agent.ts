// User agent -> browser family, OS family and device type, for the devices/browsers/OS cube.
// ua-parser-js 1.x (MIT; 2.x is AGPL, never upgrade to it) does the parsing; this module maps its
// names to stable display families and remembers recent answers, because the same few thousand
// user agents arrive over and over and a parse costs tens of microseconds.
import UAParser from 'ua-parser-js';
import { LRUCache } from 'lru-cache';
import type { DeviceType, UserAgentInfo } from './types.ts';

/** Shown when ua-parser-js names no browser or no OS. */
export const UNKNOWN_FAMILY = '(unknown)';

/**
 * ua-parser-js 1.x reads only the first 500 characters of a user agent (its UA_MAX_LENGTH), so a
 * key of that prefix gives exactly the answer the full string would: the cache stays exact while
 * an entry's key can never be larger than 500 characters, whatever a client sends.
 */
export const UA_KEY_LENGTH = 500;

// ---------------------------------------------------------------------------------------------
// Name tables. Keys are ua-parser-js names, lower-cased (the library keeps the case of the UA for
// names it captures, e.g. "debian" and "Debian"). Names not listed pass through unchanged: a rare
// browser keeps its own name rather than disappearing into "(unknown)".
// ---------------------------------------------------------------------------------------------

/** Variants of one product (form factor, legacy name, cryptic code) shown as one family. */
const BROWSER_FAMILIES: ReadonlyMap<string, string> = new Map([
  // Safari on iPhone/iPad is the same browser as on the Mac.
  ['mobile safari', 'Safari'],
  ['safari', 'Safari'],
  // Chrome on iOS (CriOS) is already "Chrome". "Chrome WebView" (Android apps showing pages in a
  // web view) stays its own family: it is in-app traffic, a different audience from Chrome users.
  // "Chrome Headless" stays too: it should have been dropped as a bot, and if not it must be visible.
  ['chrome', 'Chrome'],
  ['chrome webview', 'Chrome WebView'],
  ['chrome headless', 'Chrome Headless'],
  ['firefox', 'Firefox'],
  ['mobile firefox', 'Firefox'],
  // Fennec was Firefox for Android's name before it was "Firefox".
  ['fennec', 'Firefox'],
  // Klar is Firefox Focus' name in German-speaking markets.
  ['firefox focus', 'Firefox Focus'],
  ['klar', 'Firefox Focus'],
  ['edge', 'Edge'],
  // Opera's phone, tablet and iOS builds are one family; Opera Mini (a server-side proxy browser)
  // and Opera GX (a distinct desktop product) stay apart.
  ['opera', 'Opera'],
  ['opera mobi', 'Opera'],
  ['opera tablet', 'Opera'],
  ['opera touch', 'Opera'],
  ['opera coast', 'Opera'],
  ['opera mini', 'Opera Mini'],
  ['opera gx', 'Opera GX'],
  ['ie', 'Internet Explorer'],
  ['iemobile', 'Internet Explorer'],
  ['samsung internet', 'Samsung Internet'],
  ['ucbrowser', 'UC Browser'],
  ['qqbrowser', 'QQ Browser'],
  ['qqbrowserlite', 'QQ Browser'],
  // GSA is the Google app on iOS; the code means nothing to a marketer.
  ['gsa', 'Google App'],
  // Names the library copies from the UA keep its spelling ("brave/0.7.9"): one family per product.
  ['brave', 'Brave'],
]);

/** OS display families; every Linux distribution is "Linux" (fewer, larger groups on the dashboard). */
const OS_FAMILIES: ReadonlyMap<string, string> = new Map([
  ['mac os', 'macOS'],
  ['mac os x', 'macOS'],
  ['macos', 'macOS'],
  ['ios', 'iOS'],
  ['android', 'Android'],
  ['android-x86', 'Android'],
  ['windows', 'Windows'],
  ['windows phone', 'Windows Phone'],
  ['windows phone os', 'Windows Phone'],
  ['windows mobile', 'Windows Phone'],
  ['chromium os', 'ChromeOS'],
  ['chrome os', 'ChromeOS'],
  ['kaios', 'KaiOS'],
  ['rim tablet os', 'BlackBerry'],
  ['blackberry', 'BlackBerry'],
  // Same spelling problem as browsers: "freebsd", "PLAYSTATION" and friends, as the UA wrote them.
  ['freebsd', 'FreeBSD'],
  ['openbsd', 'OpenBSD'],
  ['netbsd', 'NetBSD'],
  ['dragonfly', 'DragonFly'],
  ['playstation', 'PlayStation'],
  ['nintendo', 'Nintendo'],
  ['xbox', 'Xbox'],
  ...[
    'linux', 'gnu', 'ubuntu', 'kubuntu', 'xubuntu', 'lubuntu', 'nubuntu', 'debian', 'fedora',
    'mint', 'gentoo', 'arch', 'slackware', 'mandriva', 'mageia', 'centos', 'red hat', 'redhat',
    'suse', 'opensuse', 'pclinuxos', 'zenwalk', 'linpus', 'raspbian', 'deepin', 'manjaro',
    'elementary os', 'sabayon', 'linspire', 'vectorlinux', 'joli',
  ].map((distribution): [string, string] => [distribution, 'Linux']),
]);

/**
 * The family names these tables give, plus "(unknown)": a bounded set, so the cardinality caps
 * (collector/cardinality/) always let them through; only names copied from a user agent are capped.
 */
export const NAMED_FAMILIES: ReadonlySet<string> = new Set([UNKNOWN_FAMILY, ...BROWSER_FAMILIES.values(), ...OS_FAMILIES.values()]);

// ---------------------------------------------------------------------------------------------

export function browserFamily(name: string | undefined): string {
  if (!name) return UNKNOWN_FAMILY;
  return BROWSER_FAMILIES.get(name.toLowerCase()) ?? name;
}

export function osFamily(name: string | undefined): string {
  if (!name) return UNKNOWN_FAMILY;
  return OS_FAMILIES.get(name.toLowerCase()) ?? name;
}

/** OS families that run (almost) only on phones and tablets. */
const HANDHELD_OS: ReadonlySet<string> = new Set(['Android', 'iOS', 'HarmonyOS', 'KaiOS', 'Windows Phone']);

/**
 * ua-parser-js leaves device.type empty for desktops (it only names the special kinds), so an empty
 * type means desktop, with two exceptions:
 * - a handheld OS: the library only failed to tell the form factor (old Opera Mobi, unknown Android
 *   models). Desktop would always be wrong; phone is right most of the time (in device-detector's
 *   fixtures, about 6 in 10 such Android user agents are phones, 3 tablets, 1 a TV box).
 * - nothing recognised at all: no browser and no OS is no evidence of a desktop, and counting it
 *   as one would inflate the desktop share.
 */
export function deviceType(type: string | undefined, browser: string, os: string): DeviceType {
  if (type === 'mobile' || type === 'tablet') return type;
  // smarttv, console, wearable, embedded, xr: too few and too mixed to be groups of their own.
  if (type) return 'other';
  if (HANDHELD_OS.has(os)) return 'mobile';
  return browser === UNKNOWN_FAMILY && os === UNKNOWN_FAMILY ? 'other' : 'desktop';
}

/**
 * The first `length` characters of `s`, as a string that does not keep `s` alive. V8 represents a
 * slice as a view into its parent, so caching `hugeUa.slice(0, 500)` would pin the whole header
 * (measured: 200 slices of 300 KB strings held 65 MB). Concatenating first makes V8 flatten a new
 * 501-character string that the slice then points into. Only ever taken for over-long input.
 */
function detachedPrefix(s: string, length: number): string {
  return (' ' + s.slice(0, length)).slice(1);
}

export interface UserAgentParserOptions {
  /** Most user agents remembered at once; the least recently used one is forgotten first. */
  maxEntries?: number;
}

export interface UserAgentParser {
  /** The family view of `ua`. The returned object is frozen and shared between callers. */
  parse(ua: string): UserAgentInfo;
  /** Number of user agents currently remembered (never more than maxEntries). */
  size(): number;
}

export function createUserAgentParser({ maxEntries = 10_000 }: UserAgentParserOptions = {}): UserAgentParser {
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }
  const cache = new LRUCache<string, UserAgentInfo>({ max: maxEntries });
  // One parser instance reused: setUA() + getResult() avoids allocating a parser per beacon.
  const parser = new UAParser();

  function parseUncached(key: string): UserAgentInfo {
    const result = parser.setUA(key).getResult();
    const browser = browserFamily(result.browser.name);
    const os = osFamily(result.os.name);
    return Object.freeze({ browser, os, device: deviceType(result.device.type, browser, os) });
  }

  return {
    parse(ua: string): UserAgentInfo {
      const key = ua.length > UA_KEY_LENGTH ? detachedPrefix(ua, UA_KEY_LENGTH) : ua;
      const cached = cache.get(key);
      if (cached) return cached;
      // Parse the key, not `ua`: names the library captures from the string are slices of it,
      // and they live in the cache as long as the entry does.
      const info = parseUncached(key);
      cache.set(key, info);
      return info;
    },
    size: () => cache.size,
  };
}

/** The process-wide parser the ingestion pipeline uses. */
const shared = createUserAgentParser();

export function parseUserAgent(ua: string): UserAgentInfo {
  return shared.parse(ua);
}
