// Issue 3, section 2: a burst from one address is flagged through real HTTP, answered 429 with
// Retry-After, and does not move the counts marketers see; other clients are served normally.
import { afterEach, describe, expect, it } from 'vitest';
import { startAll, type Running } from '../../scripts/start-all.ts';
import { adminFetch, pageview, postBeacon, startTestTelmark, tempDir, testEnv, type TestTelmark } from '../helpers/telmark.ts';

const LIMITS = { ABUSE_LIMIT_EVENTS_10S: '20', ABUSE_LIMIT_EVENTS_1M: '0', ABUSE_LIMIT_EVENTS_10M: '0' };
const ABUSER = '198.51.100.66';
// Five people: different /24s (addresses in one /24 with one browser are one visitor once truncated).
const PEOPLE = ['203.0.113.1', '198.51.100.20', '2001:db8:1::5', '192.0.2.44', '100.64.7.1'];

let t: TestTelmark | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

/** Three pageviews from each person, interleaved with `during` (the burst, or nothing). */
async function trafficWith(t: TestTelmark, during: () => Promise<number[]>): Promise<{ people: number[]; burst: number[] }> {
  const people: number[] = [];
  for (const ip of PEOPLE) people.push((await t.beacon(pageview('https://example.com/'), { 'x-forwarded-for': ip })).status);
  const burst = await during();
  for (const ip of PEOPLE) {
    people.push((await t.beacon(pageview('https://example.com/pricing', 'https://example.com/'), { 'x-forwarded-for': ip })).status);
    people.push((await t.beacon(pageview('https://example.com/signup', 'https://example.com/pricing'), { 'x-forwarded-for': ip })).status);
  }
  return { people, burst };
}

const burstOf = (t: TestTelmark, n: number, retryAfter = '3600') => async () => {
  const statuses: number[] = [];
  // Concurrent, in waves of 25, as a script would send them.
  for (let sent = 0; sent < n; sent += 25) {
    const wave = Array.from({ length: Math.min(25, n - sent) }, (_, i) =>
      t.beacon(pageview(`https://example.com/p/${sent + i}`, 'https://spam-source.example/'), { 'x-forwarded-for': ABUSER }),
    );
    for (const res of await Promise.all(wave)) {
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers.get('retry-after')).toBe(retryAfter);
        expect((await res.json()).error).toBe(`too many requests from this address; retry after ${retryAfter} s`);
      } else await res.body?.cancel();
    }
  }
  return statuses;
};

async function marketerView(t: TestTelmark) {
  const total = await t.query({ site_id: 'example.com', metrics: ['visitors', 'visits', 'pageviews', 'bounce_rate'], date_range: 'day' });
  const sources = await t.query({ site_id: 'example.com', metrics: ['visitors', 'pageviews'], dimensions: ['visit:source'], date_range: 'day' });
  const pages = await t.query({ site_id: 'example.com', metrics: ['pageviews'], dimensions: ['event:page'], date_range: 'day' });
  return { total: total.json.results, sources: sources.json.results, pages: pages.json.results };
}

