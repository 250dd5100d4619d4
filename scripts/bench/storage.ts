// Part 2: storage per 1M events, our cubes against a Plausible-style raw events table.
//
// One synthetic month of traffic (visits with several pageviews, Zipf-popular pages, sources and
// campaigns, real browser user agents) goes through the collector as collector/service.ts wires it,
// with its default settings: its pipeline (site lookup, IP truncation, bot check, UA parsing,
// acquisition, path clean-up, visitor key, sessions, aggregator) and its Flusher into a real chDB
// store, on a controllable clock; its DayCloser folds each finished day into the day cubes as the
// clock passes 01:00. One extra step appended after `aggregate` copies
// each counted event into a row of a raw events table shaped like Plausible's `events_v2`, so both
// stores hold exactly the same events with the same classification. Both are then OPTIMIZE FINAL'd
// (which also applies the minute and hour cubes' TTLs) and measured from system.parts.
import { parseBeacon } from '../../collector/beacon.ts';
import { findClickId } from '../../collector/classify/click-id.ts';
import { collectorConfig } from '../../collector/config.ts';
import { DROP_REASONS } from '../../collector/pipeline/event.ts';
import { STEPS, type Step } from '../../collector/pipeline/steps.ts';
import { createCollectorService } from '../../collector/service.ts';
import type { Session } from '../../collector/sessions.ts';
import { openStore, type Store } from '../../schema/client.ts';
import { storageConfig } from '../../schema/config.ts';
import { CUBE_NAMES, DAY_CLOSINGS_TABLE, cubeTable } from '../../schema/cubes.ts';
import { migrate } from '../../schema/migrate.ts';
import {
  BENCH_SITE,
  WeightedPicker,
  fmtBytes,
  fmtInt,
  progress,
  prng,
  randInt,
  tempDir,
  toParent,
  withChild,
  zipfPicker,
  type Progress,
  type Rng,
} from './common.ts';
import { syntheticVisitors } from './population.ts';

export interface StorageOptions {
  events: number;
  days: number;
  visitors: number;
  pages: number;
  seed: number;
}

export const STORAGE_DEFAULTS: StorageOptions = { events: 1_000_000, days: 30, visitors: 50_000, pages: 200, seed: 7 };
/** The same density (events per hour) as the full run, on a fifth of the events. */
export const STORAGE_QUICK: StorageOptions = { ...STORAGE_DEFAULTS, events: 200_000, visitors: 10_000, days: 6 };

const RAW_DB = 'bench_raw';
const RAW_TABLE = `${RAW_DB}.events_v2`;

export interface TableGroup {
  tables: string[];
  rows: number;
  bytesOnDisk: number;
  uncompressedBytes: number;
  parts: number;
}

export interface StorageResult {
  options: StorageOptions;
  /** Events generated, counted by the pipeline, and the same number as raw rows. */
  generated: number;
  counted: number;
  dropped: number;
  visits: number;
  /** Events whose minute is within the minute cubes' 48 h TTL at measurement time. */
  eventsInLast48h: number;
  /** Events within the hour cubes' HOURLY_RETENTION_DAYS at measurement time. */
  eventsInHourWindow: number;
  hourlyRetentionDays: number;
  /** Events on the days the day closer folded into the day cubes, and what the day cubes count. */
  eventsInClosedDays: number;
  eventsInDayCubes: number;
  closedDays: number;
  dayClosingSeconds: number;
  pipelineSeconds: number;
  pipelineEventsPerSec: number;
  ingestRowsFlushed: number;
  flushes: number;
  raw: TableGroup;
  /** Day cubes + the day-closings log: the long-term store (RETENTION_MONTHS). */
  dayCubes: TableGroup;
  hourCubes: TableGroup;
  minuteCubes: TableGroup;
  allCubes: TableGroup;
  /** Raw bytes per event / day-cube bytes per event of the closed days: the long-term ratio. */
  ratioDay: number;
  /** raw bytes_on_disk / all cube tables' bytes_on_disk, as stored. */
  ratioAll: number;
  /** Bytes on disk per 1M events (raw and day cubes grow with history; hour and minute cubes do not). */
  perMillion: { raw: number; dayCubes: number };
  ttlApplied: boolean;
  /** Where the bytes are: compressed bytes per column, summed over the day / hour cubes and the raw table. */
  dayCubeColumns: Array<{ column: string; bytes: number }>;
  hourCubeColumns: Array<{ column: string; bytes: number }>;
  rawColumns: Array<{ column: string; bytes: number }>;
}

