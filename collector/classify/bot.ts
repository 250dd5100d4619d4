// Is this beacon from a robot rather than a person? Robots are dropped before they are counted,
// with the reason kept so the drop counters say *why* traffic disappeared.
//
// `isbot` (a maintained list of crawler, fetcher and tool patterns) is the broad net. In front of it
// sit a few signals of our own for traffic that runs real JavaScript, which is exactly what fires a
// tracker beacon: headless browsers and browser automation. They come first so that drop counts
// tell "headless" and "automation" apart from ordinary crawlers.
//
// Deliberately NOT signals (each would drop real people):
// - "Electron/": Slack, Discord, VS Code and other desktop apps embed it and show ordinary pages.
// - "wv" / in-app browsers (Instagram, Facebook, ...): humans reading a link inside an app.
// - A missing Accept-Language: a site proxying /api/event through its own server (as Plausible's
//   proxy guides describe) forwards User-Agent and X-Forwarded-For, often nothing else.
import { isbot } from 'isbot';
import { LRUCache } from 'lru-cache';
import type { HeaderReader } from '../ip/client-ip.ts';
import type { BotReason } from './types.ts';


/**
 * Shorter than any user agent a browser engine sends (even terse ones such as "pinterest/0." or
 * "IBrowse/2.55 (AmigaOS 3.2)" are longer); strings this short are hand-set by scripts ("test", "x").
 */
const MIN_UA_LENGTH = 10;

/**
 * Headless browsers announce themselves in the user agent unless told otherwise:
 * - "HeadlessChrome/" (and "HeadlessEdg/"): Chromium's headless mode, both the old and the new one,
 *   which is what Puppeteer and Playwright launch by default.
 * - "PhantomJS/", "SlimerJS/": the older scriptable headless browsers, still common in scrapers.
 *   Not bare "Phantom": that is also the Phantom crypto wallet's in-app browser.
 */
const HEADLESS_UA = /headless(?:chrome|edg)|phantomjs|slimerjs/i;

/**
 * Browser automation and page-audit tools that drive a real browser, so they execute the tracker:
 * - "Selenium", "WebDriver": Selenium grid setups and drivers that add them to the user agent.
 * - "Puppeteer", "Playwright", "Cypress/": test runners (Cypress embeds its name and version).
 * - "Lighthouse" (as in "Chrome-Lighthouse"): Lighthouse and PageSpeed Insights audits.
 * - "GTmetrix": page-speed audits (isbot counts it as a browser; to us it is a robot run, not a visit).
 * - "PTST/": the token WebPageTest adds to every test run's user agent.
 */
const AUTOMATION_UA = /selenium|webdriver|puppeteer|playwright|cypress\/|lighthouse|gtmetrix|\bptst\//i;

/**
 * Chromium sends its brand list in Sec-CH-UA; headless Chromium names itself "HeadlessChrome" there
 * even when a script has overwritten the User-Agent header to look like a desktop Chrome.
 */
const HEADLESS_CLIENT_HINT = /headlesschrome/i;

/** What the user agent alone says, before any header is read. */
function verdictOfUserAgent(ua: string): BotReason | null {
  if (HEADLESS_UA.test(ua)) return 'headless';
  if (AUTOMATION_UA.test(ua)) return 'automation';
  if (isbot(ua)) return 'isbot';
  return null;
}

/**
 * isbot's pattern is one large alternation: a person's user agent, which matches nothing, costs
 * about 3 µs to clear, on every beacon. The same few thousand user agents repeat all day, so the
 * verdict is remembered. Only for user agents of ordinary length: the key is the whole string
 * (a bot token may sit anywhere in it), and this bounds the memory to 10,000 x 512 characters.
 * The length checked is the header's, before trimming: a trimmed string can be a view that keeps
 * its (possibly huge, whitespace-padded) parent alive.
 */
const MEMO_MAX_UA_LENGTH = 512;
const PERSON = 'person';
const verdicts = new LRUCache<string, BotReason | typeof PERSON>({ max: 10_000 });

function rememberedVerdict(ua: string): BotReason | null {
  const known = verdicts.get(ua);
  if (known !== undefined) return known === PERSON ? null : known;
  const verdict = verdictOfUserAgent(ua);
  verdicts.set(ua, verdict ?? PERSON);
  return verdict;
}

/** Why `ua` (and optionally the request headers) looks like a robot; null for a person. */
export function botReason(ua: string | null | undefined, headers?: HeaderReader): BotReason | null {
  // Every browser sends a User-Agent; an absent or blank one is a script or a stripped proxy hop.
  if (!ua) return 'empty-ua';
  const trimmed = ua.trim();
  if (trimmed === '') return 'empty-ua';
  if (trimmed.length < MIN_UA_LENGTH) return 'short-ua';
  const verdict =
    ua.length > MEMO_MAX_UA_LENGTH ? verdictOfUserAgent(trimmed) : rememberedVerdict(trimmed);
  if (verdict === 'headless') return verdict;
  // Headless before automation and isbot, whichever of the two headers gave it away.
  const clientHint = headers?.get('sec-ch-ua');
  if (clientHint && HEADLESS_CLIENT_HINT.test(clientHint)) return 'headless';
  return verdict;
}
