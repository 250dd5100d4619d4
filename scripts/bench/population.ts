// Synthetic people for the benchmarks: the browsers they use (real user-agent strings, weighted so
// that a few current versions dominate, as they do on any real site), the Accept-Language their
// browser sends, and where they sit on the address space. Shared by throughput, storage and the
// undercount simulation, so all three talk about the same kind of audience.
//
// The audience is a German-language site's: the language mix and the browser split follow public
// market-share figures for Germany (Chrome/Safari/Edge/Samsung/Firefox), rounded. UA reduction
// matters here: Chrome, Edge and Samsung Internet freeze the OS part ("Windows NT 10.0; Win64; x64",
// "Linux; Android 10; K"), so everyone on one Chrome release on Windows (or Android) sends the
// very same string; Safari on iOS differs only by OS/Safari version.
import { WeightedPicker, randInt, type Rng } from './common.ts';

export type Engine = 'chromium' | 'safari' | 'firefox';

export interface BrowserProfile {
  ua: string;
  engine: Engine;
  mobile: boolean;
  /** Relative weight within its group (desktop or mobile). */
  weight: number;
}

const winChrome = (v: number) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;
const winEdge = (v: number) => `${winChrome(v)} Edg/${v}.0.0.0`;
const macChrome = (v: number) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Safari/537.36`;
const macSafari = (v: string) => `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v} Safari/605.1.15`;
const winFirefox = (v: number) => `Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:${v}.0) Gecko/20100101 Firefox/${v}.0`;
const androidChrome = (v: number) => `Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v}.0.0.0 Mobile Safari/537.36`;
const iosSafari = (os: string, v: string) =>
  `Mozilla/5.0 (iPhone; CPU iPhone OS ${os} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/${v} Mobile/15E148 Safari/604.1`;
const samsung = (v: string, chrome: number) =>
  `Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/${v} Chrome/${chrome}.0.0.0 Mobile Safari/537.36`;

export const DESKTOP_BROWSERS: BrowserProfile[] = [
  { ua: winChrome(142), engine: 'chromium', mobile: false, weight: 30 },
  { ua: winChrome(141), engine: 'chromium', mobile: false, weight: 8 },
  { ua: winChrome(140), engine: 'chromium', mobile: false, weight: 2.5 },
  { ua: winEdge(142), engine: 'chromium', mobile: false, weight: 11 },
  { ua: winEdge(141), engine: 'chromium', mobile: false, weight: 3 },
  { ua: macChrome(142), engine: 'chromium', mobile: false, weight: 6 },
  { ua: macChrome(141), engine: 'chromium', mobile: false, weight: 1.5 },
  { ua: macSafari('26.1'), engine: 'safari', mobile: false, weight: 5 },
  { ua: macSafari('26.0'), engine: 'safari', mobile: false, weight: 2 },
  { ua: macSafari('18.6'), engine: 'safari', mobile: false, weight: 2 },
  { ua: winFirefox(145), engine: 'firefox', mobile: false, weight: 6 },
  { ua: winFirefox(144), engine: 'firefox', mobile: false, weight: 1.5 },
  { ua: winFirefox(140), engine: 'firefox', mobile: false, weight: 1.5 },
  { ua: 'Mozilla/5.0 (X11; Linux x86_64; rv:145.0) Gecko/20100101 Firefox/145.0', engine: 'firefox', mobile: false, weight: 1.2 },
  { ua: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36', engine: 'chromium', mobile: false, weight: 1.2 },
  { ua: `${winChrome(141)} OPR/124.0.0.0`, engine: 'chromium', mobile: false, weight: 1 },
  { ua: 'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Safari/537.36', engine: 'chromium', mobile: false, weight: 0.5 },
];

const INAPP_MODELS = [
  'SM-A546B', 'SM-A556B', 'SM-S918B', 'SM-S921B', 'SM-G991B', 'SM-A346B', 'SM-A155F', 'SM-S911B', 'Pixel 8', 'Pixel 7a',
  'Pixel 9', '2201117TG', '23053RN02Y', 'CPH2581', 'moto g54 5G', 'SM-A256B', 'SM-X200', 'M2101K6G', 'RMX3760', 'SM-A536B',
];

/** Instagram/Facebook in-app browsers: long, nearly unique strings (device model, app build). */
function inAppBrowsers(): BrowserProfile[] {
  const out: BrowserProfile[] = [];
  for (const model of INAPP_MODELS) {
    for (const build of ['405.0.0.46.80', '404.0.0.37.70', '403.1.0.49.73']) {
      out.push({
        ua: `Mozilla/5.0 (Linux; Android 14; ${model} Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/142.0.7444.48 Mobile Safari/537.36 Instagram ${build} Android (34/14; 450dpi; 1080x2340; ${model}; de_DE)`,
        engine: 'chromium',
        mobile: true,
        weight: 0.1,
      });
    }
    out.push({
      ua: `Mozilla/5.0 (Linux; Android 14; ${model} Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/142.0.7444.48 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/530.0.0.41.71;]`,
      engine: 'chromium',
      mobile: true,
      weight: 0.1,
    });
  }
  return out;
}

const MOBILE_BROWSERS: BrowserProfile[] = [
  { ua: androidChrome(142), engine: 'chromium', mobile: true, weight: 24 },
  { ua: androidChrome(141), engine: 'chromium', mobile: true, weight: 7 },
  { ua: androidChrome(140), engine: 'chromium', mobile: true, weight: 2 },
  { ua: iosSafari('18_6', '26.1'), engine: 'safari', mobile: true, weight: 14 },
  { ua: iosSafari('18_6', '26.0'), engine: 'safari', mobile: true, weight: 6 },
  { ua: iosSafari('18_6', '18.6'), engine: 'safari', mobile: true, weight: 6 },
  { ua: iosSafari('18_5', '18.5'), engine: 'safari', mobile: true, weight: 2 },
  { ua: iosSafari('17_7', '17.7'), engine: 'safari', mobile: true, weight: 1.5 },
  { ua: iosSafari('16_7_12', '16.6'), engine: 'safari', mobile: true, weight: 1 },
  { ua: 'Mozilla/5.0 (iPad; CPU OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1', engine: 'safari', mobile: true, weight: 1.5 },
  { ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/142.0.7444.77 Mobile/15E148 Safari/604.1', engine: 'chromium', mobile: true, weight: 2 },
  { ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/390.0.803910218 Mobile/15E148 Safari/604.1', engine: 'safari', mobile: true, weight: 1.5 },
  { ua: samsung('29.0', 136), engine: 'chromium', mobile: true, weight: 4 },
  { ua: samsung('28.0', 130), engine: 'chromium', mobile: true, weight: 1.5 },
  { ua: 'Mozilla/5.0 (Android 15; Mobile; rv:145.0) Gecko/145.0 Firefox/145.0', engine: 'firefox', mobile: true, weight: 1 },
  ...inAppBrowsers(),
];

/** Accept-Language as each engine formats a language preference (defaults of current releases). */
const LANGUAGE_HEADERS: Record<string, Record<Engine, string[]>> = {
  de: {
    chromium: ['de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7', 'de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7', 'de,en-US;q=0.9,en;q=0.8'],
    safari: ['de-DE,de;q=0.9'],
    firefox: ['de,en-US;q=0.7,en;q=0.3'],
  },
  en: { chromium: ['en-US,en;q=0.9'], safari: ['en-GB,en;q=0.9', 'en-US,en;q=0.9'], firefox: ['en-US,en;q=0.5'] },
  tr: { chromium: ['tr-TR,tr;q=0.9,de;q=0.8,en-US;q=0.7,en;q=0.6'], safari: ['tr-TR,tr;q=0.9'], firefox: ['tr-TR,tr;q=0.8,en-US;q=0.5,en;q=0.3'] },
  ru: { chromium: ['ru-RU,ru;q=0.9,de;q=0.8,en;q=0.7'], safari: ['ru-RU,ru;q=0.9'], firefox: ['ru-RU,ru;q=0.8,en-US;q=0.5,en;q=0.3'] },
  pl: { chromium: ['pl-PL,pl;q=0.9,en-US;q=0.8,en;q=0.7'], safari: ['pl-PL,pl;q=0.9'], firefox: ['pl,en-US;q=0.7,en;q=0.3'] },
  other: { chromium: ['fr-FR,fr;q=0.9,en;q=0.8', 'it-IT,it;q=0.9,en;q=0.8', 'ar,en;q=0.9'], safari: ['fr-FR,fr;q=0.9', 'it-IT,it;q=0.9'], firefox: ['fr,fr-FR;q=0.8,en-US;q=0.5,en;q=0.3'] },
};

const LANGUAGES = new WeightedPicker(['de', 'en', 'tr', 'ru', 'pl', 'other'], [85, 7, 3, 2, 1.5, 1.5]);

export const desktopPicker = new WeightedPicker(DESKTOP_BROWSERS, DESKTOP_BROWSERS.map((b) => b.weight));
const mobilePicker = new WeightedPicker(MOBILE_BROWSERS, MOBILE_BROWSERS.map((b) => b.weight));

/** A browser: mobile with probability `mobileShare`. */
export function pickBrowser(rng: Rng, mobileShare: number): BrowserProfile {
  return rng() < mobileShare ? mobilePicker.pick(rng) : desktopPicker.pick(rng);
}

export function pickAcceptLanguage(rng: Rng, engine: Engine): string {
  const options = LANGUAGE_HEADERS[LANGUAGES.pick(rng)]![engine];
  return options[randInt(rng, options.length)]!;
}

/**
 * A public-looking IPv4 address in one of `blocks` /24 networks spread over several /8s that are
 * neither private nor reserved (so nothing in the pipeline treats them specially).
 */
const PUBLIC_FIRST_OCTETS = [31, 37, 46, 62, 77, 78, 79, 80, 84, 85, 87, 88, 89, 91, 93, 94, 95, 109, 141, 176, 178, 185, 188, 212, 213, 217];

function ipv4InBlock(block: number, host: number): string {
  const first = PUBLIC_FIRST_OCTETS[block % PUBLIC_FIRST_OCTETS.length]!;
  const rest = Math.floor(block / PUBLIC_FIRST_OCTETS.length);
  return `${first}.${(rest >> 8) & 255}.${rest & 255}.${host}`;
}

/** A synthetic visitor: what their requests carry. */
export interface SyntheticVisitor {
  ip: string;
  ua: string;
  acceptLanguage: string;
}

/**
 * `n` visitors with distinct full IPv4 addresses spread over about n/5 /24 networks (several
 * visitors per /24, as on a real ISP), browsers and languages as above.
 */
export function syntheticVisitors(rng: Rng, n: number, mobileShare = 0.55): SyntheticVisitor[] {
  const blocks = Math.max(1, Math.ceil(n / 5));
  const seen = new Set<string>();
  const out: SyntheticVisitor[] = [];
  while (out.length < n) {
    const ip = ipv4InBlock(randInt(rng, blocks), 1 + randInt(rng, 254));
    if (seen.has(ip)) continue;
    seen.add(ip);
    const b = pickBrowser(rng, mobileShare);
    out.push({ ip, ua: b.ua, acceptLanguage: pickAcceptLanguage(rng, b.engine) });
  }
  return out;
}