// ---------------------------------------------------------------------------------------------
// Synthetic traffic
// ---------------------------------------------------------------------------------------------

interface SourceSpec {
  referrer: string | null;
  /** Query string the landing page carries (UTM tags, click ids); campaign is filled per visit. */
  tag?: { source: string; medium: string; clickId?: string };
  weight: number;
}

/** 40 sources: direct, search, social, AI assistants, news, communities, tagged campaigns. */
const SOURCES: SourceSpec[] = [
  { referrer: null, weight: 30 },
  { referrer: 'https://www.google.com/', weight: 28 },
  { referrer: 'https://www.google.de/', weight: 6 },
  { referrer: 'https://www.bing.com/', weight: 3 },
  { referrer: 'https://duckduckgo.com/', weight: 2.5 },
  { referrer: 'https://www.ecosia.org/', weight: 1.5 },
  { referrer: 'https://search.yahoo.com/', weight: 0.5 },
  { referrer: 'https://search.brave.com/', weight: 0.5 },
  { referrer: 'https://l.facebook.com/', weight: 2 },
  { referrer: 'https://l.instagram.com/', weight: 1.5 },
  { referrer: 'https://t.co/', weight: 1 },
  { referrer: 'https://www.linkedin.com/', weight: 1.5 },
  { referrer: 'https://www.reddit.com/', weight: 1.2 },
  { referrer: 'https://www.youtube.com/', weight: 0.8 },
  { referrer: 'https://www.pinterest.de/', weight: 0.4 },
  { referrer: 'https://news.ycombinator.com/', weight: 0.6 },
  { referrer: 'https://github.com/', weight: 0.8 },
  { referrer: 'https://chatgpt.com/', weight: 1.2 },
  { referrer: 'https://www.perplexity.ai/', weight: 0.4 },
  { referrer: 'https://gemini.google.com/', weight: 0.3 },
  { referrer: 'https://www.spiegel.de/', weight: 0.4 },
  { referrer: 'https://www.heise.de/', weight: 0.6 },
  { referrer: 'https://t3n.de/', weight: 0.4 },
  { referrer: 'https://de.wikipedia.org/', weight: 0.5 },
  { referrer: 'https://stackoverflow.com/', weight: 0.5 },
  { referrer: 'https://medium.com/', weight: 0.3 },
  { referrer: 'https://dev.to/', weight: 0.2 },
  { referrer: 'https://www.xing.com/', weight: 0.2 },
  { referrer: 'https://blog.partner-one.example/', weight: 0.3 },
  { referrer: 'https://partner-two.example/', weight: 0.2 },
  { referrer: 'https://www.golem.de/', weight: 0.2 },
  { referrer: 'https://www.producthunt.com/', weight: 0.15 },
  { referrer: null, tag: { source: 'newsletter', medium: 'email' }, weight: 3 },
  { referrer: 'https://www.google.com/', tag: { source: 'google', medium: 'cpc', clickId: 'gclid' }, weight: 4 },
  { referrer: 'https://www.bing.com/', tag: { source: 'bing', medium: 'cpc', clickId: 'msclkid' }, weight: 0.6 },
  { referrer: 'https://l.facebook.com/', tag: { source: 'facebook', medium: 'paid_social', clickId: 'fbclid' }, weight: 1.5 },
  { referrer: 'https://l.instagram.com/', tag: { source: 'instagram', medium: 'paid_social', clickId: 'fbclid' }, weight: 1 },
  { referrer: 'https://www.linkedin.com/', tag: { source: 'linkedin', medium: 'paid_social' }, weight: 0.5 },
  { referrer: null, tag: { source: 'partner', medium: 'affiliate' }, weight: 0.4 },
  { referrer: 'https://www.youtube.com/', tag: { source: 'youtube', medium: 'video' }, weight: 0.3 },
];

const CAMPAIGNS = Array.from({ length: 30 }, (_, i) =>
  ['spring-sale', 'summer-sale', 'autumn-sale', 'black-friday', 'brand', 'generic', 'retargeting', 'launch', 'webinar', 'ebook'][i % 10]! +
  (i >= 10 ? `-${2024 + Math.floor(i / 10)}` : ''),
);

