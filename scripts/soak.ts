// `npm run soak -- --minutes N [--rate R]`: telmark under steady, realistic traffic for N minutes
// (loopback only, bounded in time), with abuse bursts and dashboard queries, printing every minute
// what would show a leak or a lag: the server's RSS and heap, its event-loop delay p99, its
// ClickHouse insert (flush) latency, and pageviews accepted (202) against pageviews stored. At
// the end it stops the load, flushes, and checks stored = accepted exactly.
//
// - Traffic: R pageviews per second (default 50) from a population of 5,000 synthetic people
//   (real browser user agents, public addresses via X-Forwarded-For from the trusted loopback),
//   visits of 1–6 pages from a mix of referrers and UTM campaigns; every fourth pageview followed
//   by an engagement report, every tenth visit by a custom event.
// - Abuse: once a minute, three addresses send 300 beacons as fast as they can to another site
//   (abuse.example): the abuse buffer flags them (429s), and their held events are dropped, which
//   is why they go to a site of their own (the soak's site must count exactly what it accepted).
// - Dashboard: a Stats API query every 2 s (totals, sources, pages, time:day in turn).
// The server runs in a child process (scripts/soak/server.ts), so the load generator's work is
// not on its event loop. Defaults for everything else (flush every 10 s, abuse hold 10 s).
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmtInt, percentile, prng, randInt, sleep, table, tempDir, zipfPicker } from './bench/common.ts';
import { syntheticVisitors } from './bench/population.ts';
import type { SoakSample } from './soak/server.ts';

const SITE = 'soak.example';
const ABUSE_SITE = 'abuse.example';
const KEY = 'soak-stats-key-0123456789';
/** Visits in progress at once; each waits SLOTS / rate seconds between its pageviews. */
const SLOTS = 8;

function args(argv: string[]): { minutes: number; rate: number } {
  let minutes = 10;
  let rate = 50;
  for (const a of argv) {
    const [k, v] = a.split('=');
    if (k === '--minutes' && Number(v) > 0 && Number(v) <= 240) minutes = Number(v);
    else if (k === '--rate' && Number(v) > 0 && Number(v) <= 2000) rate = Number(v);
    else if (a !== '--') {
      console.error(`usage: npm run soak -- --minutes=N (1-240, default 10) [--rate=R] (pageviews/s, 1-2000, default 50); got "${a}"`);
      process.exit(2);
    }
  }
  return { minutes, rate };
}

const REFERRERS = [null, 'https://www.google.com/', 'https://www.google.com/', 'https://duckduckgo.com/', 'https://www.bing.com/', 'https://news.ycombinator.com/', 'https://l.facebook.com/', 'https://www.reddit.com/'];
const CAMPAIGNS = ['', '', '', '?utm_source=newsletter&utm_medium=email&utm_campaign=autumn', '?utm_source=google&utm_medium=cpc&utm_campaign=spring'];
const PAGES = Array.from({ length: 200 }, (_, i) => (i === 0 ? '/' : `/docs/page-${i}`));

