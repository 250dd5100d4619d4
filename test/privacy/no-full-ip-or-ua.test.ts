// Privacy promises 1 and 2: after beacons from known full IPs and user agents, no column of any
// table, no log line, no file under DATA_DIR and no /metrics output holds a full IP or a raw UA.
// Abuse traffic included (issue 3): bursts that get addresses flagged and refused with 429,
// security API lookups and erasures (audited), and data-subject requests (audited). Only the
// abuse buffer (memory) and its authenticated API may show a full address.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setAllowedProps } from '../../schema/goals.ts';
import { cellsAsText, pageview, privacyMe, securityFetch, startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';

// Documentation addresses, and two public ones (Germany, Brazil in the packaged DB-IP Lite
// database) that the country look-up reads in full before truncateIp (issue 10).
const IPS = ['203.0.113.77', '198.51.100.203', '2001:db8:85a3:8d3:1319:8a2e:370:7348', '192.0.2.199', '193.99.144.80', '2804:14c:abcd:1:2:3:4:5'];
const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.86 Safari/537.36 PrivacyProbe/1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0 PrivacyProbe/2',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1 PrivacyProbe/3',
];
const CLICK_ID = 'Cj0KCQiA-privacy-probe-gclid';
/** Addresses that burst, get flagged and are looked up, erased and asked about. */
const ABUSERS = ['198.51.100.66', '2001:db8:dead:beef:1:2:3:4'];

let t: TestTelmark;
const PROP_EMAIL = 'ann.lee@example.com';
const captured: string[] = [];
const originalWrite = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

