// Issue 11 §2: property-based fuzzing (fast-check) of the beacon parser and of POST /api/event
// through the real collector over HTTP, on embedded ClickHouse. The generators are shared with
// `npm run faults -- --only=fuzz` (scripts/faults/hostile-beacons.ts, raw-http.ts), which runs
// them at 100k+ cases. The seed is fixed so a failure here is reproducible; FUZZ_SEED=<n> varies it.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBeacon } from '../../collector/beacon.ts';
import { setAllowedProps } from '../../schema/goals.ts';
import { wellFormed } from '../../schema/text.ts';
import { answerProblem, beaconCase, type BeaconCase, bodyText, CANARY, FUZZ_ALLOWED_PROPS, FUZZ_SITE, sendCase } from '../../scripts/faults/hostile-beacons.ts';
import { rawProblem, rawRequest, sendRaw } from '../../scripts/faults/raw-http.ts';
import { startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const MAX_BODY_BYTES = 16_384;
const PROTOTYPES = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
const before = PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort().join(','));

/** Nothing planted on a built-in prototype (this process runs the collector too). */
function expectNoPollution(): void {
  expect(({} as Record<string, unknown>)[CANARY]).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty(CANARY);
  expect(PROTOTYPES.map((p) => Object.getOwnPropertyNames(p).sort().join(','))).toEqual(before);
}

const preview = (c: BeaconCase) => JSON.stringify(bodyText(c).slice(0, 300));

describe('the beacon parser (collector/beacon.ts) under fast-check', () => {
  const cases = beaconCase(MAX_BODY_BYTES);

  it('never throws: every text is a beacon or a refusal that names its field', () => {
    const text = fc.oneof(
      cases.map(bodyText),
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.json({ maxDepth: 5 }),
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? ''),
      fc.object({ maxDepth: 3, withNullPrototype: true }).map((o) => JSON.stringify(o) ?? ''),
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = parseBeacon(t);
        if (!r.ok) {
          expect(r.field.length).toBeGreaterThan(0);
          expect(r.error.startsWith(r.field)).toBe(true);
          return;
        }
        const b = r.beacon;
        // Every string is well-formed UTF-16: a lone surrogate would fail the aggregates' insert.
        for (const text of [b.name, b.url, b.domain, b.referrer ?? '', ...Object.entries(b.props ?? {}).flat().filter((x) => typeof x === 'string')]) expect(wellFormed(text as string)).toBe(text);
        expect(b.name.trim()).toBe(b.name);
        expect(b.name.length).toBeGreaterThan(0);
        expect(b.name.length).toBeLessThanOrEqual(120);
        expect(['http:', 'https:']).toContain(new URL(b.url).protocol);
        if (b.props) {
          // Kept props live on a null-prototype object: a "__proto__" key is data, not a prototype.
          expect(Object.getPrototypeOf(b.props)).toBeNull();
          expect(Object.keys(b.props).length).toBeLessThanOrEqual(30);
          for (const v of Object.values(b.props)) expect(v === null || ['string', 'number', 'boolean'].includes(typeof v)).toBe(true);
        }
      }),
      { numRuns: 3000, seed: SEED },
    );
    expectNoPollution();
  });

  it('accepts every beacon that must be counted, with its name and URL as sent', () => {
    const valid = cases.filter((c) => (c.expect === 'pageview' || c.expect === 'event') && c.beacon !== undefined);
    fc.assert(
      fc.property(valid, (c) => {
        const r = parseBeacon(bodyText(c));
        if (!r.ok) throw new Error(`refused ${preview(c)}: ${r.error}`);
        expect(r.beacon.name).toBe(c.beacon!.name);
        expect(r.beacon.url).toBe(c.beacon!.url);
        expect(r.beacon.domain.split(',').map((d) => d.trim()).filter(Boolean)).toContain(FUZZ_SITE);
      }),
      { numRuns: 1500, seed: SEED },
    );
    expectNoPollution();
  });

  it('refuses every beacon with one invalid field, naming that field as the client spelt it', () => {
    const invalid = cases.filter((c) => c.field !== undefined);
    fc.assert(
      fc.property(invalid, (c) => {
        const r = parseBeacon(bodyText(c));
        if (r.ok) throw new Error(`accepted ${preview(c)}`);
        expect(r.field).toBe(c.field);
      }),
      { numRuns: 1500, seed: SEED },
    );
  });
});

