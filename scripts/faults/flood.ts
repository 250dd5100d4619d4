// `npm run faults -- --only=flood`: a cardinality flood. Beacons with a unique value on every
// free-text dimension (path, referrer host, source, the five UTM fields, event name, an allowed
// prop value; browser and OS names from a few hundred made-up spellings) from many addresses, each far under every abuse limit (defaults kept), through real
// HTTP into a real collector on embedded ClickHouse. Measures RSS before and after, the rows and
// bytes the cubes hold, and checks the promises of collector/cardinality/: every accepted event is
// counted once (totals conserved), each dimension keeps at most its limit + "(other)", and the
// fold counter in /metrics equals the events booked under "(other)". test/collector/cardinality-flood.test.ts
// runs it with fewer beacons and asserts the same figures.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CARDINALITY_LIMITS, type CappedDimension } from '../../collector/cardinality/limits.ts';
import { FOLDED_METRIC } from '../../collector/cardinality/caps.ts';
import { OTHER_NAME } from '../../collector/goals/daily-cap.ts';
import { setAllowedProps } from '../../schema/goals.ts';
import { CUBE_NAMES, cubeTable } from '../../schema/cubes.ts';
import { startAll } from '../start-all.ts';

export const FLOOD_SITE = 'flood.example';

export interface FloodOptions {
  /** Beacons sent, half pageviews, half custom events; every value unique. */
  beacons: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Distinct client addresses (each in its own /24), used round-robin. */
  addresses: number;
}

export const FLOOD_DEFAULTS: FloodOptions = { beacons: 200_000, concurrency: 64, addresses: 20_000 };
/** Just past the largest limit (paths, 10,000), so every dimension folds: the test's size. */
export const FLOOD_QUICK: FloodOptions = { beacons: 10_500, concurrency: 32, addresses: 2_000 };

/** Where a capped dimension lands, as checked here: the cube, its column, and which counters its events add. */
const CHECKS: Record<CappedDimension, { cube: string; column: string; counted: string }> = {
  path: { cube: 'pages', column: 'path', counted: 'pageviews + events' },
  referrer_host: { cube: 'acquisition', column: 'referrer_host', counted: 'pageviews + events' },
  source: { cube: 'acquisition', column: 'source', counted: 'pageviews + events' },
  utm_source: { cube: 'acquisition', column: 'utm_source', counted: 'pageviews + events' },
  utm_medium: { cube: 'acquisition', column: 'utm_medium', counted: 'pageviews + events' },
  utm_campaign: { cube: 'acquisition', column: 'utm_campaign', counted: 'pageviews + events' },
  utm_content: { cube: 'acquisition', column: 'utm_content', counted: 'pageviews + events' },
  utm_term: { cube: 'acquisition', column: 'utm_term', counted: 'pageviews + events' },
  event_name: { cube: 'event_names', column: 'name', counted: 'events' },
  prop_value: { cube: 'event_props', column: 'prop_value', counted: 'pageviews + events' },
  browser: { cube: 'tech', column: 'browser', counted: 'pageviews + events' },
  os: { cube: 'tech', column: 'os', counted: 'pageviews + events' },
};

export interface DimensionFigures {
  limit: number;
  /** Distinct values sent (of accepted beacons). */
  sent: number;
  /** Every event brought a value of its own (false: browsers and OS, a few hundred values over and over). */
  unique: boolean;
  /** Distinct values in the hour cube, "(other)" included. */
  distinct: number;
  /** telmark_values_folded_total{dimension} */
  foldedMetric: number;
  /** Events booked under "(other)" in the cube. */
  foldedStored: number;
  /**
   * Events that should have folded: those whose value is not among the values the cube kept
   * (sent - limit when every value is unique).
   */
  foldedExpected: number;
}

export interface FloodFigures {
  options: FloodOptions;
  sent: number;
  accepted: number;
  /** telmark_events_counted_total */
  countedMetric: number;
  /** sum(pageviews + events) per visit-scoped and page cube (hour grain): each must equal accepted. */
  storedTotals: Record<string, number>;
  /** sum(events) of the custom-event cube: must equal the custom events accepted. */
  storedCustomEvents: number;
  customEventsAccepted: number;
  dimensions: Record<string, DimensionFigures>;
  /** Values the cap sets hold at the end (telmark_cardinality_values_held). */
  capValuesHeld: number;
  /**
   * The other bounded memories a flood of new visits fills, from /metrics at the end: live visits
   * (MAX_SESSIONS), last non-direct acquisitions (100,000 at most), abuse entries and their bytes.
   */
  otherHeld: { sessions: number; attributionEntries: number; abuseEntries: number; abuseBytes: number };
  rssBeforeBytes: number;
  rssAfterBytes: number;
  heapBeforeBytes: number;
  heapAfterBytes: number;
  /** Cube rows and bytes on disk after OPTIMIZE FINAL (all cube tables, minute and hour). */
  cubeRows: number;
  cubeBytes: number;
  rowsByTable: Record<string, number>;
  seconds: number;
  beaconsPerSecond: number;
}

