// Part 3: Stats API latency over 90 days of a busy site (>= 10M events).
//
// The child process starts the dashboard through startAll (collector off) on a fresh DATA_DIR and
// loads the cubes the way the flusher does: pre-aggregated rows (one per visit, and one per
// pageview for the pages cube, each with its daily visitor key) inserted into the `ingest_*` Null
// tables, so the real materialized views build the minute and hour cubes. The rows are generated
// inside ClickHouse (INSERT ... SELECT FROM numbers(), deterministic hashes) because shipping 20M+
// JSON rows from Node would measure the loader, not the cubes. Then the collector's DayCloser folds
// every finished day into the day cubes, as the running collector does an hour after each midnight.
// The 90 days go in at once, so the hour cubes keep them during the load (HOURLY_RETENTION_DAYS=400
// in the child; it only bounds time:hour queries); afterwards migrate() sets their TTL back to the
// default, as a restart with defaults does, and OPTIMIZE FINAL applies it. This process then times real
// HTTP `POST /api/v2/query` calls, one at a time, the query types interleaved.
import { DayCloser } from '../../collector/day-closer.ts';
import { AD_SPEND_TABLE, COUNTERS, CUBE_DIMENSIONS, CUBE_NAMES, DAY_CLOSINGS_TABLE, cubeTable, ingestTable, type CubeName } from '../../schema/cubes.ts';
import { migrate } from '../../schema/migrate.ts';
import { DEFAULT_HOURLY_RETENTION_DAYS, DEFAULT_RETENTION_MONTHS } from '../../schema/retention.ts';
import { upsertSites } from '../../schema/sites.ts';
import { saveGoal } from '../../schema/goals.ts';
import { startAll } from '../start-all.ts';
import { BENCH_SITE, BENCH_STATS_KEY, fmtInt, fmtMs, fromParent, percentile, progress, tempDir, toParent, withChild, type Progress } from './common.ts';

export interface StatsOptions {
  /** Visits generated; events = pageviews + custom events, about 3.04 per visit. */
  visits: number;
  days: number;
  pages: number;
  /** Timed requests per query type. */
  requestsPerQuery: number;
  batchVisits: number;
}

export const STATS_DEFAULTS: StatsOptions = { visits: 3_500_000, days: 90, pages: 2_000, requestsPerQuery: 50, batchVisits: 700_000 };
export const STATS_QUICK: StatsOptions = { visits: 700_000, days: 90, pages: 2_000, requestsPerQuery: 15, batchVisits: 350_000 };

const GOAL_REVENUE = {
  metrics: ['visitors', 'events', 'conversion_rate', 'group_conversion_rate', 'total_revenue'],
  dimensions: ['visit:utm_campaign'],
  filters: [['is', 'event:goal', ['Purchase']]],
  pagination: { limit: 10 },
};

const CAMPAIGN_PERFORMANCE = {
  metrics: ['visitors', 'events', 'conversion_rate', 'spend', 'cpa', 'total_revenue', 'roas'],
  dimensions: ['visit:utm_campaign'],
  filters: [['is', 'event:goal', ['Purchase']]],
};