async function main(): Promise<void> {
  const { minutes, rate } = args(process.argv.slice(2));
  const dir = tempDir('telmark-soak-');
  const env = {
    DATA_DIR: dir.path,
    SITES: `${SITE},${ABUSE_SITE}`,
    SOAK_SITE: SITE,
    COLLECTOR_HOST: '127.0.0.1',
    DASHBOARD_HOST: '127.0.0.1',
    COLLECTOR_PORT: '0',
    DASHBOARD_PORT: '0',
    COLLECTOR_ADMIN_PORT: '0',
    TRUSTED_PROXIES: '127.0.0.1/32,::1',
    STATS_API_KEYS: KEY,
    PRIVACY_MIN_VISITORS: '1',
  };
  const child = fork(fileURLToPath(new URL('./soak/server.ts', import.meta.url)), [JSON.stringify(env)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  child.on('message', (m) => {
    inbox.push(m as Record<string, unknown>);
    waiters.splice(0).forEach((w) => w());
  });
  child.on('exit', () => waiters.splice(0).forEach((w) => w()));
  const next = async (type: string): Promise<Record<string, unknown>> => {
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type || m.type === 'error');
      if (i >= 0) {
        const [m] = inbox.splice(i, 1);
        if (m!.type === 'error') throw new Error(String(m!.message));
        return m!;
      }
      if (child.exitCode !== null) throw new Error(`soak server exited (${child.exitCode}) before "${type}"`);
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  try {
    const ready = await next('ready');
    const collector = String(ready.collectorUrl);
    const dashboard = String(ready.dashboardUrl);
    console.log(`soak: ${minutes} min, ${rate} pageviews/s to ${SITE}, abuse bursts every minute, a Stats API query every 2 s; data in ${dir.path}`);

    const rng = prng(11);
    const people = syntheticVisitors(rng, 5000);
    const pickPage = zipfPicker(PAGES.length, 1.1);
    let accepted = 0;
    let refused = 0;
    let failed = 0;
    let abuse429 = 0;
    let abuseSent = 0;
    const queryMs: number[] = [];
    let queryErrors = 0;
    let stopping = false;

    const beacon = async (body: Record<string, unknown>, ip: string, ua: string): Promise<number> => {
      try {
        const res = await fetch(`${collector}/api/event`, { method: 'POST', headers: { 'content-type': 'text/plain', 'user-agent': ua, 'x-forwarded-for': ip }, body: JSON.stringify(body) });
        await res.arrayBuffer();
        return res.status;
      } catch {
        return 0;
      }
    };

    // Steady traffic: one visit at a time per slot, paced so the pageviews total `rate` per second.
    const visit = async (): Promise<void> => {
      const p = people[randInt(rng, people.length)]!;
      const ua = p.ua;
      const pages = 1 + randInt(rng, 6);
      const landing = CAMPAIGNS[randInt(rng, CAMPAIGNS.length)]!;
      const referrer = landing ? null : REFERRERS[randInt(rng, REFERRERS.length)]!;
      for (let i = 0; i < pages && !stopping; i++) {
        const url = `https://${SITE}${PAGES[pickPage.index(rng)]}${i === 0 ? landing : ''}`;
        const status = await beacon({ n: 'pageview', u: url, d: SITE, r: i === 0 ? referrer : null }, p.ip, ua);
        if (status === 202) accepted++;
        else if (status === 0) failed++;
        else refused++;
        if (randInt(rng, 4) === 0) await beacon({ n: 'engagement', u: url, d: SITE, sd: randInt(rng, 101), e: 1000 + randInt(rng, 60_000) }, p.ip, ua);
        await sleep((1000 / rate) * SLOTS); // the slots share the rate
      }
      if (randInt(rng, 10) === 0) await beacon({ n: 'Signup', u: `https://${SITE}/signup`, d: SITE }, p.ip, ua);
    };
    const slots = Array.from({ length: SLOTS }, async () => {
      while (!stopping) await visit();
    });

    const burst = async (round: number): Promise<void> => {
      const ips = [0, 1, 2].map((i) => `198.18.${round % 250}.${10 + i}`);
      await Promise.all(
        ips.map(async (ip) => {
          for (let i = 0; i < 300 && !stopping; i++) {
            abuseSent++;
            if ((await beacon({ n: 'pageview', u: `https://${ABUSE_SITE}/x/${i}`, d: ABUSE_SITE, r: null }, ip, people[0]!.ua)) === 429) abuse429++;
          }
        }),
      );
    };

    const QUERIES = [
      { metrics: ['visitors', 'visits', 'pageviews', 'bounce_rate'] },
      { metrics: ['visitors'], dimensions: ['visit:source'], pagination: { limit: 10 } },
      { metrics: ['visitors', 'pageviews'], dimensions: ['event:page'], pagination: { limit: 10 } },
      { metrics: ['visitors'], dimensions: ['time:hour'] },
    ];
    let q = 0;
    const queries = (async () => {
      while (!stopping) {
        const t0 = performance.now();
        try {
          const res = await fetch(`${dashboard}/api/v2/query`, {
            method: 'POST',
            headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
            body: JSON.stringify({ site_id: SITE, date_range: 'day', ...QUERIES[q++ % QUERIES.length] }),
          });
          await res.arrayBuffer();
          if (res.status === 200) queryMs.push(performance.now() - t0);
          else queryErrors++;
        } catch {
          queryErrors++;
        }
        await sleep(2000);
      }
    })();

    const rows: Array<Array<string | number>> = [];
    const mb = (b: number) => (b / 1024 / 1024).toFixed(0);
    let firstRss = 0;
    for (let minute = 1; minute <= minutes; minute++) {
      const bursting = burst(minute);
      await sleep(60_000);
      await bursting;
      child.send({ type: 'sample' });
      const s = (await next('sample')).sample as SoakSample;
      firstRss ||= s.rssBytes;
      const row = [
        minute,
        mb(s.rssBytes),
        mb(s.heapUsedBytes),
        s.loopP99Ms.toFixed(1),
        s.inserts,
        s.insertP99Ms.toFixed(0),
        fmtInt(accepted),
        fmtInt(s.stored),
        fmtInt(accepted - s.stored),
        fmtInt(abuse429),
        queryMs.length ? percentile(queryMs, 50).toFixed(0) : '-',
        queryErrors,
      ];
      rows.push(row);
      console.log(`soak: minute ${minute}: RSS ${row[1]} MB, heap ${row[2]} MB, loop p99 ${row[3]} ms, ${row[4]} inserts (p99 ${row[5]} ms), accepted ${row[6]}, stored ${row[7]}, in flight ${row[8]}, abuse 429s ${row[9]}`);
    }

    stopping = true;
    await Promise.all([...slots, queries]);
    child.send({ type: 'finish' });
    const last = (await next('finished')).sample as SoakSample;
    const exact = last.stored === accepted;
    console.log('');
    console.log(`## Soak: ${minutes} minutes at ${rate} pageviews/s (${new Date().toISOString().slice(0, 10)})`);
    console.log('');
    console.log(
      table(
        ['minute', 'RSS MB', 'heap MB', 'loop delay p99 ms', 'inserts', 'insert p99 ms', 'pageviews accepted', 'stored', 'in flight (hold + flush)', 'abuse 429s', 'query p50 ms', 'query errors'],
        rows,
      ),
    );
    console.log('');
    console.log(
      `After the load stopped and a final flush: **${fmtInt(accepted)} pageviews accepted (202), ${fmtInt(last.stored)} stored: ${exact ? 'exact' : 'NOT EXACT'}**; ` +
        `${fmtInt(refused)} refused (4xx), ${fmtInt(failed)} failed to connect; abuse bursts: ${fmtInt(abuseSent)} sent, ${fmtInt(abuse429)} answered 429; ` +
        `flush failures ${last.flushFailures}; RSS ${mb(firstRss)} MB after minute 1, ${mb(last.rssBytes)} MB at the end; ${queryMs.length} Stats API queries, p50 ${queryMs.length ? percentile(queryMs, 50).toFixed(0) : '-'} ms, ${queryErrors} errors.`,
    );
    if (!exact || failed > 0) process.exitCode = 1;
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    dir.remove();
  }
}

await main();