/** A unique word of letters only (the path and event-name redaction leaves letters alone). */
export function word(i: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (i % 26)) + s;
    i = Math.floor(i / 26);
  } while (i > 0);
  return s;
}

/** Beacon i of the flood: every free-text value unique. */
export function floodBeacon(i: number): Record<string, unknown> {
  const w = word(i);
  const utm = `utm_source=src-${w}-x&utm_medium=med-${w}&utm_campaign=camp-${w}&utm_content=cont-${w}&utm_term=term-${w}`;
  return {
    n: i % 2 === 0 ? 'pageview' : `evt-${w}`,
    u: `https://${FLOOD_SITE}/flood/${w}?${utm}`,
    d: FLOOD_SITE,
    r: `https://ref-${w}.example.net/`,
    p: { plan: `plan-${w}` },
  };
}

/** `name` with its letters' case set by the bits of k: up to 2^length spellings of one name. */
function spelling(name: string, k: number): string {
  return [...name].map((c, b) => ((k >> b) & 1 ? c.toUpperCase() : c)).join('');
}

/**
 * Browser and OS names ua-parser-js copies from the user agent as written, so their spellings
 * are made-up values: 256 + 128 browsers and 128 + 128 operating systems, past both limits.
 */
export const FLOOD_BROWSERS = [...Array.from({ length: 256 }, (_, k) => spelling('sleipnir', k)), ...Array.from({ length: 128 }, (_, k) => spelling('vivaldi', k))];
export const FLOOD_OSES = [...Array.from({ length: 128 }, (_, k) => spelling('fuchsia', k)), ...Array.from({ length: 128 }, (_, k) => spelling('symbian', k))];
const browserOf = (i: number) => FLOOD_BROWSERS[i % FLOOD_BROWSERS.length]!;
const osOf = (i: number) => FLOOD_OSES[i % FLOOD_OSES.length]!;
const userAgent = (i: number) => `Mozilla/5.0 (X11; ${osOf(i)} x86_64) AppleWebKit/537.36 (KHTML, like Gecko) ${browserOf(i)}/6.0 Safari/537.36`;

/** Address of client a: 10.x.y.7, each in its own /24. */
const address = (a: number) => `10.${(a >> 8) & 255}.${a & 255}.7`;