/** Dashboard-like queries over the last 90 days (what the Svelte app asks for on first load). */
const QUERIES: Record<string, Record<string, unknown> | ((request: number) => Record<string, unknown>)> = {
  totals: { metrics: ['visitors', 'visits', 'pageviews', 'bounce_rate', 'visit_duration', 'views_per_visit'] },
  'time:day': { metrics: ['visitors', 'pageviews'], dimensions: ['time:day'] },
  'visit:source': { metrics: ['visitors', 'visits', 'bounce_rate'], dimensions: ['visit:source'], pagination: { limit: 10 } },
  'visit:utm_campaign': { metrics: ['visitors', 'visits', 'bounce_rate'], dimensions: ['visit:utm_campaign'], pagination: { limit: 10 } },
  'event:page': { metrics: ['visitors', 'pageviews'], dimensions: ['event:page'], pagination: { limit: 10 } },
  'visit:device': { metrics: ['visitors', 'visits', 'bounce_rate'], dimensions: ['visit:device'] },
  // Issue 8's question, "which campaign converts": a goal by campaign, with both conversion rates
  // (the second query of group_conversion_rate, over the acquisition cube, is part of the time).
  'goal by campaign': {
    metrics: ['visitors', 'events', 'conversion_rate', 'group_conversion_rate'],
    dimensions: ['visit:utm_campaign'],
    filters: [['is', 'event:goal', ['Signup']]],
    pagination: { limit: 10 },
  },
  // The issue's example in full: with revenue (Purchase carries EUR), as exact decimals. The
  // dashboard keeps the rate denominators briefly (stats/context-cache.ts), so a repeated query
  // reuses them...
  'goal revenue by campaign': GOAL_REVENUE,
  // ...and this one never can: every request asks for another window of 90 to 114 days ending today.
  'goal revenue by campaign, uncached': (request: number) => ({
    ...GOAL_REVENUE,
    date_range: [new Date(Date.now() - (90 + (request % 25)) * 86_400_000).toISOString().slice(0, 10), new Date().toISOString().slice(0, 10)],
  }),
  // Issue 9's campaign performance: conversions, revenue and imported spend per campaign. The
  // dashboard keeps the spend groups and the rate denominators briefly (stats/context-cache.ts)...
  'campaign performance': CAMPAIGN_PERFORMANCE,
  // ...which a new window of 115 to 139 days each time never reuses (nor the denominators of the
  // uncached goal query above, whose windows are 90 to 114 days).
  'campaign performance, uncached': (request: number) => ({
    ...CAMPAIGN_PERFORMANCE,
    date_range: [new Date(Date.now() - (115 + (request % 25)) * 86_400_000).toISOString().slice(0, 10), new Date().toISOString().slice(0, 10)],
  }),
};

export interface StatsResult {
  options: StatsOptions;
  events: number;
  pageviews: number;
  visits: number;
  loadSeconds: number;
  closeSeconds: number;
  closedDays: number;
  optimizeSeconds: number;
  hourCubeRows: Record<string, number>;
  dayCubeRows: Record<string, number>;
  /** meta.days_from_day_cubes of the totals answer: how much of the range the day cubes served. */
  daysFromDayCubes: number;
  queries: Array<{ name: string; p50Ms: number; p95Ms: number; maxMs: number; rows: number }>;
  /** Totals as the API answered them (a sanity check against the load). */
  apiTotals: number[];
}

// ---------------------------------------------------------------------------------------------
// Synthetic cube rows, generated by ClickHouse
// ---------------------------------------------------------------------------------------------