beforeAll(async () => {
  // Everything written to stdout/stderr in this process, on top of the service's own log lines.
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    captured.push(String(chunk));
    return (originalWrite.out as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    captured.push(String(chunk));
    return (originalWrite.err as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  t = await startTestTelmark({ MAX_BODY_BYTES: '4096', ABUSE_LIMIT_EVENTS_10S: '10', ABUSE_HOLD_MS: '10000' });
  // The site aggregates the prop key "plan" (not "email"): an e-mail in an allowed prop's value
  // must reach the store redacted, and a prop that is not allowed must not reach it at all.
  await setAllowedProps(t.store, 'example.com', ['plan'], t.clock.now());
  await t.collector.goals.refresh();
  for (const ip of IPS) {
    for (const ua of UAS) {
      const h = { 'x-forwarded-for': ip, 'user-agent': ua };
      expect((await t.beacon(pageview(`https://example.com/landing?gclid=${CLICK_ID}&utm_source=google&q=secret-query`, 'https://www.google.com/search?q=private+words'), h)).status).toBe(202);
      t.clock.advance(20);
      expect((await t.beacon({ n: 'signup', u: 'https://example.com/thanks#frag', d: 'example.com', p: { email: 'x@y.z', plan: `${PROP_EMAIL} pro` } }, h)).status).toBe(202);
      // Bad input and dropped events from the same clients must not leak either.
      expect((await t.beacon('{"n":', h)).status).toBe(400);
      expect((await t.beacon(pageview('https://unknown.example/', undefined, 'unknown.example'), h)).status).toBe(202);
      expect((await t.beacon(JSON.stringify({ n: 'pageview', u: 'https://example.com/', d: 'example.com', p: { a: 'x'.repeat(5000) } }), h)).status).toBe(413);
    }
  }
  // Abuse: bursts past ABUSE_LIMIT_EVENTS_10S (flagged, 429), then the security API and the
  // data-subject endpoints about those addresses, each call audited in ClickHouse.
  for (const ip of ABUSERS) {
    const h = { 'x-forwarded-for': ip, 'user-agent': UAS[0]! };
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) statuses.push((await t.beacon(pageview(`https://example.com/burst?gclid=${CLICK_ID}`), h)).status);
    expect(statuses.filter((s) => s === 429).length).toBe(5);
    expect((await t.beacon('{"n":', h)).status).toBe(429);
    expect((await t.admin(`/admin/abuse/ips/${ip}`)).status).toBe(200);
    expect((await t.admin('/admin/abuse/flagged')).status).toBe(200);
    expect((await securityFetch(t, `/abuse/ips/${ip}`)).status).toBe(200);
    const me = await privacyMe(t.collectorUrl, ip);
    expect((await me.json()).record.ip).toBe(ip);
    expect((await privacyMe(t.collectorUrl, ip, 'DELETE')).status).toBe(409);
  }
  expect((await t.admin(`/admin/abuse/ips/${ABUSERS[0]}`, { method: 'DELETE' })).status).toBe(200);
  expect((await t.admin(`/admin/abuse/ips/${IPS[0]}`)).status).toBe(200);
  expect((await privacyMe(t.collectorUrl, IPS[1]!, 'DELETE')).status).toBe(200);
  // The socket peer itself (127.0.0.1) is the one full IP the collector sees without a proxy.
  await t.flush();
}, 120_000);

afterAll(async () => {
  process.stdout.write = originalWrite.out;
  process.stderr.write = originalWrite.err;
  await t?.destroy();
});

const forbidden = [...IPS, ...ABUSERS, ...UAS, CLICK_ID, 'secret-query', 'private+words', 'x@y.z', PROP_EMAIL];

it('counted what it was sent (the scan below is over real data)', async () => {
  const { json } = await t.query({ site_id: 'example.com', metrics: ['visitors', 'pageviews', 'events'], date_range: 'day' });
  // One pageview and one custom event per person: events = pageviews + custom events.
  expect(json.results[0].metrics).toEqual([IPS.length * UAS.length, IPS.length * UAS.length, 2 * IPS.length * UAS.length]);
  // The bursts were dropped whole (held, then dropped once their address was flagged).
  expect(await t.metric('telmark_events_dropped_total{reason="abuse"}')).toBeGreaterThan(0);
  const audited = await (await t.store.client.query({ query: `SELECT count() AS n FROM ${t.store.table('audit_log')}`, format: 'JSONEachRow' })).json<{ n: string }>();
  expect(Number(audited[0]!.n)).toBeGreaterThanOrEqual(ABUSERS.length * 5 + 3);
  // The allowed prop was aggregated, its e-mail redacted; the other one dropped and counted.
  const plans = await t.query({ site_id: 'example.com', metrics: ['events'], date_range: 'day', dimensions: ['event:props:plan'] });
  expect(plans.json.results).toEqual([{ dimensions: [':id pro'], metrics: [IPS.length * UAS.length] }]);
  expect(await t.metric('telmark_props_dropped_total{reason="not_allowed"}')).toBe(IPS.length * UAS.length);
  // The public addresses were looked up (only their country code is kept; the scans below look for the addresses).
  const countries = await t.query({ site_id: 'example.com', metrics: ['visitors'], date_range: 'day', dimensions: ['visit:country'] });
  expect(countries.json.results).toEqual([
    { dimensions: ['(not set)'], metrics: [4 * UAS.length] },
    { dimensions: ['BR'], metrics: [UAS.length] },
    { dimensions: ['DE'], metrics: [UAS.length] },
  ]);
});

it('no column of any table holds a full IP, a raw user agent, a click id or a query string', async () => {
  const tables = await (
    await t.store.client.query({
      query: `SELECT database, name FROM system.tables WHERE database NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema') AND engine NOT IN ('MaterializedView', 'View')`,
      format: 'JSONEachRow',
    })
  ).json<{ database: string; name: string }>();
  expect(tables.length).toBeGreaterThan(8);
  let cells = 0;
  for (const { database, name } of tables) {
    const { rows } = await cellsAsText(t.store, database, name);
    for (const row of rows) {
      for (const cell of row) {
        cells++;
        for (const f of forbidden) expect(cell.includes(f), `${database}.${name} holds ${f}`).toBe(false);
      }
    }
  }
  expect(cells).toBeGreaterThan(50);
});

it('no log line, metric or file under DATA_DIR holds them', async () => {
  const metrics = await (await fetch(`${t.collectorUrl}/metrics`)).text();
  const texts = [...t.logs, ...captured, metrics];
  expect(t.logs.length).toBeGreaterThan(0);
  for (const text of texts) for (const f of forbidden) expect(text.includes(f), `log/metric holds ${f}: ${text.slice(0, 200)}`).toBe(false);
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.push(p);
    }
  };
  walk(t.dataDir);
  expect(files.length).toBeGreaterThan(0);
  for (const file of files) {
    const content = readFileSync(file).toString('latin1');
    for (const f of forbidden) expect(content.includes(f), `${file} holds ${f}`).toBe(false);
  }
});
