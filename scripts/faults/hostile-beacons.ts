// Generators (fast-check arbitraries) of requests to POST /api/event, and a client that sends them.
// Each case says what must happen to it: a beacon of FUZZ_SITE that must be answered 202 and
// counted exactly once (a pageview or a custom event), one that must be refused with a 4xx, or one
// that may be accepted or refused but must never be counted (unknown site, bot, DNT, garbage).
// Shared by the tests (test/hostile/*.test.ts) and `npm run faults -- --only=fuzz`, so the same
// inputs are fuzzed by both, at a few thousand and at 100k+ cases.
import fc from 'fast-check';
import { wellFormed } from '../../schema/text.ts';

/** The one registered site of a fuzz run. */
export const FUZZ_SITE = 'example.com';
/** A key that prototype-pollution payloads try to plant on Object.prototype. */
export const CANARY = 'telmarkPolluted';
/** Prop keys the fuzz run allows on FUZZ_SITE, so prototype-named props reach the aggregates. */
export const FUZZ_ALLOWED_PROPS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'plan'];

/** Real browsers (desktop and mobile): none is a bot, a headless browser or an automation tool. */
export const BROWSER_UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
];
const BOT_UAS = [
  'Googlebot/2.1 (+http://www.google.com/bot.html)',
  'curl/8.5.0',
  'python-requests/2.31.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
];

export type Expectation =
  /** Answered 202 and counted once as a pageview of FUZZ_SITE. */
  | 'pageview'
  /** Answered 202 and counted once as a custom event of FUZZ_SITE. */
  | 'event'
  /** Answered 4xx with a JSON reason. */
  | 'refused'
  /** 202 or a 4xx with a JSON reason, and never counted. */
  | 'not-counted';

export interface BeaconCase {
  expect: Expectation;
  /** What the case tries, for failure reports and the fault script's table. */
  kind: string;
  body: string | Uint8Array;
  /** Lower-case header names; content-type included when the case sets one. */
  headers: Record<string, string>;
  /** Sent as a chunked stream (no Content-Length). */
  chunked?: boolean;
  /** For refused beacons: the field the 400 must name (as the client spelt it). */
  field?: string;
  /** For counted beacons: what the parser must make of them (lone surrogates replaced by U+FFFD). */
  beacon?: { name: string; url: string };
}

/** Raw JSON text to splice into a body as it is (keys such as "__proto__" survive only as text). */
class RawJson {
  constructor(readonly text: string) {}
}
type Entry = [key: string, value: unknown];

