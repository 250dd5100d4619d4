// POST /api/event over real HTTP: Plausible compatibility, CORS, and every kind of bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageview, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

let t: TestTelmark;
beforeAll(async () => {
  t = await startTestTelmark({ MAX_BODY_BYTES: '8192' });
});
afterAll(async () => {
  await t?.destroy();
});

const totalPageviews = async () => (await t.query({ site_id: 'example.com', metrics: ['pageviews'], date_range: 'day' })).json.results[0].metrics[0];

describe('POST /api/event', () => {
  it('accepts long and short field names, as JSON or text/plain (sendBeacon), with 202', async () => {
    const long = await t.beacon({ name: 'pageview', url: 'https://example.com/a', domain: 'example.com', referrer: '', props: { a: 1 }, interactive: true });
    expect(long.status).toBe(202);
    const short = await fetch(`${t.collectorUrl}/api/event`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15' },
      body: JSON.stringify({ n: 'pageview', u: 'https://example.com/b', d: 'example.com', r: null, p: '{"x":"y"}', $: { amount: '9.99', currency: 'EUR' }, i: true }),
    });
    expect(short.status).toBe(202);
    await t.flush();
    expect(await totalPageviews()).toBe(2);
  });

  it('answers CORS preflight for any origin', async () => {
    const res = await fetch(`${t.collectorUrl}/api/event`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    const post = await t.beacon(pageview('https://example.com/'), { origin: 'https://shop.example' });
    expect(post.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('rejects bad input with a 4xx and a JSON reason naming the field', async () => {
    const cases: Array<[string, number, RegExp]> = [
      ['{"n":', 400, /not valid JSON/],
      ['[1,2]', 400, /JSON object/],
      [JSON.stringify({ u: 'https://example.com/', d: 'example.com' }), 400, /^name: is required/],
      [JSON.stringify({ n: 'pageview', d: 'example.com' }), 400, /^url: is required/],
      [JSON.stringify({ n: 'pageview', u: 'https://example.com/' }), 400, /^domain: is required/],
      [JSON.stringify({ n: 'pageview', u: 'javascript:alert(1)', d: 'example.com' }), 400, /^u: must be an absolute http\(s\) URL/],
      [JSON.stringify({ n: 'pageview', url: 'not a url', domain: 'example.com' }), 400, /^url: must be an absolute/],
      [JSON.stringify({ n: 'x'.repeat(121), u: 'https://example.com/', d: 'example.com' }), 400, /^n: must be at most 120/],
      [JSON.stringify({ n: 'pageview', u: 'https://example.com/', d: 'example.com', r: 'r'.repeat(2100) }), 400, /^r: must be at most/],
      // Props must be an object; inside one, odd values are dropped, not refused (event-semantics.test.ts),
      // and so is a malformed revenue.
      [JSON.stringify({ n: 'pageview', u: 'https://example.com/', d: 'example.com', p: [{ k: 1 }] }), 400, /^p: /],
      [JSON.stringify({ n: 'engagement', u: 'https://example.com/', d: 'example.com' }), 400, /^sd: engagement events need/],
      [JSON.stringify({ n: 'pageview', u: 'https://example.com/', d: 'example.com', i: 'yes' }), 400, /^i:/],
    ];
    for (const [body, status, error] of cases) {
      // The error names the field as the client sent it (short or long name).
      const res = await t.beacon(body);
      expect(res.status, body).toBe(status);
      expect((await res.json()).error, body).toMatch(error);
    }
    const big = await t.beacon(JSON.stringify({ n: 'pageview', u: 'https://example.com/', d: 'example.com', p: { a: 'x'.repeat(1900), b: 'y'.repeat(1900), c: 'z'.repeat(1900), d: 'w'.repeat(1900), e: 'v'.repeat(1900) } }));
    expect(big.status).toBe(413);
    expect((await big.json()).error).toMatch(/larger than 8192 bytes/);
    const xml = await t.beacon('<xml/>', { 'content-type': 'application/xml' });
    expect(xml.status).toBe(415);
    expect(await t.metric('telmark_requests_rejected_total{status="400",field="u"}')).toBe(1);
    expect(await t.metric('telmark_requests_rejected_total{status="400",field="url"}')).toBe(2);
  });

  it('drops unknown sites and bots with 202, counting the reason in /metrics', async () => {
    await t.flush();
    const before = await totalPageviews();
    expect((await t.beacon(pageview('https://other.com/', undefined, 'other.com'))).status).toBe(202);
    expect((await t.beacon(pageview('https://example.com/'), { 'user-agent': 'Googlebot/2.1 (+http://www.google.com/bot.html)' })).status).toBe(202);
    expect((await t.beacon(pageview('https://example.com/'), { 'sec-gpc': '1' })).status).toBe(202);
    expect((await t.beacon(pageview('https://example.com/'), { dnt: '1' })).status).toBe(202);
    await t.flush();
    expect(await totalPageviews()).toBe(before);
    expect(await t.metric('telmark_events_dropped_total{reason="unknown_site"}')).toBe(1);
    expect(await t.metric('telmark_events_dropped_total{reason="bot"}')).toBe(1);
    expect(await t.metric('telmark_bots_dropped_total{signal="isbot"}')).toBe(1);
    expect(await t.metric('telmark_events_dropped_total{reason="gpc"}')).toBe(1);
    expect(await t.metric('telmark_events_dropped_total{reason="dnt"}')).toBe(1);
  });

  it('never loses a valid event sent alongside garbage', async () => {
    const before = await totalPageviews();
    const garbage = ['', '{', 'null', '"x"', '{"n":null}', '\u0000\u0001', '{"n":"pageview","u":"https://example.com/","d":"example.com","p":[1]}'];
    const sends = [];
    for (let i = 0; i < 20; i++) {
      sends.push(t.beacon(pageview(`https://example.com/valid-${i}`), { 'x-forwarded-for': `203.0.113.${i}` }));
      sends.push(t.beacon(garbage[i % garbage.length]!));
    }
    const statuses = (await Promise.all(sends)).map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(20);
    expect(statuses.filter((s) => s >= 400 && s < 500)).toHaveLength(20);
    await t.flush();
    expect(await totalPageviews()).toBe(before + 20);
  });

  it('survives a deterministic fuzz of odd but well-formed beacons: only 202 or 4xx, never 5xx', async () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const pick = <T,>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
    const strings = ['', ' ', 'pageview', '\u0000', '%', '%E0%A4%A', 'ü', '😀'.repeat(50), 'javascript:alert(1)', 'android-app://com.google.android.gm', 'http://', 'https://example.com/%zz?utm_source=%ff', 'https://example.com/' + 'a/'.repeat(600), 'https://[::1]/', 'https://example.com:99999/', 'https://www.google.com/search?q=' + 'x'.repeat(500), 'http://semalt.com/'];
    const values = [null, true, 0, -1, 1e308, [], {}, { a: 1 }, '{"x":1}', ...strings];
    const statuses: number[] = [];
    for (let i = 0; i < 150; i++) {
      const body: Record<string, unknown> = {};
      for (const k of ['n', 'u', 'd', 'r', 'p', '$', 'i', 'name', 'url', 'domain', 'referrer']) if (rnd() < 0.12) body[k] = pick(values);
      if (rnd() < 0.5) body.u = pick(strings);
      if (rnd() < 0.7) body.d = pick(['example.com', 'example.com,other.com', 'EXAMPLE.COM', 'www.example.com', ...strings]);
      if (rnd() < 0.7) body.n = pick(['pageview', 'signup', ...strings]);
      statuses.push((await t.beacon(body)).status);
    }
    expect(statuses.every((s) => s === 202 || (s >= 400 && s < 500))).toBe(true);
    expect(statuses.filter((s) => s === 202).length).toBeGreaterThan(5);
    expect(await t.metric('telmark_internal_errors_total')).toBe(0);
    expect((await fetch(`${t.collectorUrl}/healthz`)).status).toBe(200);
  });

  it('serves the tracker script, health and metrics; unknown routes get a JSON 404', async () => {
    const script = await fetch(`${t.collectorUrl}/js/script.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    // Hono's secureHeaders on everything a browser renders or runs.
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(script.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect((await script.text()).length).toBeGreaterThan(200);
    expect((await fetch(`${t.collectorUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.dashboardUrl}/healthz`)).status).toBe(200);
    const missing = await fetch(`${t.collectorUrl}/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toMatch(/no route/);
    const text = await (await fetch(`${t.collectorUrl}/metrics`)).text();
    expect(text).toContain('# TYPE telmark_events_counted_total counter');
    expect(text).toContain('telmark_pending_rows');
  });
});
