// A real telmark whose collector reaches ClickHouse through a switchable fault (store-faults.ts),
// and the small tools the outage tests share: load from new visitors, polling, /healthz, counts.
import { expect } from 'vitest';
import { cubeTable } from '../../schema/cubes.ts';
import { StoreFaults } from './store-faults.ts';
import { pageview, startTestTelmark, T0, type TestTelmark } from './telmark.ts';

/** Flush timer every 500 ms of real time (its backoff runs on the test clock); a small memory bound. */
export const OUTAGE_ENV = { FLUSH_INTERVAL_MS: '500', MAX_QUEUED_ROWS: '1000' };

export interface Outage {
  t: TestTelmark;
  faults: StoreFaults;
  /** `n` pageviews, each from a new visitor, 10 at a time; every one must be answered 202. Returns n. */
  load(n: number): Promise<number>;
  until(what: string, check: () => Promise<boolean> | boolean, timeoutMs?: number): Promise<void>;
  health(): Promise<{ status: number; body: any }>;
  /** sum(pageviews) in the hourly pages cube (a second cube to compare with sumPageviews' acquisition). */
  pagesCubePageviews(): Promise<number>;
  linesLike(re: RegExp): string[];
  /** Waits until the flusher has run since the last beacon (it drains the pending aggregates every time). */
  drained(): Promise<void>;
  /** Lifts the fault (a hung insert would hold the final flush forever), stops, removes the data. */
  destroy(): Promise<void>;
}

let next = 0;

export async function startOutage(env: Record<string, string> = {}): Promise<Outage> {
  const faults = new StoreFaults();
  const t = await startTestTelmark({ ...OUTAGE_ENV, ...env }, T0, { wrapStore: (s) => faults.wrap(s) });
  const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000) => {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${t.logs.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    t,
    faults,
    async load(n) {
      const statuses: number[] = [];
      const one = async () => {
        const i = next++;
        // Its own /24: visitor keys use the truncated address, so each beacon is a new visitor.
        const res = await t.beacon(pageview(`https://example.com/p/${i % 50}`), { 'x-forwarded-for': `10.${(i >> 8) & 255}.${i & 255}.7` });
        statuses.push(res.status);
        await res.body?.cancel();
      };
      for (let sent = 0; sent < n; ) {
        const k = Math.min(10, n - sent);
        await Promise.all(Array.from({ length: k }, one));
        sent += k;
      }
      expect(statuses.filter((s) => s !== 202)).toEqual([]);
      return n;
    },
    until,
    async health() {
      const res = await fetch(`${t.collectorUrl}/healthz`);
      return { status: res.status, body: await res.json() };
    },
    async pagesCubePageviews() {
      const rs = await t.store.client.query({
        query: `SELECT sum(pageviews) AS n FROM ${t.store.table(cubeTable('pages', 'hour'))} WHERE site = 'example.com'`,
        format: 'JSONEachRow',
      });
      return Number((await rs.json<{ n: string }>())[0]!.n);
    },
    linesLike: (re) => t.logs.filter((l) => re.test(l)),
    drained: () => until('a flush after the last beacon', async () => (await t.metric('telmark_pending_rows')) === 0),
    async destroy() {
      faults.fault = 'none';
      await t.destroy();
    },
  };
}