/** JSON text of an object with these entries in this order (duplicates and "__proto__" kept as written). */
export function objectText(entries: Entry[]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v instanceof RawJson ? v.text : JSON.stringify(v)}`).join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
/** Any code point, lone surrogate halves, NUL and other controls, combining marks, RTL, emoji. */
const oddChar = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\u0001', '\u001f', '\u007f', '\u200b', '\u202e', '\ufeff', '\ufffd', '\u0301', '%', '%00', '%zz', '\\', '"', "'", '😀', '👩‍👩‍👧', '\u2028') },
);
export const oddString = (maxLength: number) => fc.string({ unit: oddChar, maxLength });
/** Bytes that are not UTF-8: an encoded surrogate, an overlong NUL, a lone continuation byte, 0xFF. */
const badUtf8 = fc.constantFrom([0xed, 0xa0, 0x80], [0xc0, 0x80], [0x80], [0xff], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82]);

/** A header value fetch can send: printable latin-1 and tab (what an HTTP/1.1 header may carry). */
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 2, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
).map((c) => String.fromCharCode(c));
const headerText = (maxLength: number) => fc.string({ unit: headerChar, maxLength });
/**
 * UTF-8 text as a client puts it on the wire, read back byte by byte (latin-1), as Node sees it;
 * control characters removed (fetch refuses them, and Node's parser answers them 400: see rawCase).
 */
// eslint-disable-next-line no-control-regex
const utf8AsLatin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1').replace(/[\x00-\x08\x0a-\x1f\x7f]/g, '');

// ---------------------------------------------------------------------------------------------
// Headers
// ---------------------------------------------------------------------------------------------

const address = fc.oneof(fc.ipV4(), fc.ipV6());
const xffHop = fc.oneof(
  { weight: 6, arbitrary: address },
  { weight: 1, arbitrary: fc.constantFrom('unknown', '', ' ', '_hidden', '[::1]:443', '::ffff:192.0.2.1', '192.0.2.1:8080', '0.0.0.0', '255.255.255.255', '::', 'fe80::1%eth0', '1.2.3', '01.02.03.004', '2001:db8::1::1', 'localhost') },
  { weight: 1, arbitrary: headerText(40).map((s) => s.replace(/,/g, '')) },
);
/** X-Forwarded-For chains: one address, odd ones, hundreds of hops (under Node's 16 KB header cap). */
const xff = fc.oneof(
  { weight: 2, arbitrary: address },
  { weight: 3, arbitrary: fc.tuple(fc.array(xffHop, { minLength: 1, maxLength: 40 }), fc.constantFrom(',', ', ', ' , ', ',,')).map(([hops, sep]) => hops.join(sep)) },
  { weight: 1, arbitrary: fc.array(address, { minLength: 100, maxLength: 250 }).map((hops) => hops.join(', ')) },
);

/** Headers of a real browser, with optional odd forwarding chains, referers and languages. */
const browserHeaders = fc.record(
  {
    'user-agent': fc.constantFrom(...BROWSER_UAS),
    'x-forwarded-for': xff,
    'x-real-ip': fc.oneof(address, headerText(30)),
    referer: fc.oneof(fc.webUrl(), headerText(300), oddString(100).map(utf8AsLatin1)),
    'accept-language': fc.oneof(fc.constantFrom('en-US,en;q=0.9', 'de', '*', ''), headerText(100)),
    origin: fc.oneof(fc.webUrl(), fc.constant('null')),
  },
  { requiredKeys: ['user-agent'] },
);
const JSON_TYPES = ['application/json', 'text/plain', 'text/plain;charset=UTF-8', 'application/json; charset=utf-8', 'APPLICATION/JSON', ' text/plain ; foo=bar', 'text/plain;charset=iso-8859-1'];
const jsonType = fc.constantFrom(...JSON_TYPES);
/** A media type other than application/json and text/plain (what the collector answers 415). */
const otherType = fc
  .oneof(
    fc.constantFrom('application/xml', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', 'text/html', 'application/json-patch+json', 'text/plainx', 'application/jsonp', 'application', '*/*', ';', 'text/plain\u00e9'),
    headerText(60),
  )
  .filter((t) => {
    const media = (t || 'text/plain').split(';')[0]!.trim().toLowerCase();
    return media !== 'application/json' && media !== 'text/plain' && t.trim() !== '';
  });

// ---------------------------------------------------------------------------------------------
// Beacons that must be counted
// ---------------------------------------------------------------------------------------------

/** Bytes of a generated beacon at most; beaconCase needs MAX_BODY_BYTES >= MIN_BODY_BYTES. */
const ENTRIES_BUDGET = 12_000;
export const MIN_BODY_BYTES = 16_384;

/** Keys that prototype-pollution payloads use, and a payload that would plant CANARY if merged. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
const pollution = fc.constantFrom(
  new RawJson(`{"${CANARY}":true}`),
  new RawJson(`{"prototype":{"${CANARY}":true}}`),
  new RawJson(`{"__proto__":{"${CANARY}":true}}`),
  new RawJson(`"${CANARY}"`),
  new RawJson('null'),
  new RawJson('[1,2]'),
);

const propKey = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...PROTO_KEYS, ...FUZZ_ALLOWED_PROPS) }, { weight: 6, arbitrary: oddString(30) }, { weight: 1, arbitrary: fc.string({ minLength: 299, maxLength: 310 }) });
const propValue = fc.oneof(
  { weight: 8, arbitrary: oddString(40) },
  { weight: 4, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 2, arbitrary: pollution },
  { weight: 1, arbitrary: fc.string({ minLength: 1995, maxLength: 2005 }) },
);
/** Props as an object (with prototype keys as own keys), or as a JSON string of one (Plausible allows both). */
const props = fc.array(fc.tuple(propKey, propValue), { maxLength: 35 }).chain((entries) => {
  const text = objectText(entries as Entry[]);
  return fc.constantFrom<unknown>(new RawJson(text), text);
});
const revenue = fc.oneof(
  fc.record({ amount: fc.oneof(fc.constantFrom('19.99', '0', '-5', '1e3', '12345678901234567'), fc.double(), oddString(12)), currency: fc.oneof(fc.constantFrom('EUR', 'usd', 'XXXX', ''), oddString(4)) }),
  fc.jsonValue({ maxDepth: 2 }),
  oddString(30),
);

/** A name the site counts as a custom event: non-blank once trimmed, 120 characters at most, not pageview/engagement. */
const customName = oddString(60).filter((n) => {
  const t = n.trim();
  return t.length > 0 && t.length <= 120 && t !== 'pageview' && t !== 'engagement';
});
const pagePath = fc.oneof(oddString(200), fc.webPath(), fc.webQueryParameters().map((q) => `?${q}`), fc.constantFrom('', '?utm_source=x%27%20OR%201%3D1', '#frag', 'a/'.repeat(300), '%E0%A4%A', '..%2F..%2Fetc%2Fpasswd'));
const pageUrl = fc
  .oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom('https://example.com/', 'http://example.com/', 'https://www.example.com:8443/', 'https://user:pw@example.com/', 'HTTPS://EXAMPLE.COM/'), pagePath).map(([base, p]) => base + p) },
    { weight: 1, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  )
  .filter((u) => isHttpUrl(u));
/** Referrers a site sees (never referrer spam): none, search engines, any .example host, or text that names no host. */
const referrer = fc.oneof(
  fc.constantFrom(null, '', 'https://www.google.com/', 'https://t.co/abc', 'android-app://com.google.android.gm/', 'https://example.com/internal'),
  oddString(80).map((p) => `https://ref.example/${p}`),
  oddString(80).map((s) => `~${s}`),
);