/** 200 paths: home, product pages, docs, a blog, and a few with ids the path clean-up redacts. */
function pagePaths(n: number): string[] {
  const fixed = ['/', '/pricing', '/features', '/about', '/contact', '/signup', '/login', '/blog', '/docs', '/changelog'];
  const out = [...fixed];
  for (let i = 0; out.length < n; i++) {
    if (i % 10 === 9) out.push(`/orders/${4_800_000 + i}`);
    else if (i % 3 === 0) out.push(`/docs/section-${i % 12}/page-${i}`);
    else out.push(`/blog/${2020 + (i % 6)}/post-about-topic-${i}`);
  }
  return out.slice(0, n);
}

const CUSTOM_EVENTS = ['Signup', 'Outbound Link: Click', 'File Download', 'Newsletter Subscribe'];

/** Hour-of-day weights: quiet night, morning and evening peaks (UTC for a CET audience). */
const DIURNAL = new WeightedPicker(
  Array.from({ length: 24 }, (_, h) => h),
  [0.4, 0.25, 0.2, 0.2, 0.3, 0.6, 1.2, 2.2, 3, 3.2, 3.3, 3.2, 3.1, 3.2, 3.1, 3, 3, 3.1, 3.4, 3.6, 3.3, 2.4, 1.5, 0.8],
);

interface Traffic {
  /** Event times (ms), sorted. */
  times: Float64Array;
  /** Per event: its visit. */
  visitOf: Uint32Array;
  /** Per event: page index, and whether it is the visit's first event; custom event id (0 = pageview). */
  page: Uint16Array;
  first: Uint8Array;
  custom: Uint8Array;
  /** Per visit: person, source, campaign. */
  person: Uint32Array;
  source: Uint8Array;
  campaign: Uint8Array;
  visits: number;
}

/** Visits until `events` events exist, then flattened and sorted by time. */
function generateTraffic(opts: StorageOptions, startMs: number, rng: Rng): Traffic {
  const people = new WeightedPicker(
    Array.from({ length: opts.visitors }, (_, i) => i),
    // Loyal readers come back often, most people once or twice.
    Array.from({ length: opts.visitors }, (_, i) => 1 / Math.pow(1 + i / 50, 0.8)),
  );
  const sources = new WeightedPicker(SOURCES, SOURCES.map((s) => s.weight));
  const campaigns = zipfPicker(CAMPAIGNS.length, 1.1);
  const pages = zipfPicker(opts.pages, 1.0);
  const evTimes: number[] = [];
  const evVisit: number[] = [];
  const evPage: number[] = [];
  const evFirst: number[] = [];
  const evCustom: number[] = [];
  const vPerson: number[] = [];
  const vSource: number[] = [];
  const vCampaign: number[] = [];
  const spanMs = opts.days * 86_400_000;
  while (evTimes.length < opts.events) {
    const v = vPerson.length;
    vPerson.push(people.index(rng));
    vSource.push(sources.index(rng));
    vCampaign.push(campaigns.index(rng));
    const day = randInt(rng, opts.days);
    let t = startMs + day * 86_400_000 + DIURNAL.pick(rng) * 3_600_000 + Math.floor(rng() * 3_600_000);
    // 45 % bounce; the rest view on average ~3.5 more pages, 30-120 s apart.
    let views = 1;
    if (rng() >= 0.45) while (views < 30 && rng() < 0.72) views++;
    let page = pages.index(rng);
    for (let k = 0; k < views && evTimes.length < opts.events; k++) {
      if (t >= startMs + spanMs) break;
      evTimes.push(t);
      evVisit.push(v);
      evPage.push(page);
      evFirst.push(k === 0 ? 1 : 0);
      evCustom.push(0);
      // One visit in twelve fires a custom event on one of its pages.
      if (k === views - 1 && rng() < 1 / 12 && evTimes.length < opts.events) {
        evTimes.push(t + 5_000);
        evVisit.push(v);
        evPage.push(page);
        evFirst.push(0);
        evCustom.push(1 + randInt(rng, CUSTOM_EVENTS.length));
      }
      t += 30_000 + Math.floor(rng() * 90_000);
      page = pages.index(rng);
    }
  }
  const n = evTimes.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => evTimes[a]! - evTimes[b]! || a - b);
  const pick = <A extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(Arr: { new (n: number): A }, src: number[]): A => {
    const out = new Arr(n);
    for (let i = 0; i < n; i++) out[i] = src[order[i]!]!;
    return out;
  };
  return {
    times: pick(Float64Array, evTimes),
    visitOf: pick(Uint32Array, evVisit),
    page: pick(Uint16Array, evPage),
    first: pick(Uint8Array, evFirst),
    custom: pick(Uint8Array, evCustom),
    person: Uint32Array.from(vPerson),
    source: Uint8Array.from(vSource),
    campaign: Uint8Array.from(vCampaign),
    visits: vPerson.length,
  };
}