/** [source, channel, referrer host, utm_source, utm_medium, tagged with a campaign?] */
const SOURCES: Array<[string, string, string, string, string, boolean]> = [
  ['', 'Direct', '', '', '', false],
  ['Google', 'Organic Search', 'google.com', '', '', false],
  ['Google', 'Paid Search', 'google.com', 'google', 'cpc', true],
  ['Newsletter', 'Email', '', 'newsletter', 'email', true],
  ['Bing', 'Organic Search', 'bing.com', '', '', false],
  ['Facebook', 'Organic Social', 'l.facebook.com', '', '', false],
  ['Facebook', 'Paid Social', 'l.facebook.com', 'facebook', 'paid_social', true],
  ['DuckDuckGo', 'Organic Search', 'duckduckgo.com', '', '', false],
  ['Instagram', 'Organic Social', 'l.instagram.com', '', '', false],
  ['LinkedIn', 'Organic Social', 'linkedin.com', '', '', false],
  ['ChatGPT', 'AI Assistants', 'chatgpt.com', '', '', false],
  ['Ecosia', 'Organic Search', 'ecosia.org', '', '', false],
  ['Reddit', 'Organic Social', 'reddit.com', '', '', false],
  ['Twitter', 'Organic Social', 't.co', '', '', false],
  ['GitHub', 'Referral', 'github.com', '', '', false],
  ['Instagram', 'Paid Social', 'l.instagram.com', 'instagram', 'paid_social', true],
  ['YouTube', 'Organic Video', 'youtube.com', '', '', false],
  ['heise.de', 'Referral', 'heise.de', '', '', false],
  ['Hacker News', 'Referral', 'news.ycombinator.com', '', '', false],
  ['Wikipedia', 'Referral', 'de.wikipedia.org', '', '', false],
  ['Bing', 'Paid Search', 'bing.com', 'bing', 'cpc', true],
  ['Perplexity', 'AI Assistants', 'perplexity.ai', '', '', false],
  ['Stack Overflow', 'Referral', 'stackoverflow.com', '', '', false],
  ['spiegel.de', 'Referral', 'spiegel.de', '', '', false],
  ['t3n.de', 'Referral', 't3n.de', '', '', false],
  ['partner', 'Affiliates', '', 'partner', 'affiliate', true],
  ['Pinterest', 'Organic Social', 'pinterest.de', '', '', false],
  ['Yahoo!', 'Organic Search', 'search.yahoo.com', '', '', false],
  ['Brave', 'Organic Search', 'search.brave.com', '', '', false],
  ['Gemini', 'AI Assistants', 'gemini.google.com', '', '', false],
  ['LinkedIn', 'Paid Social', 'linkedin.com', 'linkedin', 'paid_social', true],
  ['Medium', 'Referral', 'medium.com', '', '', false],
  ['dev.to', 'Referral', 'dev.to', '', '', false],
  ['XING', 'Organic Social', 'xing.com', '', '', false],
  ['golem.de', 'Referral', 'golem.de', '', '', false],
  ['Product Hunt', 'Referral', 'producthunt.com', '', '', false],
  ['YouTube', 'Paid Video', 'youtube.com', 'youtube', 'video', true],
  ['partner-one.example', 'Referral', 'blog.partner-one.example', '', '', false],
  ['partner-two.example', 'Referral', 'partner-two.example', '', '', false],
  ['Kagi', 'Organic Search', 'kagi.com', '', '', false],
];

/** [device, browser, os] */
const TECH: Array<[string, string, string]> = [
  ['mobile', 'Chrome', 'Android'],
  ['desktop', 'Chrome', 'Windows'],
  ['mobile', 'Safari', 'iOS'],
  ['desktop', 'Edge', 'Windows'],
  ['desktop', 'Safari', 'macOS'],
  ['desktop', 'Chrome', 'macOS'],
  ['desktop', 'Firefox', 'Windows'],
  ['mobile', 'Samsung Internet', 'Android'],
  ['tablet', 'Safari', 'iOS'],
  ['mobile', 'Chrome', 'iOS'],
  ['desktop', 'Firefox', 'Linux'],
  ['desktop', 'Chrome', 'Linux'],
  ['mobile', 'Instagram', 'Android'],
  ['mobile', 'Facebook', 'Android'],
  ['desktop', 'Opera', 'Windows'],
  ['mobile', 'Firefox', 'Android'],
  ['tablet', 'Chrome', 'Android'],
  ['mobile', 'Google App', 'iOS'],
  ['desktop', 'Chrome', 'Chrome OS'],
  ['desktop', 'Firefox', 'macOS'],
  ['mobile', 'Chrome WebView', 'Android'],
  ['desktop', 'Edge', 'macOS'],
  ['mobile', 'Opera', 'Android'],
  ['desktop', 'Brave', 'Windows'],
  ['other', '(unknown)', '(unknown)'],
];

const CAMPAIGNS = Array.from({ length: 30 }, (_, i) => `campaign-${String(i + 1).padStart(2, '0')}`);

/** Visitors' countries (Zipf over 20; migration 011 puts the country in the acquisition, tech and event_names cubes). */
const COUNTRIES = ['DE', 'US', 'FR', 'GB', 'AT', 'CH', 'NL', 'IT', 'ES', 'PL', 'SE', 'BE', 'DK', 'CA', 'IN', 'BR', 'JP', 'AU', 'CZ', ''];