/** What the collector itself requires of a URL (collector/beacon.ts), restated so the generator never makes an invalid "valid" beacon. */
function isHttpUrl(u: string): boolean {
  if (u.length > 2048) return false;
  try {
    const p = new URL(u).protocol;
    return p === 'http:' || p === 'https:';
  } catch {
    return false;
  }
}

/**
 * The entries of a beacon of FUZZ_SITE that must be counted: long or short field names, odd but
 * valid values, props with prototype keys, malformed revenue (dropped, not refused), and
 * prototype-pollution keys at the top level.
 */
const countedEntries = fc
  .record({
    custom: fc.boolean(),
    name: customName,
    url: pageUrl,
    domain: fc.constantFrom(FUZZ_SITE, ` ${FUZZ_SITE} `, `${FUZZ_SITE},${FUZZ_SITE}`, `${FUZZ_SITE},`),
    long: fc.boolean(),
    referrer: fc.option(referrer, { nil: undefined }),
    props: fc.option(fc.oneof(props, fc.constant(null)), { nil: undefined }),
    revenue: fc.option(revenue, { nil: undefined }),
    interactive: fc.option(fc.constantFrom(true, false, null), { nil: undefined }),
    extra: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS, 'hasOwnProperty', 'toString', 'sd', 'e', 'x'), oddString(10)), fc.oneof(pollution, fc.jsonValue({ maxDepth: 2 }))), { maxLength: 4 }),
  })
  .map((b) => {
    const name = b.custom ? b.name : 'pageview';
    const k = (long: string, short: string) => (b.long ? long : short);
    const known = new Set(['name', 'n', 'url', 'u', 'domain', 'd', 'referrer', 'r', 'props', 'p', 'revenue', '$', 'interactive', 'i']);
    // Extra keys first: a later duplicate of a real field would win in JSON.parse.
    const entries: Entry[] = b.extra.filter(([key]) => !known.has(key)) as Entry[];
    entries.push([k('name', 'n'), name], [k('url', 'u'), b.url], [k('domain', 'd'), b.domain]);
    if (b.referrer !== undefined) entries.push([k('referrer', 'r'), b.referrer]);
    if (b.props !== undefined) entries.push([k('props', 'p'), b.props]);
    if (b.revenue !== undefined) entries.push([k('revenue', '$'), b.revenue]);
    if (b.interactive !== undefined) entries.push([k('interactive', 'i'), b.interactive]);
    return { entries, name: name.trim(), url: b.url, custom: b.custom };
  })
  // Room for the largest invalid field below (a 2 KB URL) under a 16 KB MAX_BODY_BYTES.
  .filter((b) => Buffer.byteLength(objectText(b.entries)) <= ENTRIES_BUDGET);

