import { describe, expect, it } from 'vitest';
import { PATH_MAX_LENGTH, REDACTED, cleanPath } from '../../collector/classify/path.ts';

const clean = (pathAndMore: string) => cleanPath(new URL(`https://example.com${pathAndMore}`));

describe('cleanPath: what is kept', () => {
  it.each([
    ['/', '/'],
    ['/pricing', '/pricing'],
    ['/blog/2024/05/01/hello-world', '/blog/2024/05/01/hello-world'],
    ['/how-to-configure-vitest-4-with-typescript', '/how-to-configure-vitest-4-with-typescript'],
    ['/docs/', '/docs/'],
    ['/products/12345', '/products/12345'],
    ['/decade/facade/c0ffee', '/decade/facade/c0ffee'],
    ['/page/2', '/page/2'],
  ])('%s stays %s', (input, expected) => {
    expect(clean(input)).toBe(expected);
  });

  it('drops the query string and the fragment', () => {
    expect(clean('/search?q=ann%40example.com&utm_source=x#top')).toBe('/search');
  });

  it('always starts with "/"', () => {
    expect(cleanPath(new URL('https://example.com'))).toBe('/');
    expect(cleanPath(new URL('https://example.com?x=1'))).toBe('/');
  });
});

describe('cleanPath: identifiers become :id', () => {
  it.each([
    ['a 6+ digit id', '/orders/48213377', '/orders/:id'],
    ['digits inside a segment', '/invoice_1234567.pdf', '/invoice_:id.pdf'],
    ['an id with a prefix', '/u/abc1234567', '/u/:id'],
    ['a UUID', '/p/123e4567-e89b-12d3-a456-426614174000/edit', '/p/:id/edit'],
    ['an upper-case UUID', '/p/123E4567-E89B-12D3-A456-426614174000', '/p/:id'],
    ['a hex hash', '/files/5f2b8c9d0e1a3b4c7d8e', '/files/:id'],
    ['a hex hash of letters only', '/files/deadbeefdeadbeef', '/files/:id'],
    ['a base62 token', '/reset/Zx8kP2qL9mN4vB7cQ1wE', '/reset/:id'],
    ['an e-mail address', '/users/ann@example.com/settings', '/users/:id/settings'],
    ['an encoded e-mail address', '/users/ann%40example.co.uk', '/users/:id'],
    ['a plus-addressed e-mail', '/unsubscribe/ann+news@mail.example.org', '/unsubscribe/:id'],
    ['several in one path', '/teams/9876543/members/0123456789abcdef0', '/teams/:id/members/:id'],
  ])('%s', (_name, input, expected) => {
    expect(clean(input)).toBe(expected);
  });

  it('uses the exported placeholder', () => {
    expect(REDACTED).toBe(':id');
  });
});

describe('cleanPath: percent-decoding', () => {
  it('decodes readable characters', () => {
    expect(clean('/caf%C3%A9/men%C3%BC')).toBe('/café/menü');
    expect(clean('/a%20b')).toBe('/a b');
  });

  it('never throws on malformed escapes, and keeps them visible', () => {
    for (const p of ['/%', '/%zz', '/%E2', '/%E2%82', '/100%', '/%%%%', '/a%2', '/%C0%AF', '/%ED%A0%80']) {
      expect(() => clean(p)).not.toThrow();
      expect(clean(p).startsWith('/')).toBe(true);
    }
    expect(clean('/bad%zz%E2%82%AC')).toBe('/bad%25zz€');
    expect(clean('/%E2')).toBe('/%25E2');
  });

  it('keeps an encoded slash, question mark or hash from changing the path', () => {
    expect(clean('/a%2Fb')).toBe('/a%2Fb');
    expect(clean('/a%3Fb%23c')).toBe('/a%3Fb%23c');
    expect(clean('/100%25')).toBe('/100%25');
  });

  it('escapes control characters and bidi overrides', () => {
    expect(clean('/a%0Ab%00')).toBe('/a%0Ab%00');
    expect(clean('/x%E2%80%AEgnp.exe')).toBe('/x%E2%80%AEgnp.exe');
  });
});

describe('cleanPath: length cap', () => {
  it('caps at PATH_MAX_LENGTH', () => {
    expect(PATH_MAX_LENGTH).toBe(512);
    const long = `/${'section/'.repeat(200)}`;
    const out = clean(long);
    expect(out).toHaveLength(PATH_MAX_LENGTH);
    expect(out.startsWith('/section/')).toBe(true);
  });

  it('never leaves half an escape or half a surrogate pair', () => {
    const escapes = clean(`/${'a'.repeat(PATH_MAX_LENGTH - 2)}%2Fzzz`);
    expect(escapes.length).toBeLessThanOrEqual(PATH_MAX_LENGTH);
    expect(escapes).not.toMatch(/%[0-9A-F]?$/);

    const emoji = clean(`/${'a'.repeat(PATH_MAX_LENGTH - 2)}${encodeURIComponent('😀')}`);
    expect(emoji.length).toBeLessThanOrEqual(PATH_MAX_LENGTH);
    const last = emoji.charCodeAt(emoji.length - 1);
    expect(last >= 0xd800 && last <= 0xdbff).toBe(false);
  });

  it('stays fast and bounded on a hostile path', () => {
    const hostile = `/${'a@'.repeat(20_000)}/${'1'.repeat(50_000)}`;
    const started = performance.now();
    const out = clean(hostile);
    expect(performance.now() - started).toBeLessThan(500);
    expect(out.length).toBeLessThanOrEqual(PATH_MAX_LENGTH);
  });
});
