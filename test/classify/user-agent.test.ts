import { describe, expect, it } from 'vitest';
import {
  UA_KEY_LENGTH,
  UNKNOWN_FAMILY,
  browserFamily,
  createUserAgentParser,
  osFamily,
  parseUserAgent,
} from '../../collector/classify/user-agent.ts';
import type { UserAgentInfo } from '../../collector/classify/types.ts';

const UA = {
  chromeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  edgeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0',
  firefoxWindows: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  safariMac:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15',
  firefoxUbuntu: 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  chromeChromeOS:
    'Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  operaWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0',
  ie11: 'Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  chromeIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1',
  chromeAndroidPhone:
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  samsungPhone:
    'Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
  firefoxAndroidPhone: 'Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0',
  operaMobi:
    'Opera/9.80 (Android 2.3.3; Linux; Opera Mobi/ADR-1111101157; U; es-ES) Presto/2.9.201 Version/11.50',
  webViewAndroid:
    'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.43 Mobile Safari/537.36',
  safariIpad:
    'Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1',
  chromeAndroidTablet:
    'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  samsungTablet:
    'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36',
  firefoxAndroidTablet: 'Mozilla/5.0 (Android 14; Tablet; rv:121.0) Gecko/121.0 Firefox/121.0',
  samsungTv:
    'Mozilla/5.0 (SMART-TV; Linux; Tizen 6.0) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/4.0 Chrome/76.0.3809.146 TV Safari/537.36',
  playStation: 'Mozilla/5.0 (PlayStation; PlayStation 5/2.26) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  quest:
    'Mozilla/5.0 (Linux; Android 12; Quest 3) AppleWebKit/537.36 (KHTML, like Gecko) OculusBrowser/31.0 Chrome/120 Mobile VR Safari/537.36',
} as const;

const info = (browser: string, os: string, device: UserAgentInfo['device']): UserAgentInfo => ({ browser, os, device });

describe('parseUserAgent', () => {
  it.each([
    ['Chrome on Windows', UA.chromeWindows, info('Chrome', 'Windows', 'desktop')],
    ['Edge on Windows', UA.edgeWindows, info('Edge', 'Windows', 'desktop')],
    ['Firefox on Windows', UA.firefoxWindows, info('Firefox', 'Windows', 'desktop')],
    ['Safari on macOS', UA.safariMac, info('Safari', 'macOS', 'desktop')],
    ['Firefox on Ubuntu (distributions are Linux)', UA.firefoxUbuntu, info('Firefox', 'Linux', 'desktop')],
    ['Chrome on ChromeOS', UA.chromeChromeOS, info('Chrome', 'ChromeOS', 'desktop')],
    ['Opera on Windows', UA.operaWindows, info('Opera', 'Windows', 'desktop')],
    ['Internet Explorer 11', UA.ie11, info('Internet Explorer', 'Windows', 'desktop')],
  ])('desktop: %s', (_name, ua, expected) => {
    expect(parseUserAgent(ua)).toEqual(expected);
  });

  it.each([
    ['Safari on iPhone (Mobile Safari is Safari)', UA.safariIphone, info('Safari', 'iOS', 'mobile')],
    ['Chrome on iPhone (CriOS)', UA.chromeIphone, info('Chrome', 'iOS', 'mobile')],
    ['Chrome on an Android phone', UA.chromeAndroidPhone, info('Chrome', 'Android', 'mobile')],
    ['Samsung Internet on a phone', UA.samsungPhone, info('Samsung Internet', 'Android', 'mobile')],
    ['Firefox on an Android phone', UA.firefoxAndroidPhone, info('Firefox', 'Android', 'mobile')],
    ['Opera Mobi is Opera', UA.operaMobi, info('Opera', 'Android', 'mobile')],
    ['Android web view stays its own family', UA.webViewAndroid, info('Chrome WebView', 'Android', 'mobile')],
  ])('mobile: %s', (_name, ua, expected) => {
    expect(parseUserAgent(ua)).toEqual(expected);
  });

  it.each([
    ['Safari on iPad', UA.safariIpad, info('Safari', 'iOS', 'tablet')],
    ['Chrome on an Android tablet (no "Mobile")', UA.chromeAndroidTablet, info('Chrome', 'Android', 'tablet')],
    ['Samsung Internet on a Galaxy Tab', UA.samsungTablet, info('Samsung Internet', 'Android', 'tablet')],
    ['Firefox on an Android tablet', UA.firefoxAndroidTablet, info('Firefox', 'Android', 'tablet')],
  ])('tablet: %s', (_name, ua, expected) => {
    expect(parseUserAgent(ua)).toEqual(expected);
  });

  it.each([
    ['smart TV', UA.samsungTv],
    ['console', UA.playStation],
    ['VR headset', UA.quest],
  ])('other devices: %s', (_name, ua) => {
    expect(parseUserAgent(ua).device).toBe('other');
  });

  it('says (unknown) and other for strings that name nothing', () => {
    expect(parseUserAgent('')).toEqual(info(UNKNOWN_FAMILY, UNKNOWN_FAMILY, 'other'));
    expect(parseUserAgent('curl/8.4.0')).toEqual(info(UNKNOWN_FAMILY, UNKNOWN_FAMILY, 'other'));
  });

  it('takes an Android device of unknown form factor for a phone, never a desktop', () => {
    // ua-parser-js finds Android but no device type here.
    expect(parseUserAgent('Mozilla/5.0 (Linux; U; Android 6.0.1; i980 Build/MRA58K)')).toEqual(
      info(UNKNOWN_FAMILY, 'Android', 'mobile'),
    );
  });

  it('hands out frozen results, so one caller cannot change what the next one sees', () => {
    const result = parseUserAgent(UA.chromeWindows);
    expect(Object.isFrozen(result)).toBe(true);
  });
});