const counted: fc.Arbitrary<BeaconCase> = fc
  .tuple(countedEntries, browserHeaders, jsonType, fc.constantFrom('text', 'text', 'text', 'bad-utf8-in-path', 'chunked'), badUtf8)
  .map(([b, headers, type, wire, bytes]) => {
    const text = objectText(b.entries);
    let body: string | Uint8Array = text;
    if (wire === 'bad-utf8-in-path') {
      // Invalid UTF-8 inside the URL string (after its first "/" past the scheme): decoded to U+FFFD, still a valid URL.
      const marker = JSON.stringify(b.url).slice(1, -1);
      const at = text.indexOf(marker);
      const slash = at < 0 ? -1 : text.indexOf('/', at + 8);
      if (slash >= 0 && slash < at + marker.length) {
        const enc = new TextEncoder();
        body = Buffer.concat([enc.encode(text.slice(0, slash + 1)), Buffer.from(bytes), enc.encode(text.slice(slash + 1))]);
      }
    }
    return {
      expect: b.custom ? ('event' as const) : ('pageview' as const),
      kind: b.custom ? 'custom event' : 'pageview',
      body,
      headers: { ...headers, 'content-type': type },
      chunked: wire === 'chunked',
      // Lone surrogates (JSON escapes) arrive as U+FFFD (schema/text.ts).
      beacon: body === text ? { name: wellFormed(b.name), url: wellFormed(b.url) } : undefined,
    };
  });

// ---------------------------------------------------------------------------------------------
// Requests that must not be counted
// ---------------------------------------------------------------------------------------------

/** A well-formed beacon of FUZZ_SITE with one field made invalid, and the field the 400 must name. */
const invalidForSite: fc.Arbitrary<BeaconCase> = fc
  .tuple(
    countedEntries,
    browserHeaders,
    jsonType,
    fc.oneof(
      fc.record({ field: fc.constant('url'), value: fc.oneof(fc.constantFrom('javascript:alert(1)', '/relative', 'example.com/x', 'ftp://example.com/', 'data:text/html,x', '', 'https://', 'http://[::1', 'https://exa mple.com/'), fc.constant('https://example.com/' + 'x'.repeat(2048)), fc.integer(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'string')) }),
      fc.record({ field: fc.constant('name'), value: fc.oneof(fc.constantFrom('', '   ', '\t\n', 'x'.repeat(121)), fc.integer(), fc.constant(null), fc.constant([]), fc.constant({})) }),
      fc.record({ field: fc.constant('domain'), value: fc.oneof(fc.constantFrom('', '  ', 'x'.repeat(513)), fc.integer(), fc.constant([FUZZ_SITE]), fc.constant(null)) }),
      fc.record({ field: fc.constant('props'), value: fc.oneof(fc.constant([1, 2]), fc.constant('[1]'), fc.constant('not json'), fc.integer(), fc.constant(true), fc.constant('"text"')) }),
      fc.record({ field: fc.constant('referrer'), value: fc.oneof(fc.integer(), fc.constant({}), fc.constant('r'.repeat(2049))) }),
      fc.record({ field: fc.constant('interactive'), value: fc.oneof(fc.constantFrom('yes', 'true', 1, 0, [], {})) }),
    ),
  )
  .map(([b, headers, type, bad]) => {
    const short: Record<string, string> = { name: 'n', url: 'u', domain: 'd', props: 'p', referrer: 'r', interactive: 'i' };
    // Replace the field under whichever name the beacon used (or add it long-form); drop the other spelling.
    const names = [bad.field, short[bad.field]!];
    const used = b.entries.find(([key]) => names.includes(key))?.[0] ?? bad.field;
    const entries = b.entries.filter(([key]) => !names.includes(key));
    // A null/missing required field is reported as "is required" under the name the client used.
    entries.push([used, bad.value]);
    return { expect: 'refused' as const, kind: `invalid ${bad.field}`, body: objectText(entries), headers: { ...headers, 'content-type': type }, field: used };
  });

/** A domain that is not FUZZ_SITE whatever the collector's normalisation does with it. */
const foreignDomain = fc.oneof(fc.constantFrom('other.example', 'example.org', 'www.example.net', 'EXAMPLE.NET,other.example', 'localhost', '127.0.0.1'), oddString(40), fc.domain()).filter((d) => !d.toLowerCase().includes('example.com') && !/[ｅＥ]/.test(d));