export async function run(options: Partial<FloodOptions> = {}, progress: (line: string) => void = () => {}): Promise<FloodFigures> {
  const opts = { ...FLOOD_DEFAULTS, ...options };
  const dataDir = mkdtempSync(join(tmpdir(), 'telmark-flood-'));
  // A clock on one UTC day whatever the hour of the run: the caps are per UTC day.
  const realStart = Date.now();
  const anchor = Math.floor(realStart / 86_400_000) * 86_400_000 + 10 * 3_600_000;
  const now = () => anchor + (Date.now() - realStart);
  const logs: string[] = [];
  const running = await startAll(
    {
      DATA_DIR: dataDir,
      COLLECTOR_PORT: '0',
      COLLECTOR_HOST: '127.0.0.1',
      COLLECTOR_ADMIN_PORT: '0',
      SITES: FLOOD_SITE,
      // Loopback is the trusted proxy, so X-Forwarded-For names the (many) clients.
      TRUSTED_PROXIES: '127.0.0.1/32',
      STATS_API_KEYS: 'flood-stats-key-0123456789',
      SECURITY_API_KEYS: 'flood-security-key-0123456789',
    },
    { log: (line) => logs.push(line), now, dashboard: false },
  );
  try {
    await setAllowedProps(running.store, FLOOD_SITE, ['plan'], now());
    await running.collector.goals.refresh();
    const metric = async (line: string) => {
      const text = await (await fetch(`${running.collectorUrl}/metrics`)).text();
      const found = text.split('\n').find((l) => l.startsWith(line + ' '));
      return found ? Number(found.split(' ').pop()) : 0;
    };

    gc();
    const before = process.memoryUsage();
    progress(`sending ${opts.beacons} beacons from ${opts.addresses} addresses, ${opts.concurrency} at a time`);
    const started = performance.now();
    let next = 0;
    let accepted = 0;
    let customAccepted = 0;
    const acceptedBrowsers = new Map<string, number>();
    const acceptedOses = new Map<string, number>();
    const statuses = new Map<number, number>();
    const worker = async () => {
      for (let i = next++; i < opts.beacons; i = next++) {
        const res = await fetch(`${running.collectorUrl}/api/event`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': userAgent(i),
            'x-forwarded-for': address(i % opts.addresses),
            // A new visitor each time (the visitor key includes it), so every beacon opens a visit
            // and every acquisition value reaches the cubes.
            'accept-language': `x-${word(i)}`,
          },
          body: JSON.stringify(floodBeacon(i)),
        });
        await res.body?.cancel();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status === 202) {
          accepted++;
          if (i % 2 === 1) customAccepted++;
          acceptedBrowsers.set(browserOf(i), (acceptedBrowsers.get(browserOf(i)) ?? 0) + 1);
          acceptedOses.set(osOf(i), (acceptedOses.get(osOf(i)) ?? 0) + 1);
        }
        if (i > 0 && i % 20_000 === 0) progress(`${i} sent`);
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
    const seconds = (performance.now() - started) / 1000;
    if (accepted !== opts.beacons) progress(`answers: ${JSON.stringify(Object.fromEntries(statuses))}`);
    await running.flush();
    gc();
    const after = process.memoryUsage();
    progress(`sent in ${seconds.toFixed(1)} s; flushed`);

    const { client } = running.store;
    const one = async (query: string): Promise<number> => {
      const rs = await client.query({ query, query_params: { s: FLOOD_SITE, other: OTHER_NAME }, format: 'JSONEachRow' });
      return Number(Object.values((await rs.json<Record<string, string>>())[0]!)[0]);
    };
    const table = (cube: string) => running.store.table(cubeTable(cube as never, 'hour'));

    const storedTotals: Record<string, number> = {};
    for (const cube of ['acquisition', 'pages', 'entry_pages', 'tech', 'event_props']) {
      storedTotals[cube] = await one(`SELECT sum(pageviews) + sum(events) FROM ${table(cube)} WHERE site = {s:String}`);
    }
    const storedCustomEvents = await one(`SELECT sum(events) FROM ${table('event_names')} WHERE site = {s:String}`);

    // Values of accepted beacons are all unique: a dimension sees one new value per event that
    // books it (custom events only, for event names).
    const dimensions: Record<string, DimensionFigures> = {};
    for (const [d, c] of Object.entries(CHECKS)) {
      const limit = CARDINALITY_LIMITS[d as CappedDimension].perDay;
      const repeated = d === 'browser' ? acceptedBrowsers : d === 'os' ? acceptedOses : undefined;
      let sent: number;
      let foldedExpected: number;
      if (repeated) {
        // Which spellings got in depends on arrival order: count the events of those that did not.
        const rs = await client.query({ query: `SELECT DISTINCT ${c.column} AS v FROM ${table(c.cube)} WHERE site = {s:String}`, query_params: { s: FLOOD_SITE }, format: 'JSONEachRow' });
        const kept = new Set((await rs.json<{ v: string }>()).map((r) => r.v));
        sent = repeated.size;
        foldedExpected = [...repeated].reduce((n, [v, events]) => n + (kept.has(v) ? 0 : events), 0);
      } else {
        sent = d === 'event_name' ? customAccepted : accepted;
        foldedExpected = Math.max(0, sent - limit);
      }
      dimensions[d] = {
        limit,
        sent,
        unique: !repeated,
        distinct: await one(`SELECT uniqExact(${c.column}) FROM ${table(c.cube)} WHERE site = {s:String}`),
        foldedMetric: await metric(`${FOLDED_METRIC}{dimension="${d}"}`),
        foldedStored: await one(`SELECT sum(${c.counted}) FROM ${table(c.cube)} WHERE site = {s:String} AND ${c.column} = {other:String}`),
        foldedExpected,
      };
    }
    const distinctEntryPages = await one(`SELECT uniqExact(entry_page) FROM ${table('entry_pages')} WHERE site = {s:String}`);
    dimensions['path (entry pages)'] = {
      ...dimensions.path!,
      distinct: distinctEntryPages,
      foldedStored: await one(`SELECT sum(pageviews + events) FROM ${table('entry_pages')} WHERE site = {s:String} AND entry_page = {other:String}`),
    };

    // Rows and bytes as stored once merged (steady state).
    const tables = CUBE_NAMES.flatMap((c) => [cubeTable(c, 'minute'), cubeTable(c, 'hour')]);
    for (const t of tables) await client.command({ query: `OPTIMIZE TABLE ${running.store.table(t)} FINAL` });
    const rs = await client.query({
      query: `SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = {db:String} AND active AND table IN {t:Array(String)} GROUP BY table`,
      query_params: { db: running.store.db, t: tables },
      format: 'JSONEachRow',
    });
    const parts = await rs.json<{ table: string; rows: string; bytes: string }>();
    const rowsByTable = Object.fromEntries(parts.map((p) => [p.table, Number(p.rows)]));

    return {
      options: opts,
      sent: opts.beacons,
      accepted,
      countedMetric: await metric('telmark_events_counted_total'),
      storedTotals,
      storedCustomEvents,
      customEventsAccepted: customAccepted,
      dimensions,
      capValuesHeld: await metric('telmark_cardinality_values_held'),
      otherHeld: {
        sessions: await metric('telmark_sessions'),
        attributionEntries: await metric('telmark_attribution_entries'),
        abuseEntries: await metric('telmark_abuse_entries'),
        abuseBytes: await metric('telmark_abuse_memory_bytes'),
      },
      rssBeforeBytes: before.rss,
      rssAfterBytes: after.rss,
      heapBeforeBytes: before.heapUsed,
      heapAfterBytes: after.heapUsed,
      cubeRows: parts.reduce((n, p) => n + Number(p.rows), 0),
      cubeBytes: parts.reduce((n, p) => n + Number(p.bytes), 0),
      rowsByTable,
      seconds,
      beaconsPerSecond: opts.beacons / seconds,
    };
  } finally {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * A full collection before each memory reading, so RSS and heap show what is held, not garbage
 * not yet collected. node exposes gc() only with --expose-gc; setting the flag at run time and
 * reading gc from a fresh context gives it to `npm run faults` and vitest alike.
 */
function gc(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** The figures as README rows. */
export function floodMarkdown(f: FloodFigures): string {
  const mb = (b: number) => `${(b / 1_048_576).toFixed(1)} MB`;
  const n = (x: number) => x.toLocaleString('en');
  const lines = [
    `${f.sent.toLocaleString('en')} beacons (${f.options.addresses.toLocaleString('en')} addresses, ${f.options.concurrency} in flight) in ${f.seconds.toFixed(1)} s (${Math.round(f.beaconsPerSecond).toLocaleString('en')}/s); accepted ${f.accepted.toLocaleString('en')}, counted ${f.countedMetric.toLocaleString('en')}; stored pageviews + events per cube: ${Object.entries(f.storedTotals).map(([c, n]) => `${c} ${n.toLocaleString('en')}`).join(', ')}; custom events ${f.storedCustomEvents.toLocaleString('en')} of ${f.customEventsAccepted.toLocaleString('en')}.`,
    '',
    `RSS ${mb(f.rssBeforeBytes)} before, ${mb(f.rssAfterBytes)} after (heap ${mb(f.heapBeforeBytes)} -> ${mb(f.heapAfterBytes)}); cap sets hold ${n(f.capValuesHeld)} values; also held: ${n(f.otherHeld.sessions)} live visits, ${n(f.otherHeld.attributionEntries)} last non-direct acquisitions, ${n(f.otherHeld.abuseEntries)} abuse entries (${mb(f.otherHeld.abuseBytes)}); cubes (minute + hour, merged) ${f.cubeRows.toLocaleString('en')} rows, ${mb(f.cubeBytes)} on disk.`,
    '',
    '| Dimension | limit | distinct values sent | distinct stored | folded (/metrics) | events under "(other)" | expected |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...Object.entries(f.dimensions).map(([d, x]) => `| ${d} | ${n(x.limit)} | ${n(x.sent)}${x.unique ? '' : ' (repeated)'} | ${n(x.distinct)} | ${n(x.foldedMetric)} | ${n(x.foldedStored)} | ${n(x.foldedExpected)} |`),
  ];
  return lines.join('\n');
}