describe('family names', () => {
  it.each([
    ['Mobile Safari', 'Safari'],
    ['Opera Tablet', 'Opera'],
    ['Opera Mini', 'Opera Mini'],
    ['IEMobile', 'Internet Explorer'],
    ['Fennec', 'Firefox'],
    ['GSA', 'Google App'],
    ['Vivaldi', 'Vivaldi'],
    [undefined, UNKNOWN_FAMILY],
  ])('browser %s -> %s', (name, family) => {
    expect(browserFamily(name)).toBe(family);
  });

  it.each([
    ['Mac OS', 'macOS'],
    ['Chromium OS', 'ChromeOS'],
    ['debian', 'Linux'],
    ['Red Hat', 'Linux'],
    ['Windows Mobile', 'Windows Phone'],
    ['FreeBSD', 'FreeBSD'],
    ['', UNKNOWN_FAMILY],
  ])('os %s -> %s', (name, family) => {
    expect(osFamily(name)).toBe(family);
  });
});

describe('createUserAgentParser cache', () => {
  it('stays bounded at maxEntries and forgets the least recently used user agent', () => {
    const parser = createUserAgentParser({ maxEntries: 3 });
    const [a, b, c, d] = [UA.chromeWindows, UA.safariMac, UA.safariIphone, UA.safariIpad];

    const infoA = parser.parse(a);
    const infoB = parser.parse(b);
    const infoC = parser.parse(c);
    expect(parser.size()).toBe(3);
    // A hit returns the very same object, and makes `a` the most recently used: b, c, a.
    expect(parser.parse(a)).toBe(infoA);

    parser.parse(d); // full: `b`, the least recently used, must go
    expect(parser.size()).toBe(3);
    expect(parser.parse(c)).toBe(infoC);
    expect(parser.parse(a)).toBe(infoA);
    const reparsedB = parser.parse(b); // a miss: parsed again into a new object
    expect(reparsedB).not.toBe(infoB);
    expect(reparsedB).toEqual(infoB);
    expect(parser.size()).toBe(3);

    for (let i = 0; i < 50; i++) parser.parse(`${UA.chromeWindows} build/${i}`);
    expect(parser.size()).toBe(3);
  });

  it('re-parses an evicted user agent into an equal but new object', () => {
    const parser = createUserAgentParser({ maxEntries: 2 });
    const original = parser.parse(UA.chromeWindows);
    parser.parse(UA.safariMac);
    parser.parse(UA.safariIphone); // evicts chromeWindows
    const again = parser.parse(UA.chromeWindows);
    expect(again).not.toBe(original);
    expect(again).toEqual(original);
    expect(parser.size()).toBe(2);
  });

  it(`keys the cache on the first ${UA_KEY_LENGTH} characters, which is all ua-parser-js reads`, () => {
    const parser = createUserAgentParser({ maxEntries: 10 });
    const long = UA.safariIphone + ' '.repeat(UA_KEY_LENGTH);
    const first = parser.parse(`${long}tail-one`);
    const second = parser.parse(`${long}${'x'.repeat(100_000)}`);
    expect(second).toBe(first);
    expect(parser.size()).toBe(1);
    expect(first).toEqual(info('Safari', 'iOS', 'mobile'));
  });

  it('rejects a maxEntries that is not a positive integer', () => {
    expect(() => createUserAgentParser({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => createUserAgentParser({ maxEntries: 1.5 })).toThrow(RangeError);
  });
});