/** Beacon-shaped bodies with random values and a foreign domain: refused or accepted, never counted here. */
const foreignBeacon: fc.Arbitrary<BeaconCase> = fc
  .tuple(
    fc.record({ n: fc.oneof(customName, fc.constant('pageview'), fc.constant('engagement'), fc.jsonValue({ maxDepth: 1 })), u: fc.oneof(pageUrl, oddString(50), fc.jsonValue({ maxDepth: 1 })), d: foreignDomain, r: fc.option(fc.oneof(referrer, fc.jsonValue({ maxDepth: 1 })), { nil: undefined }), p: fc.option(props, { nil: undefined }), sd: fc.option(fc.jsonValue({ maxDepth: 1 }), { nil: undefined }), e: fc.option(fc.jsonValue({ maxDepth: 1 }), { nil: undefined }) }),
    browserHeaders,
    fc.oneof(jsonType, otherType),
  )
  .map(([b, headers, type]) => ({ expect: 'not-counted' as const, kind: 'foreign site', body: objectText(Object.entries(b).filter(([, v]) => v !== undefined) as Entry[]), headers: { ...headers, 'content-type': type } }));

/** A counted-looking beacon of FUZZ_SITE that must be dropped: a bot, DNT or GPC (202, not counted). */
const droppedBeacon: fc.Arbitrary<BeaconCase> = fc
  .tuple(countedEntries, browserHeaders, jsonType, fc.oneof<fc.Arbitrary<Record<string, string>>[]>(fc.record({ 'user-agent': fc.constantFrom(...BOT_UAS) }), fc.constant({ dnt: '1' }), fc.constant({ 'sec-gpc': '1' })))
  .map(([b, headers, type, signal]) => ({ expect: 'not-counted' as const, kind: 'user-agent' in signal ? 'bot' : 'dnt/gpc', body: objectText(b.entries), headers: { ...headers, ...signal, 'content-type': type } }));

/** The same beacon under a content type the collector does not take (415). */
const wrongType: fc.Arbitrary<BeaconCase> = fc
  .tuple(countedEntries, browserHeaders, otherType)
  .map(([b, headers, type]) => ({ expect: 'refused' as const, kind: 'content type', body: objectText(b.entries), headers: { ...headers, 'content-type': type } }));

/** Not a beacon at all: bytes, odd text, random JSON, deep nesting, top-level prototype keys. */
const garbage: fc.Arbitrary<BeaconCase> = fc
  .tuple(
    fc.oneof(
      fc.uint8Array({ maxLength: 2000 }).map((b) => ({ kind: 'bytes', body: b as string | Uint8Array })),
      oddString(500).map((s) => ({ kind: 'odd text', body: s as string | Uint8Array })),
      fc.json({ maxDepth: 4 }).map((s) => ({ kind: 'random JSON', body: s as string | Uint8Array })),
      fc.integer({ min: 1, max: 7000 }).chain((n) => fc.constantFrom('[', '{"a":').map((open) => ({ kind: 'deep nesting', body: open.repeat(n) + (open === '[' ? ']' : '}').repeat(n) }))),
      fc.array(fc.tuple(fc.constantFrom(...PROTO_KEYS), pollution), { minLength: 1, maxLength: 3 }).map((e) => ({ kind: 'prototype keys', body: objectText(e as Entry[]) })),
      fc.constantFrom('', ' ', 'null', '[]', '"x"', '1e999', '{', '{"n":"pageview"', '\ufeff{}', '{"__proto__":null}', '{"constructor":{"prototype":{}}}').map((s) => ({ kind: 'edge JSON', body: s })),
    ),
    fc.oneof(browserHeaders, fc.record({ 'user-agent': headerText(200), 'x-forwarded-for': headerText(200), referer: headerText(200) })),
    fc.oneof(jsonType, otherType, fc.constant(undefined)),
  )
  .map(([g, headers, type]) => ({ expect: 'not-counted' as const, kind: g.kind, body: g.body, headers: type === undefined ? headers : { ...headers, 'content-type': type } }));