const sqlArray = (xs: string[]) => `[${xs.map((x) => `'${x.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ')}]`;

/**
 * Per visit `number` (all derived from cityHash64(number, k), so the data is the same every run):
 * a minute in the window, a person (daily visitor key: ~0.75 people per visit and day), pageviews
 * (45 % bounces, else geometric, mean ~3.0), a custom event in one visit of twelve, a source
 * (Zipf over 40), a campaign (Zipf over 30) for tagged sources, a device/browser/OS (Zipf over
 * 25), an entry page and further pages (Zipf over `pages`), a country (Zipf over 20).
 */
function visitColumns(o: StatsOptions): string {
  const minutes = o.days * 1440;
  const peoplePerDay = Math.round((o.visits / o.days) * 0.75);
  const u = (k: number) => `(cityHash64(number, ${k}) % 1000000 + 0.5) / 1000000`;
  return `
    toUInt32({start:UInt32} + (cityHash64(number, 1) % ${minutes}) * 60) AS t,
    intDiv(t - {start:UInt32}, 86400) AS day,
    cityHash64(day, cityHash64(number, 2) % ${peoplePerDay}) AS vkey,
    if(${u(3)} < 0.45, 1, least(30, 2 + toUInt32(floor(log(${u(4)}) / log(0.72))))) AS pv,
    if(${u(5)} < ${1 / 12}, 1, 0) AS ev,
    toUInt32(floor(${SOURCES.length} * pow(${u(6)}, 2.5))) + 1 AS src,
    toUInt32(floor(${CAMPAIGNS.length} * pow(${u(7)}, 2))) + 1 AS cmp,
    toUInt32(floor(${TECH.length} * pow(${u(8)}, 2.2))) + 1 AS tech,
    toUInt32(floor(${o.pages} * pow(${u(9)}, 3))) AS entry,
    ${sqlArray(COUNTRIES)}[toUInt32(floor(${COUNTRIES.length} * pow(${u(11)}, 2.5))) + 1] AS country`;
}

const pathExpr = (idx: string) =>
  `multiIf(${idx} = 0, '/', ${idx} < 10, ${sqlArray(['/pricing', '/features', '/about', '/contact', '/signup', '/login', '/blog', '/docs', '/changelog'])}[${idx}], ` +
  `${idx} % 3 = 0, concat('/docs/section-', toString(${idx} % 12), '/page-', toString(${idx})), concat('/blog/post-about-topic-', toString(${idx})))`;

const visitCounters = `pv AS pageviews, ev AS events, 1 AS visits, if(pv = 1 AND ev = 0, 1, 0) AS bounces, if(pv > 1, pv * (30 + cityHash64(number, 10) % 90), 0) AS duration`;

const ingestColumns = (cube: CubeName) => ['site', 'ts', ...CUBE_DIMENSIONS[cube], 'visitor_key', ...COUNTERS].join(', ');

/** The cubes the bench loads (the engagement counters, props and the goal crossings with tech and entry pages are left empty). */
function insertStatements(o: StatsOptions): Partial<Record<CubeName, (db: string) => string>> {
  const base = (db: string, cube: CubeName) =>
    `INSERT INTO ${db}.${ingestTable(cube)} (${ingestColumns(cube)}) SELECT ${ingestColumns(cube)} FROM (SELECT ${visitColumns(o)}, '${BENCH_SITE}' AS site, toDateTime(t, 'UTC') AS ts`;
  const src = `${sqlArray(SOURCES.map((s) => s[0]))}[src]`;
  const tagged = `${sqlArray(SOURCES.map((s) => (s[5] ? '1' : '')))}[src] = '1'`;
  const acquisition = `${src} AS source, ${sqlArray(SOURCES.map((s) => s[1]))}[src] AS channel, ${sqlArray(SOURCES.map((s) => s[2]))}[src] AS referrer_host,
        ${sqlArray(SOURCES.map((s) => s[3]))}[src] AS utm_source, ${sqlArray(SOURCES.map((s) => s[4]))}[src] AS utm_medium,
        if(${tagged}, ${sqlArray(CAMPAIGNS)}[cmp], '') AS utm_campaign, '' AS utm_content, '' AS utm_term`;
  return {
    acquisition: (db: string) => `${base(db, 'acquisition')}, ${acquisition}, vkey AS visitor_key, ${visitCounters} FROM numbers({from:UInt64}, {count:UInt64}))`,
    entry_pages: (db: string) =>
      `${base(db, 'entry_pages')}, ${pathExpr('entry')} AS entry_page, vkey AS visitor_key, ${visitCounters} FROM numbers({from:UInt64}, {count:UInt64}))`,
    tech: (db: string) =>
      `${base(db, 'tech')}, ${sqlArray(TECH.map((t) => t[0]))}[tech] AS device, ${sqlArray(TECH.map((t) => t[1]))}[tech] AS browser, ${sqlArray(TECH.map((t) => t[2]))}[tech] AS os,
        vkey AS visitor_key, ${visitCounters} FROM numbers({from:UInt64}, {count:UInt64}))`,
    // One row per pageview: the first on the entry page, the rest on Zipf-popular pages, a minute or so apart.
    pages: (db: string) =>
      `INSERT INTO ${db}.${ingestTable('pages')} (${ingestColumns('pages')})
       SELECT site, toDateTime(t + k * 60, 'UTC') AS ts, ${pathExpr('page')} AS path, vkey AS visitor_key,
              1 AS pageviews, if(k = pv - 1, ev, 0) AS events, 0 AS visits, 0 AS bounces, 0 AS duration
       FROM (SELECT ${visitColumns(o)}, '${BENCH_SITE}' AS site, arrayJoin(range(pv)) AS k,
                    if(k = 0, entry, toUInt32(floor(${o.pages} * pow((cityHash64(number, 100 + k) % 1000000 + 0.5) / 1000000, 3)))) AS page
             FROM numbers({from:UInt64}, {count:UInt64}))`,
    // One row per visit that sent custom events, under one of a few event names and the visit's
    // acquisition; a Purchase carries 19.99 EUR of revenue per event.
    event_names: (db: string) =>
      `INSERT INTO ${db}.${ingestTable('event_names')} (${ingestColumns('event_names')}, revenue)
       SELECT ${ingestColumns('event_names')}, revenue
       FROM (SELECT ${visitColumns(o)}, '${BENCH_SITE}' AS site, toDateTime(t, 'UTC') AS ts,
                    ['Signup', 'Download', 'Purchase'][1 + cityHash64(number, 7) % 3] AS name, ${acquisition},
                    if(name = 'Purchase', 'EUR', '') AS currency, if(name = 'Purchase', toDecimal128(ev * 19.99, 8), toDecimal128(0, 8)) AS revenue,
                    vkey AS visitor_key, 0 AS pageviews, ev AS events, 0 AS visits, 0 AS bounces, 0 AS duration
             FROM numbers({from:UInt64}, {count:UInt64}))
       WHERE events > 0`,
  };
}

// ---------------------------------------------------------------------------------------------
// The child: dashboard + load
// ---------------------------------------------------------------------------------------------

export async function statsServer(o: StatsOptions): Promise<void> {
  const log = progress('stats');
  const dir = tempDir('telmark-bench-stats-');
  const logs: string[] = [];
  try {
    const running = await startAll(
      { DATA_DIR: dir.path, DASHBOARD_PORT: '0', DASHBOARD_HOST: '127.0.0.1', STATS_API_KEYS: BENCH_STATS_KEY, HOURLY_RETENTION_DAYS: '400' },
      { collector: false, log: (l) => logs.push(l) },
    );
    const { store } = running;
    await upsertSites(store, [{ domain: BENCH_SITE, timezone: 'UTC' }]);
    await saveGoal(store, { site: BENCH_SITE, id: 'g_bench', type: 'event', displayName: 'Signup', eventName: 'Signup', props: {}, path: '', threshold: 0, currency: '', createdAt: Date.now() });
    await saveGoal(store, { site: BENCH_SITE, id: 'g_bench_purchase', type: 'event', displayName: 'Purchase', eventName: 'Purchase', props: {}, path: '', threshold: 0, currency: 'EUR', createdAt: Date.now() });
    // Ad spend (issue 9): every campaign under each tagged source, every day of the range.
    const tagged = SOURCES.filter((x) => x[5]);
    await store.client.command({
      query: `INSERT INTO ${store.table(AD_SPEND_TABLE)} (site, day, utm_source, utm_campaign, campaign_key, utm_medium, amount, currency, clicks, impressions, imported_at, deleted, version)
        SELECT '${BENCH_SITE}', today() - intDiv(number, ${CAMPAIGNS.length * tagged.length}) AS day,
               ${sqlArray(tagged.map((x) => x[3]))}[1 + number % ${tagged.length}] AS src,
               ${sqlArray(CAMPAIGNS)}[1 + intDiv(number, ${tagged.length}) % ${CAMPAIGNS.length}] AS cmp, cmp,
               ${sqlArray(tagged.map((x) => x[4]))}[1 + number % ${tagged.length}],
               toDecimal128(1 + cityHash64(number) % 5000 / 100, 8), 'EUR', cityHash64(number, 1) % 300, cityHash64(number, 2) % 10000, now64(3), 0, 1
        FROM numbers(${o.days * CAMPAIGNS.length * tagged.length})`,
    });
    const endSec = Math.floor(Date.now() / 3_600_000) * 3600;
    const start = endSec - o.days * 86_400;
    const statements = insertStatements(o);
    const t0 = performance.now();
    for (let from = 0; from < o.visits; from += o.batchVisits) {
      const count = Math.min(o.batchVisits, o.visits - from);
      for (const [, statement] of Object.entries(statements)) {
        await store.client.command({
          query: statement(store.db),
          query_params: { start, from, count },
          clickhouse_settings: { max_partitions_per_insert_block: '10000' },
        });
      }
      log(`loaded ${fmtInt(from + count)} / ${fmtInt(o.visits)} visits (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    }
    const loadSeconds = (performance.now() - t0) / 1000;
    const one = async (query: string) => {
      const rs = await store.client.query({ query, format: 'JSONEachRow' });
      return (await rs.json<Record<string, string>>())[0]!;
    };
    // What was loaded, counted before the hour cubes' TTL trims them.
    const sums = await one(`SELECT sum(pageviews) AS pv, sum(events) AS ev FROM ${store.table(cubeTable('pages', 'hour'))}`);
    const visits = Number((await one(`SELECT sum(visits) AS v FROM ${store.table(cubeTable('acquisition', 'hour'))}`)).v);
    const pageviews = Number(sums.pv);
    const events = pageviews + Number(sums.ev);

    const t1 = performance.now();
    const closer = new DayCloser(store, () => [{ domain: BENCH_SITE, timezone: 'UTC' }], { now: Date.now, log: () => {}, closeDelayMs: 60 * 60_000, hourlyRetentionDays: 400 });
    await closer.run();
    const closeSeconds = (performance.now() - t1) / 1000;
    const closedDays = Number((await one(`SELECT count() AS n FROM ${store.table(DAY_CLOSINGS_TABLE)} FINAL`)).n);

    // Back to the default hour retention, then let every table reach its merged steady state now,
    // so no background merge competes with the queries.
    const t2 = performance.now();
    await migrate(store, { retentionMonths: DEFAULT_RETENTION_MONTHS, hourlyRetentionDays: DEFAULT_HOURLY_RETENTION_DAYS });
    for (const cube of CUBE_NAMES) {
      for (const grain of ['day', 'hour', 'minute'] as const) await store.client.command({ query: `OPTIMIZE TABLE ${store.table(cubeTable(cube, grain))} FINAL` });
    }
    await store.client.command({ query: `OPTIMIZE TABLE ${store.table(DAY_CLOSINGS_TABLE)} FINAL` });
    const optimizeSeconds = (performance.now() - t2) / 1000;
    const rowsOf = async (grain: 'day' | 'hour') => {
      const out: Record<string, number> = {};
      for (const cube of CUBE_NAMES) out[cube] = Number((await one(`SELECT count() AS n FROM ${store.table(cubeTable(cube, grain))}`)).n);
      return out;
    };
    const hourCubeRows = await rowsOf('hour');
    const dayCubeRows = await rowsOf('day');
    log(
      `${fmtInt(events)} events (${fmtInt(pageviews)} pageviews, ${fmtInt(visits)} visits) loaded in ${loadSeconds.toFixed(1)} s; ` +
        `${closedDays} days closed in ${closeSeconds.toFixed(1)} s; hour TTL back to ${DEFAULT_HOURLY_RETENTION_DAYS} days and OPTIMIZE FINAL in ${optimizeSeconds.toFixed(1)} s`,
    );
    log(
      `rows: day cubes ${Object.entries(dayCubeRows).map(([c, n]) => `${c} ${fmtInt(n)}`).join(', ')}; ` +
        `hour cubes ${Object.entries(hourCubeRows).map(([c, n]) => `${c} ${fmtInt(n)}`).join(', ')}`,
    );
    await toParent({
      type: 'ready',
      url: running.dashboardUrl,
      load: { events, pageviews, visits, loadSeconds, closeSeconds, closedDays, optimizeSeconds, hourCubeRows, dayCubeRows },
    });
    await fromParent('finish');
    await running.stop();
    await toParent({ type: 'result', result: {} });
  } catch (err) {
    process.stderr.write(logs.map((l) => `  telmark log: ${l}\n`).join(''));
    throw err;
  } finally {
    dir.remove();
  }
}