// ---------------------------------------------------------------------------------------------
// The raw events table (Plausible's events_v2 shape, columns limited to what we also keep)
// ---------------------------------------------------------------------------------------------

/**
 * Modelled on Plausible's `events_v2` (ClickHouse, MergeTree, one row per event, ordered by
 * site, day, name, user). Only columns whose information the cubes also hold are kept (plus the
 * user and session ids every raw store has): no country/region/city, no browser and OS versions,
 * no screen size beyond the device class, no props, no revenue. Plausible also writes a
 * `sessions_v2` table per visit, which is left out too. Both omissions favour the raw side.
 */
const RAW_DDL = `
CREATE TABLE IF NOT EXISTS ${RAW_TABLE}
(
    timestamp DateTime('UTC'),
    site_id UInt64,
    name LowCardinality(String),
    user_id UInt64,
    session_id UInt64,
    hostname String,
    pathname String,
    referrer String,
    referrer_source String,
    channel LowCardinality(String),
    click_id_param LowCardinality(String),
    utm_medium String,
    utm_source String,
    utm_campaign String,
    utm_content String,
    utm_term String,
    screen_size LowCardinality(String),
    operating_system LowCardinality(String),
    browser LowCardinality(String),
    country_code LowCardinality(FixedString(2))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(timestamp)
PRIMARY KEY (site_id, toDate(timestamp), name, user_id)
ORDER BY (site_id, toDate(timestamp), name, user_id, timestamp)
SAMPLE BY user_id`;

interface RawRow {
  timestamp: number;
  site_id: number;
  name: string;
  user_id: string;
  session_id: number;
  hostname: string;
  pathname: string;
  referrer: string;
  referrer_source: string;
  channel: string;
  click_id_param: string;
  utm_medium: string;
  utm_source: string;
  utm_campaign: string;
  utm_content: string;
  utm_term: string;
  screen_size: string;
  operating_system: string;
  browser: string;
  country_code: string;
}