/** Bodies over `maxBodyBytes`: with a Content-Length, or streamed in chunks without one (413 either way). */
export const oversize = (maxBodyBytes: number): fc.Arbitrary<BeaconCase> =>
  fc.tuple(fc.integer({ min: maxBodyBytes + 1, max: maxBodyBytes * 4 }), fc.boolean(), jsonType).map(([size, chunked, type]) => {
    const head = `{"n":"pageview","u":"https://example.com/","d":"${FUZZ_SITE}","p":{"a":"`;
    return { expect: 'refused' as const, kind: chunked ? 'oversize, chunked' : 'oversize', body: head + 'x'.repeat(Math.max(0, size - head.length - 3)) + '"}}', headers: { 'user-agent': BROWSER_UAS[0]!, 'content-type': type }, chunked };
  });

/** The mix: about 40 % beacons that must be counted, the rest hostile. */
export function beaconCase(maxBodyBytes: number): fc.Arbitrary<BeaconCase> {
  if (maxBodyBytes < MIN_BODY_BYTES) throw new Error(`beaconCase: MAX_BODY_BYTES must be at least ${MIN_BODY_BYTES} (the generated beacons fill up to ${ENTRIES_BUDGET + 2200} bytes)`);
  return fc.oneof(
    { weight: 8, arbitrary: counted },
    { weight: 3, arbitrary: invalidForSite },
    { weight: 2, arbitrary: foreignBeacon },
    { weight: 2, arbitrary: droppedBeacon },
    { weight: 1, arbitrary: wrongType },
    { weight: 3, arbitrary: garbage },
    { weight: 1, arbitrary: oversize(maxBodyBytes) },
  );
}

/** The case's body as the collector reads it (UTF-8, invalid bytes replaced). */
export function bodyText(c: BeaconCase): string {
  return typeof c.body === 'string' ? c.body : new TextDecoder().decode(c.body);
}

// ---------------------------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------------------------

export interface Answer {
  status: number;
  /** The JSON reason of a 4xx/5xx (undefined when the body was not JSON with an "error" string). */
  error?: string;
  /** Set when no HTTP answer came (the connection failed). */
  failure?: string;
}

/** POSTs one case to `${collectorUrl}/api/event`; never throws (a failed connection is reported). */
export async function sendCase(collectorUrl: string, c: BeaconCase): Promise<Answer> {
  try {
    const bytes = typeof c.body === 'string' ? new TextEncoder().encode(c.body) : c.body;
    const body = c.chunked
      ? new ReadableStream<Uint8Array>({
          start(controller) {
            for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.subarray(i, i + 4096));
            controller.close();
          },
        })
      : bytes;
    const res = await fetch(`${collectorUrl}/api/event`, { method: 'POST', headers: c.headers, body, ...(c.chunked ? { duplex: 'half' } : {}) } as RequestInit);
    const text = await res.text();
    let error: string | undefined;
    try {
      const json: unknown = JSON.parse(text);
      if (typeof json === 'object' && json !== null && typeof (json as { error?: unknown }).error === 'string') error = (json as { error: string }).error;
    } catch {
      // not JSON: error stays undefined
    }
    return { status: res.status, error };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { status: 0, failure: `${(err as Error).message}${cause ? ` (${cause.code ?? cause.message})` : ''}` };
  }
}

/** Why an answer breaks the case's promise, or undefined when it keeps it. */
export function answerProblem(c: BeaconCase, a: Answer): string | undefined {
  if (a.failure) return `no HTTP answer: ${a.failure}`;
  const reasoned4xx = a.status >= 400 && a.status < 500 && typeof a.error === 'string' && a.error.length > 0;
  if (c.expect === 'pageview' || c.expect === 'event') return a.status === 202 ? undefined : `expected 202, got ${a.status} ${a.error ?? ''}`;
  if (c.expect === 'refused') {
    if (!reasoned4xx) return `expected a 4xx with a JSON reason, got ${a.status} ${a.error ?? '(no reason)'}`;
    if (c.field && !a.error!.startsWith(`${c.field}:`) && !a.error!.startsWith(`${c.field}.`)) return `expected the reason to name "${c.field}", got ${a.status} "${a.error}"`;
    return undefined;
  }
  return a.status === 202 || reasoned4xx ? undefined : `expected 202 or a 4xx with a JSON reason, got ${a.status} ${a.error ?? '(no reason)'}`;
}