// ---------------------------------------------------------------------------------------------
// Driver
// ---------------------------------------------------------------------------------------------

interface Ready {
  url: string;
  load: Pick<StatsResult, 'events' | 'pageviews' | 'visits' | 'loadSeconds' | 'closeSeconds' | 'closedDays' | 'optimizeSeconds' | 'hourCubeRows' | 'dayCubeRows'>;
}

export async function runStats(o: StatsOptions, log: Progress): Promise<StatsResult> {
  log(`child process: dashboard on a fresh DATA_DIR, ${fmtInt(o.visits)} visits (~${fmtInt(o.visits * 3.04)} events) over ${o.days} days into the ingest tables`);
  return withChild('stats-server', o, async (child) => {
    const ready = await child.next<Ready>('ready');
    const ask = async (body: Record<string, unknown>) => {
      const t = performance.now();
      const res = await fetch(`${ready.url}/api/v2/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_STATS_KEY}` },
        body: JSON.stringify({ site_id: BENCH_SITE, date_range: '90d', ...body }),
      });
      const json = (await res.json()) as { results?: Array<{ metrics: number[] }>; meta?: { days_from_day_cubes?: number }; error?: string };
      const ms = performance.now() - t;
      if (res.status !== 200) throw new Error(`Stats API answered ${res.status}: ${json.error}`);
      return { ms, json };
    };
    const names = Object.keys(QUERIES);
    log(`warming up, then ${o.requestsPerQuery} requests per query type (${names.join(', ')}), one at a time, interleaved`);
    const body = (name: string, request: number) => {
      const q = QUERIES[name]!;
      return typeof q === 'function' ? q(request) : q;
    };
    for (const name of names) for (let i = 0; i < 2; i++) await ask(body(name, 1000 + i));
    const times = new Map<string, number[]>(names.map((n) => [n, []]));
    const rows = new Map<string, number>();
    let apiTotals: number[] = [];
    let daysFromDayCubes = 0;
    for (let i = 0; i < o.requestsPerQuery; i++) {
      for (const name of names) {
        const { ms, json } = await ask(body(name, i));
        times.get(name)!.push(ms);
        rows.set(name, json.results?.length ?? 0);
        if (name === 'totals') {
          apiTotals = json.results?.[0]?.metrics ?? [];
          daysFromDayCubes = json.meta?.days_from_day_cubes ?? 0;
        }
      }
    }
    const queries = names.map((name) => {
      const t = times.get(name)!;
      return { name, p50Ms: percentile(t, 50), p95Ms: percentile(t, 95), maxMs: Math.max(...t), rows: rows.get(name) ?? 0 };
    });
    for (const q of queries) log(`${q.name.padEnd(36)} p50 ${fmtMs(q.p50Ms)} ms, p95 ${fmtMs(q.p95Ms)} ms, max ${fmtMs(q.maxMs)} ms (${q.rows} rows)`);
    child.send({ type: 'finish' });
    await child.next('result');
    return { options: o, ...ready.load, queries, apiTotals, daysFromDayCubes };
  });
}