describe('a burst from one address', () => {
  it('is flagged, answered 429 with Retry-After, and leaves every count as it would be without it', async () => {
    // The same traffic without the burst, for the numbers marketers should see.
    t = await startTestTelmark({ ...LIMITS, ABUSE_HOLD_MS: '10000' });
    await trafficWith(t, async () => []);
    t.clock.advance(11);
    await t.flush();
    const expected = await marketerView(t);
    expect(expected.total[0].metrics).toEqual([5, 5, 15, 0]);
    await t.destroy();

    t = await startTestTelmark({ ...LIMITS, ABUSE_HOLD_MS: '10000' });
    const { people, burst } = await trafficWith(t, burstOf(t, 300));
    // The first 20 fit the limit and were accepted (held); the 21st tripped it; the rest were refused.
    expect(burst.filter((s) => s === 202).length).toBe(20);
    expect(burst.filter((s) => s === 429).length).toBe(280);
    // Everyone else was served as usual, during and after the burst.
    expect(people.every((s) => s === 202)).toBe(true);
    t.clock.advance(11);
    await t.flush();
    expect(await marketerView(t)).toEqual(expected);
    // Where the burst went: 21 events (20 held, 1 that tripped the rule) dropped as abuse; 280
    // answers 429 (the one that tripped it, and 279 refused before their body was read).
    expect(await t.metric('telmark_events_dropped_total{reason="abuse"}')).toBe(21);
    expect(await t.metric('telmark_requests_refused_abuse_total')).toBe(280);
    expect(await t.metric('telmark_events_counted_total')).toBe(15);
    expect(await t.metric('telmark_abuse_flagged_entries')).toBe(1);
  }, 60_000);

  it('keeps getting 429 while it goes on, and is served again once its entry ends', async () => {
    t = await startTestTelmark({ ...LIMITS, ABUSE_TTL_S: '600' });
    await burstOf(t, 30, '600')();
    t.clock.advance(300);
    const again = await t.beacon(pageview('https://example.com/'), { 'x-forwarded-for': ABUSER });
    expect(again.status).toBe(429);
    // The request renewed the entry: 600 s from now.
    expect(again.headers.get('retry-after')).toBe('600');
    t.clock.advance(600);
    expect((await t.beacon(pageview('https://example.com/'), { 'x-forwarded-for': ABUSER })).status).toBe(202);
  }, 30_000);

  it('without the hold (ABUSE_HOLD_MS=0) the events before the flag are counted: the hold is what keeps counts unmoved', async () => {
    t = await startTestTelmark({ ...LIMITS, ABUSE_HOLD_MS: '0' });
    await trafficWith(t, burstOf(t, 100));
    await t.flush();
    const { total } = await marketerView(t);
    // 15 pageviews from people + the 20 burst events accepted before the rule tripped.
    expect(total[0].metrics[2]).toBe(35);
  }, 30_000);

  it('invalid requests from one address get it flagged (invalid_1m)', async () => {
    t = await startTestTelmark({ ABUSE_LIMIT_INVALID_1M: '5' });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await t.beacon('{"n":', { 'x-forwarded-for': ABUSER })).status);
    expect(statuses).toEqual([400, 400, 400, 400, 400, 400, 429, 429]);
    expect((await t.beacon(pageview('https://example.com/'), { 'x-forwarded-for': PEOPLE[0]! })).status).toBe(202);
  });

  it('beacons naming many sites in a minute get their sender flagged (sites_1m), unknown domains included', async () => {
    t = await startTestTelmark({ ABUSE_LIMIT_SITES_1M: '3' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.beacon(pageview(`https://s${i}.example/`, undefined, `s${i}.example`), { 'x-forwarded-for': ABUSER })).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429, 429]);
  });

  it('a steady stream of bot user agents gets its sender flagged (bot_1m)', async () => {
    t = await startTestTelmark({ ABUSE_LIMIT_BOT_1M: '4' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await t.beacon(pageview('https://example.com/'), { 'x-forwarded-for': ABUSER, 'user-agent': 'python-requests/2.32.3' })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
    expect(await t.metric('telmark_events_dropped_total{reason="bot"}')).toBe(4);
  });
});

describe('the buffer lives in memory only', () => {
  it('a restart empties it: a flagged address is not held (nor refused) after the collector restarts on the same DATA_DIR', async () => {
    const dir = tempDir('telmark-restart-');
    const env = testEnv(dir.path, { ABUSE_LIMIT_EVENTS_10S: '2' });
    const send = (url: string) => postBeacon(url, pageview('https://example.com/'), { 'content-type': 'text/plain', 'x-forwarded-for': ABUSER });
    const held = (running: Running) => adminFetch(running, `/admin/abuse/ips/${ABUSER}`);
    try {
      const first = await startAll(env, { log: () => {} });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await send(first.collectorUrl)).status);
      expect(statuses).toEqual([202, 202, 429, 429]);
      expect((await held(first)).status).toBe(200);
      await first.stop();

      const second = await startAll(env, { log: () => {} });
      expect((await held(second)).status).toBe(404);
      expect((await send(second.collectorUrl)).status).toBe(202);
      await second.stop();
    } finally {
      dir.remove();
    }
  }, 60_000);
});
