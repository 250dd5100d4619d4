import { describe, expect, it } from 'vitest';
import { botReason } from '../../collector/classify/bot.ts';

const CHROME_DESKTOP =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

describe('botReason: people', () => {
  it.each([
    ['Chrome on Windows', CHROME_DESKTOP],
    ['Safari on macOS', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15'],
    ['Firefox on Linux', 'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0'],
    ['Safari on iPhone', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1'],
    ['Chrome on Android', 'Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36'],
    ['Samsung Internet on a tablet', 'Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Safari/537.36'],
    ['Instagram in-app browser', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 309.0.0.28.113 (iPhone14,2; iOS 17_1; en_US; en; scale=3.00; 1170x2532; 537288530)'],
    ['Slack (Electron)', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Slack/4.35.126 Chrome/118.0.5993.144 Electron/27.0.4 Safari/537.36 Sonic Slack_SSB/4.35.126'],
    ['Phantom wallet (not PhantomJS)', 'Mozilla/5.0 (iPad; CPU OS 16_6_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Phantom/ios/24.3.0.16061'],
  ])('%s is a person', (_name, ua) => {
    expect(botReason(ua)).toBeNull();
  });

  it('accepts a real Chrome with ordinary client hints', () => {
    const headers = new Headers({ 'sec-ch-ua': '"Not_A Brand";v="8", "Chromium";v="120", "Google Chrome";v="120"' });
    expect(botReason(CHROME_DESKTOP, headers)).toBeNull();
  });
});

describe('botReason: robots', () => {
  it.each([null, undefined, '', '   \t'])('an absent or blank user agent (%j) is empty-ua', (ua) => {
    expect(botReason(ua)).toBe('empty-ua');
  });

  it.each(['test', 'x', 'Mozilla'])('a user agent as short as %j is short-ua', (ua) => {
    expect(botReason(ua)).toBe('short-ua');
  });

  it.each([
    ['HeadlessChrome', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.109 Safari/537.36'],
    ['PhantomJS', 'Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1'],
    ['SlimerJS', 'Mozilla/5.0 (X11; Linux x86_64; rv:59.0) Gecko/20100101 SlimerJS/1.0.0'],
  ])('%s is headless', (_name, ua) => {
    expect(botReason(ua)).toBe('headless');
  });

  it('catches headless Chromium that disguised its User-Agent, through Sec-CH-UA', () => {
    const headers = new Headers({ 'sec-ch-ua': '"Not_A Brand";v="8", "Chromium";v="120", "HeadlessChrome";v="120"' });
    expect(botReason(CHROME_DESKTOP, headers)).toBe('headless');
  });

  it.each([
    ['Lighthouse / PageSpeed Insights', 'Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse'],
    ['Cypress', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Cypress/13.6.1 Chrome/118.0.5993.159 Electron/27.1.3 Safari/537.36'],
    ['Selenium', `${CHROME_DESKTOP} Selenium`],
    ['Puppeteer', `${CHROME_DESKTOP} Puppeteer`],
    ['Playwright', `${CHROME_DESKTOP} Playwright/1.40`],
    ['WebPageTest', `${CHROME_DESKTOP} PTST/231201.144200`],
    ['GTmetrix', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/117.0.0.0 Safari/537.36 GTmetrix'],
  ])('%s is automation', (_name, ua) => {
    expect(botReason(ua)).toBe('automation');
  });

  it.each([
    ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
    ['Googlebot smartphone', 'Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
    ['bingbot', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
    ['GPTBot', 'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)'],
    ['curl', 'curl/8.4.0'],
    ['python-requests', 'python-requests/2.31.0'],
    ['Facebook link preview', 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)'],
  ])('%s is a crawler (isbot)', (_name, ua) => {
    expect(botReason(ua)).toBe('isbot');
  });

  it('reads only the sec-ch-ua header, through any object with get()', () => {
    const asked: string[] = [];
    const headers = {
      get(name: string): string | null {
        asked.push(name);
        return null;
      },
    };
    expect(botReason(CHROME_DESKTOP, headers)).toBeNull();
    expect(asked).toEqual(['sec-ch-ua']);
  });
});

describe('botReason: remembered verdicts', () => {
  it('gives the same answer when a user agent comes back', () => {
    const googlebot = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
    for (let i = 0; i < 3; i++) {
      expect(botReason(CHROME_DESKTOP)).toBeNull();
      expect(botReason(googlebot)).toBe('isbot');
    }
  });

  it('reads the client hint on every call, even for a remembered user agent', () => {
    const headless = new Headers({ 'sec-ch-ua': '"HeadlessChrome";v="120"' });
    expect(botReason(CHROME_DESKTOP)).toBeNull();
    expect(botReason(CHROME_DESKTOP, headless)).toBe('headless');
    expect(botReason(CHROME_DESKTOP)).toBeNull();
  });

  it('still finds a bot token at the far end of an over-long user agent', () => {
    const padded = `${CHROME_DESKTOP} ${'x'.repeat(2_000)} Googlebot/2.1`;
    expect(botReason(padded)).toBe('isbot');
    expect(botReason(`${CHROME_DESKTOP} ${'(extension) '.repeat(200)}`)).toBeNull();
  });
});