/** The referrer as Plausible keeps it: host and path, no query string, no scheme. */
function cleanReferrer(r: string | null | undefined): string {
  if (!r) return '';
  try {
    const u = new URL(r);
    return (u.host + u.pathname).replace(/^www\./, '').replace(/\/$/, '');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------

async function partsOf(store: Store, database: string, tables: string[]): Promise<TableGroup> {
  const rs = await store.client.query({
    query: `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes, sum(data_uncompressed_bytes) AS raw, count() AS parts
            FROM system.parts WHERE active AND database = {db:String} AND table IN {tables:Array(String)}`,
    query_params: { db: database, tables },
    format: 'JSONEachRow',
  });
  const [r] = await rs.json<{ rows: string; bytes: string; raw: string; parts: string }>();
  return { tables, rows: Number(r?.rows ?? 0), bytesOnDisk: Number(r?.bytes ?? 0), uncompressedBytes: Number(r?.raw ?? 0), parts: Number(r?.parts ?? 0) };
}

/**
 * Compressed bytes per column. Small parts are written "compact" (all columns in one file, no
 * per-column sizes), so each table is copied into a wide-part twin in the scratch database first;
 * the twins only serve this breakdown, never the totals.
 */
async function columnsOf(store: Store, database: string, tables: string[]): Promise<Array<{ column: string; bytes: number }>> {
  const twins: string[] = [];
  for (const t of tables) {
    const twin = `${RAW_DB}.cols_${database}_${t}`;
    await store.client.command({ query: `CREATE TABLE ${twin} AS ${database}.${t}` });
    await store.client.command({ query: `ALTER TABLE ${twin} MODIFY SETTING min_bytes_for_wide_part = 0, min_rows_for_wide_part = 0` });
    await store.client.command({ query: `INSERT INTO ${twin} SELECT * FROM ${database}.${t}` });
    await store.client.command({ query: `OPTIMIZE TABLE ${twin} FINAL` });
    twins.push(twin.split('.')[1]!);
  }
  const rs = await store.client.query({
    query: `SELECT column, sum(column_data_compressed_bytes) AS bytes FROM system.parts_columns
            WHERE active AND database = {db:String} AND table IN {tables:Array(String)}
            GROUP BY column ORDER BY bytes DESC`,
    query_params: { db: RAW_DB, tables: twins },
    format: 'JSONEachRow',
  });
  const out = (await rs.json<{ column: string; bytes: string }>()).map((r) => ({ column: r.column, bytes: Number(r.bytes) }));
  for (const t of twins) await store.client.command({ query: `DROP TABLE ${RAW_DB}.${t}` });
  return out;
}

const sumGroups = (a: TableGroup, b: TableGroup): TableGroup => ({
  tables: [...a.tables, ...b.tables],
  rows: a.rows + b.rows,
  bytesOnDisk: a.bytesOnDisk + b.bytesOnDisk,
  uncompressedBytes: a.uncompressedBytes + b.uncompressedBytes,
  parts: a.parts + b.parts,
});

// ---------------------------------------------------------------------------------------------
// The child: pipeline -> flusher -> chDB, raw rows -> raw table, then measure
// ---------------------------------------------------------------------------------------------

export async function storageChild(opts: StorageOptions): Promise<void> {
  const log = progress('storage');
  const dir = tempDir('telmark-bench-storage-');
  let store: Store | undefined;
  try {
    store = openStore(storageConfig({ DATA_DIR: dir.path }));
    // The collector's default settings, without the abuse buffer (no client addresses here).
    const config = collectorConfig({ ABUSE_MAX_IPS: '0' });
    // The simulated month ends now, so most of it is older than the hour cubes' retention in real
    // time, and merges would expire those hours before the day closer got to them. While the clock
    // runs, the hour cubes keep 400 days; the day closer uses the real default. Afterwards
    // migrate() puts the default TTL back, exactly as a restart with default settings does.
    const { retentionMonths, hourlyRetentionDays } = config;
    await migrate(store, { retentionMonths, hourlyRetentionDays: 400 });
    await store.client.command({ query: `CREATE DATABASE IF NOT EXISTS ${RAW_DB}` });
    await store.client.command({ query: RAW_DDL });

    // The window ends now (real time), so the minute cubes' 48 h TTL keeps the last two days.
    const endMs = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const startMs = endMs - opts.days * 86_400_000;
    const rng = prng(opts.seed);
    log(`generating ${fmtInt(opts.events)} events: ${opts.days} days, ${fmtInt(opts.visitors)} people, ${opts.pages} pages, ${SOURCES.length} sources, ${CAMPAIGNS.length} campaigns`);
    const traffic = generateTraffic(opts, startMs, rng);
    const people = syntheticVisitors(rng, opts.visitors);
    const paths = pagePaths(opts.pages);
    log(`${fmtInt(traffic.times.length)} events in ${fmtInt(traffic.visits)} visits`);

    let clock = startMs;
    const now = () => clock;
    let ingestRows = 0;

    // The extra step: a raw row per counted event, with what the pipeline worked out.
    const rawRows: RawRow[] = [];
    const sessionIds = new WeakMap<Session, number>();
    let nextSession = 1;
    const captureRaw: Step = (ev) => {
      const session = ev.visit!.session;
      let sid = sessionIds.get(session);
      if (sid === undefined) sessionIds.set(session, (sid = nextSession++));
      // Per event, as Plausible writes events_v2: referrer and UTM fields come from this event's own
      // referrer and URL; a navigation inside the site has none (Plausible drops self-referrals).
      const own = ev.acquisition!.kind === 'external' ? ev.acquisition!.acquisition : undefined;
      rawRows.push({
        timestamp: Math.floor(ev.request.receivedAt / 1000),
        site_id: 1,
        name: ev.beacon.name,
        user_id: ev.visitorKey!,
        session_id: sid,
        hostname: ev.pageUrl!.hostname,
        pathname: ev.path!,
        referrer: own ? cleanReferrer(ev.beacon.referrer) : '',
        referrer_source: own?.source ?? '',
        channel: own?.channel ?? '',
        click_id_param: findClickId(ev.pageUrl!)?.param ?? '',
        utm_medium: own?.utm.medium ?? '',
        utm_source: own?.utm.source ?? '',
        utm_campaign: own?.utm.campaign ?? '',
        utm_content: own?.utm.content ?? '',
        utm_term: own?.utm.term ?? '',
        screen_size: ev.ua!.device,
        operating_system: ev.ua!.os,
        browser: ev.ua!.browser,
        country_code: ev.country ?? '',
      });
      return undefined;
    };
    // The collector as collector/service.ts wires it, on our clock, with the extra step. Not
    // start()ed: its timers (flush every 10 s, site refresh, day closer every 5 minutes) run on real
    // time; here the loop below flushes and closes days, and nothing listens for HTTP.
    const svc = createCollectorService({
      config,
      store,
      dataDir: dir.path,
      peerAddress: () => undefined,
      apiKeys: { statsApiKeys: [], securityApiKeys: [] },
      auditHashKey: 'bench-audit-hash-key-0123456789abcdef',
      // Flusher trouble is worth a line; the day closer's per-day lines and the shutdown line are not.
      log: (l) => {
        if (!/^(day closer|collector): /.test(l)) log(l);
      },
      now,
      steps: [...STEPS, ['captureRaw', captureRaw]],
    });
    const { aggregator, flusher, dayCloser, metrics, pipeline } = svc;
    await svc.sites.seed([BENCH_SITE], 'UTC');
    await svc.sites.refresh();

    const flushRaw = async () => {
      if (rawRows.length === 0) return;
      const values = rawRows.splice(0);
      await store!.client.insert({ table: RAW_TABLE, values, format: 'JSONEachRow' });
    };

    let flushes = 0;
    let pipelineMs = 0;
    let closeMs = 0;
    const flush = async () => {
      ingestRows += aggregator.size;
      await flusher.flush({ ignoreBackoff: true });
      flushes++;
    };
    // The collector's day closer runs every 5 minutes and closes a day an hour after its midnight
    // (closeDelayMs in collector/service.ts); here it runs when the clock passes 01:00 UTC, after a
    // flush (the collector flushes every 10 s, so by then the day is in the hour cubes).
    const closeDelayMs = 60 * 60_000;
    let nextClose = Math.floor(startMs / 86_400_000) * 86_400_000 + 86_400_000 + closeDelayMs;
    const closeDays = async () => {
      await flush();
      const c = performance.now();
      await dayCloser.run();
      closeMs += performance.now() - c;
    };
    const t0 = performance.now();
    const n = traffic.times.length;
    const lastVisitPage = new Int32Array(traffic.visits).fill(-1);
    let nextReport = n / 10;
    let since = performance.now();
    for (let i = 0; i < n; i++) {
      clock = traffic.times[i]!;
      while (clock >= nextClose) {
        const t = clock;
        clock = nextClose;
        await closeDays();
        clock = t;
        nextClose += 86_400_000;
      }
      const v = traffic.visitOf[i]!;
      const person = people[traffic.person[v]!]!;
      const spec = SOURCES[traffic.source[v]!]!;
      const path = paths[traffic.page[i]!]!;
      let url = `https://${BENCH_SITE}${path}`;
      let referrer: string | null;
      if (traffic.first[i]) {
        referrer = spec.referrer;
        if (spec.tag) {
          url += `?utm_source=${spec.tag.source}&utm_medium=${spec.tag.medium}&utm_campaign=${CAMPAIGNS[traffic.campaign[v]!]}`;
          if (spec.tag.clickId) url += `&${spec.tag.clickId}=Cj0KCQiA${(v * 2654435761) >>> 0}`;
        }
      } else {
        const prev = lastVisitPage[v]!;
        referrer = `https://${BENCH_SITE}${paths[prev >= 0 ? prev : 0]}`;
      }
      lastVisitPage[v] = traffic.page[i]!;
      const custom = traffic.custom[i]!;
      const body = JSON.stringify({ n: custom ? CUSTOM_EVENTS[custom - 1] : 'pageview', u: url, d: BENCH_SITE, r: referrer });
      const parsed = parseBeacon(body);
      if (!parsed.ok) throw new Error(`synthetic beacon rejected: ${parsed.error}`);
      const headers: Record<string, string> = { 'user-agent': person.ua, 'accept-language': person.acceptLanguage };
      const s = performance.now();
      pipeline.process(parsed.beacon, { peer: person.ip, headers: { get: (h) => headers[h] ?? null }, receivedAt: clock });
      pipelineMs += performance.now() - s;
      // The service flushes early at MAX_PENDING_ROWS (default 100k); time-based flushes would only
      // split rows the cube merges again.
      if (aggregator.size >= config.maxPendingRows) await flush();
      if (rawRows.length >= 100_000) await flushRaw();
      if (i + 1 >= nextReport) {
        const rate = (n / 10 / ((performance.now() - since) / 1000)).toFixed(0);
        log(`${Math.round(((i + 1) / n) * 100)} %: ${fmtInt(i + 1)} events (${rate}/s incl. flushes and raw inserts)`);
        nextReport += n / 10;
        since = performance.now();
      }
    }
    clock = endMs;
    await closeDays();
    await flushRaw();
    const totalSeconds = (performance.now() - t0) / 1000;
    const counted = metrics.value('telmark_events_counted_total');
    const dropped = DROP_REASONS.reduce((sum, reason) => sum + metrics.value('telmark_events_dropped_total', { reason }), 0);
    log(`pipeline done in ${totalSeconds.toFixed(1)} s (${fmtInt(n / (pipelineMs / 1000))} events/s in the pipeline alone); ${fmtInt(counted)} counted, ${dropped} dropped, ${fmtInt(ingestRows)} ingest rows in ${flushes} flushes`);

    const closings = await store.client.query({ query: `SELECT toString(day) AS d FROM ${store.table(DAY_CLOSINGS_TABLE)} FINAL`, format: 'JSONEachRow' });
    const closedSet = new Set((await closings.json<{ d: string }>()).map((r) => r.d));
    const closedDays = closedSet.size;
    let eventsInClosedDays = 0;
    for (let i = 0; i < n; i++) if (closedSet.has(new Date(traffic.times[i]!).toISOString().slice(0, 10))) eventsInClosedDays++;
    const dayTotals = await store.client.query({
      query: `SELECT sum(pageviews) + sum(events) AS n FROM ${store.table(cubeTable('pages', 'day'))} FINAL WHERE site = {site:String}`,
      query_params: { site: BENCH_SITE },
      format: 'JSONEachRow',
    });
    const eventsInDayCubes = Number((await dayTotals.json<{ n: string }>())[0]?.n ?? 0);
    log(
      `day closer folded ${closedDays} days into the day cubes (${(closeMs / 1000).toFixed(1)} s in total); they hold ${fmtInt(eventsInDayCubes)} events, ` +
        `${eventsInDayCubes === eventsInClosedDays ? 'all' : `MISMATCH: expected ${fmtInt(eventsInClosedDays)},`} the events of those days`,
    );
    await migrate(store, { retentionMonths, hourlyRetentionDays });

    const cubeDay = [...CUBE_NAMES.map((c) => cubeTable(c, 'day')), DAY_CLOSINGS_TABLE];
    const cubeHour = CUBE_NAMES.map((c) => cubeTable(c, 'hour'));
    const cubeMinute = CUBE_NAMES.map((c) => cubeTable(c, 'minute'));
    log('OPTIMIZE TABLE ... FINAL on the cube tables and the raw table');
    for (const t of [...cubeDay, ...cubeHour, ...cubeMinute]) await store.client.command({ query: `OPTIMIZE TABLE ${store.table(t)} FINAL` });
    await store.client.command({ query: `OPTIMIZE TABLE ${RAW_TABLE} FINAL` });

    // Minute cubes keep 48 h, hour cubes HOURLY_RETENTION_DAYS (TTL). OPTIMIZE applies TTLs; if this
    // ClickHouse did not, make it, so what we measure is the steady state.
    const minuteCutoff = Date.now() - 48 * 3_600_000;
    const hourCutoff = Date.now() - hourlyRetentionDays * 86_400_000;
    const ttlHolds = async () => {
      for (const [table, cutoff] of [['pages_minute', minuteCutoff], ['pages_hour', hourCutoff]] as const) {
        const rs = await store!.client.query({ query: `SELECT min(ts) AS m, count() AS c FROM ${store!.table(table)}`, format: 'JSONEachRow' });
        const [o] = await rs.json<{ m: string; c: string }>();
        if (Number(o!.c) > 0 && Date.parse(`${o!.m.replace(' ', 'T')}Z`) < cutoff - 86_400_000) return false;
      }
      return true;
    };
    let ttlApplied = await ttlHolds();
    if (!ttlApplied) {
      log('expired rows are still there after OPTIMIZE; running MATERIALIZE TTL');
      for (const t of [...cubeHour, ...cubeMinute]) {
        await store.client.command({ query: `ALTER TABLE ${store.table(t)} MATERIALIZE TTL`, clickhouse_settings: { mutations_sync: '2' } });
        await store.client.command({ query: `OPTIMIZE TABLE ${store.table(t)} FINAL` });
      }
      ttlApplied = await ttlHolds();
    }

    const raw = await partsOf(store, RAW_DB, ['events_v2']);
    const dayCubes = await partsOf(store, store.db, cubeDay);
    const hourCubes = await partsOf(store, store.db, cubeHour);
    const minuteCubes = await partsOf(store, store.db, cubeMinute);
    const allCubes = sumGroups(dayCubes, sumGroups(hourCubes, minuteCubes));
    const countSince = (ms: number) => {
      let k = 0;
      for (let i = 0; i < n; i++) if (traffic.times[i]! >= ms) k++;
      return k;
    };
    const eventsInLast48h = countSince(Math.floor(minuteCutoff / 60_000) * 60_000);
    const eventsInHourWindow = countSince(Math.floor(hourCutoff / 3_600_000) * 3_600_000);
    const perM = 1_000_000 / counted;
    const dayPerM = 1_000_000 / Math.max(1, eventsInClosedDays);
    const result: StorageResult = {
      options: opts,
      generated: n,
      counted,
      dropped,
      visits: traffic.visits,
      eventsInLast48h,
      eventsInHourWindow,
      hourlyRetentionDays,
      eventsInClosedDays,
      eventsInDayCubes,
      closedDays,
      dayClosingSeconds: closeMs / 1000,
      pipelineSeconds: totalSeconds,
      pipelineEventsPerSec: n / (pipelineMs / 1000),
      ingestRowsFlushed: ingestRows,
      flushes,
      raw,
      dayCubes,
      hourCubes,
      minuteCubes,
      allCubes,
      ratioDay: (raw.bytesOnDisk * perM) / (dayCubes.bytesOnDisk * dayPerM),
      ratioAll: raw.bytesOnDisk / allCubes.bytesOnDisk,
      perMillion: { raw: raw.bytesOnDisk * perM, dayCubes: dayCubes.bytesOnDisk * dayPerM },
      ttlApplied,
      dayCubeColumns: await columnsOf(store, store.db, cubeDay.filter((t) => t !== DAY_CLOSINGS_TABLE)),
      hourCubeColumns: await columnsOf(store, store.db, cubeHour),
      rawColumns: await columnsOf(store, RAW_DB, ['events_v2']),
    };
    log(
      `raw ${fmtInt(raw.rows)} rows ${fmtBytes(raw.bytesOnDisk)}; day cubes ${fmtInt(dayCubes.rows)} rows ${fmtBytes(dayCubes.bytesOnDisk)}; ` +
        `hour cubes (${hourlyRetentionDays} days) ${fmtInt(hourCubes.rows)} rows ${fmtBytes(hourCubes.bytesOnDisk)}; minute cubes (48 h) ${fmtInt(minuteCubes.rows)} rows ${fmtBytes(minuteCubes.bytesOnDisk)}; ` +
        `per event raw/day ${result.ratioDay.toFixed(1)}x, raw/all as stored ${result.ratioAll.toFixed(1)}x`,
    );
    await svc.stop();
    await toParent({ type: 'result', result });
  } finally {
    await store?.close().catch(() => {});
    dir.remove();
  }
}

/** Runs the storage part in a child process (its own chDB data directory). */
export async function runStorage(opts: StorageOptions, log: Progress): Promise<StorageResult> {
  log(`child process: ${fmtInt(opts.events)} events through the real pipeline into chDB, and the same events into a raw table`);
  return withChild('storage', opts, (child) => child.next<StorageResult>('result'), { nodeArgs: ['--max-old-space-size=4096'] });
}