describe('POST /api/event under fast-check, over real HTTP', () => {
  let t: TestTelmark;
  const sent = { pageview: 0, event: 0, total: 0, byKind: new Map<string, number>() };

  beforeAll(async () => {
    t = await startTestTelmark({ MAX_BODY_BYTES: String(MAX_BODY_BYTES) });
    // Props named like prototype members are allowed, so they travel all the way to the aggregates.
    await setAllowedProps(t.store, FUZZ_SITE, FUZZ_ALLOWED_PROPS, t.clock.now());
    await t.collector.goals.refresh();
  });
  afterAll(async () => {
    await t?.destroy();
  });

  /** Flushes, then reads today's totals of the site. */
  const totals = async () => {
    await t.flush();
    const { status, json } = await t.query({ site_id: FUZZ_SITE, metrics: ['pageviews', 'events'], date_range: 'day' });
    expect(status).toBe(200);
    return { pageviews: json.results[0].metrics[0] as number, events: json.results[0].metrics[1] as number };
  };

  it('answers every request 202 or a 4xx with a JSON reason (never a 5xx), and counts every valid beacon exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(beaconCase(MAX_BODY_BYTES), { minLength: 1, maxLength: 12 }), async (batch) => {
        const answers = await Promise.all(batch.map((c) => sendCase(t.collectorUrl, c)));
        batch.forEach((c, i) => {
          const problem = answerProblem(c, answers[i]!);
          if (problem) throw new Error(`${c.kind}: ${problem}\nbody: ${preview(c)}\nheaders: ${JSON.stringify(c.headers).slice(0, 300)}`);
          if (c.expect === 'pageview') sent.pageview++;
          if (c.expect === 'event') sent.event++;
          sent.total++;
          sent.byKind.set(c.kind, (sent.byKind.get(c.kind) ?? 0) + 1);
        });
      }),
      // No shrinking: every re-run would send (and count) more beacons; the first failure is reported as it came.
      { numRuns: 150, seed: SEED, endOnFailure: true },
    );
    await t.flush();
    const counted = await totals();
    // The mix really holds what it claims (a generator that stopped making valid beacons would pass vacuously).
    expect(sent.total).toBeGreaterThan(600);
    expect(sent.pageview).toBeGreaterThan(100);
    expect(sent.event).toBeGreaterThan(100);
    expect([...sent.byKind.keys()].sort()).toEqual(
      expect.arrayContaining(['bot', 'bytes', 'content type', 'custom event', 'deep nesting', 'dnt/gpc', 'foreign site', 'invalid name', 'invalid props', 'invalid url', 'odd text', 'oversize', 'pageview', 'prototype keys', 'random JSON']),
    );
    expect(counted).toEqual({ pageviews: sent.pageview, events: sent.pageview + sent.event });
    expect(await t.metric('telmark_internal_errors_total')).toBe(0);
    expect((await fetch(`${t.collectorUrl}/healthz`)).status).toBe(200);
    expectNoPollution();
  }, 120_000);

  it('counts a beacon whose name, URL, referrer and props hold lone surrogates (found by this fuzz: they used to fail every flush)', async () => {
    const before = await totals();
    const body = '{"n":"\\ud800sign\\udfffup","u":"https://example.com/\\udc00","d":"example.com","r":"https://ref.example/\\ud83d","p":{"plan":"\\udbff","\\ud800":"x"}}';
    expect((await t.beacon(body)).status).toBe(202);
    await t.flush();
    expect(await totals()).toEqual({ pageviews: before.pageviews, events: before.events + 1 });
    // Stored as U+FFFD, as a UTF-8 encoder writes a lone surrogate.
    const names = await t.query({ site_id: FUZZ_SITE, metrics: ['events'], date_range: 'day', dimensions: ['event:name'], filters: [['is', 'event:name', ['\ufffdsign\ufffdup']]] });
    expect(names.json.results).toEqual([{ dimensions: ['\ufffdsign\ufffdup'], metrics: [1] }]);
    const plan = await t.query({ site_id: FUZZ_SITE, metrics: ['events'], date_range: 'day', dimensions: ['event:props:plan'], filters: [['is', 'event:name', ['\ufffdsign\ufffdup']]] });
    expect(plan.json.results).toEqual([{ dimensions: ['\ufffd'], metrics: [1] }]);
  });

  it('answers malformed HTTP (control characters and NUL in headers, broken framing, bad request lines) with a 4xx and a JSON reason', async () => {
    const port = Number(new URL(t.collectorUrl).port);
    let responses = 0;
    await fc.assert(
      fc.asyncProperty(rawRequest, async (request) => {
        const answer = await sendRaw(port, request);
        const problem = rawProblem(answer);
        if (problem) throw new Error(`${problem}\nrequest: ${JSON.stringify(request.toString('latin1').slice(0, 300))}`);
        responses += answer.responses.length;
      }),
      { numRuns: 200, seed: SEED, endOnFailure: true },
    );
    expect(responses).toBeGreaterThanOrEqual(200);
    // The collector is still whole: a valid beacon after all that is counted.
    const before = await totals();
    expect((await t.beacon({ n: 'pageview', u: 'https://example.com/after', d: FUZZ_SITE })).status).toBe(202);
    await t.flush();
    expect(await totals()).toEqual({ pageviews: before.pageviews + 1, events: before.events + 1 });
    expect(await t.metric('telmark_internal_errors_total')).toBe(0);
    expectNoPollution();
  });
});
