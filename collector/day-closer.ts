import { CUBE_DIMENSIONS, CUBE_NAMES, DAY_CLOSINGS_TABLE, cubeCounters, cubeTable } from '../schema/cubes.ts';
import type { Store } from '../schema/client.ts';
import { addDays, localDate } from '../schema/dates.ts';
import { closedDays } from '../schema/day-closings.ts';
import { errorLine } from '../schema/errors.ts';
import type { Site } from '../schema/sites.ts';

export interface DayCloserOptions {
  now: () => number;
  log: (line: string) => void;
  /** How long after local midnight a day is closed: late visit deltas and flushes land first. */
  closeDelayMs: number;
  /** Hour cubes are kept this long; older unclosed days cannot be closed any more. */
  hourlyRetentionDays: number;
}

/**
 * Folds each site's finished local days from the hour cubes into the day cubes, finalising the
 * visitor sketches into counts (see migration 003). Runs in the collector every few minutes;
 * several collectors may close the same day, which only replaces identical rows. A batch that
 * reaches ClickHouse late (a spool replay after an outage) marks its days for closing again.
 */
export class DayCloser {
  private dirtyFrom: number | undefined;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly sites: () => Site[],
    private readonly opts: DayCloserOptions,
  ) {}

  /** Data at or after `ms` changed after its day may have been closed. */
  markDirty(ms: number): void {
    this.dirtyFrom = this.dirtyFrom === undefined ? ms : Math.min(this.dirtyFrom, ms);
  }

  start(intervalMs = 5 * 60_000): void {
    this.timer = setInterval(() => void this.run().catch((err) => this.opts.log(`day closer: ${errorLine(err)}`)), intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a closing in progress (storage closes right after). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => {});
  }

  run(): Promise<void> {
    this.running ??= this.closeAll().finally(() => (this.running = undefined));
    return this.running;
  }

  private async closeAll(): Promise<void> {
    const dirtyFrom = this.dirtyFrom;
    this.dirtyFrom = undefined;
    try {
      for (const site of this.sites()) await this.closeSite(site, dirtyFrom);
    } catch (err) {
      if (dirtyFrom !== undefined) this.markDirty(dirtyFrom);
      throw err;
    }
  }

  private async closeSite(site: Site, dirtyFrom: number | undefined): Promise<void> {
    const now = this.opts.now();
    const lastClosable = addDays(localDate(now - this.opts.closeDelayMs, site.timezone), -1);
    const oldestKept = addDays(localDate(now, site.timezone), -this.opts.hourlyRetentionDays + 1);
    const first = await this.firstHourDay(site);
    if (!first) return;
    const from = first > oldestKept ? first : oldestKept;
    if (from > lastClosable) return;
    const closed = new Set(await closedDays(this.store, site.domain, from, lastClosable));
    const dirtyDay = dirtyFrom === undefined ? undefined : localDate(dirtyFrom, site.timezone);
    const todo: string[] = [];
    for (let d = from; d <= lastClosable; d = addDays(d, 1)) {
      if (!closed.has(d) || (dirtyDay !== undefined && d >= dirtyDay)) todo.push(d);
    }
    // Contiguous runs close in one statement per cube.
    let runStart = 0;
    for (let i = 1; i <= todo.length; i++) {
      if (i === todo.length || todo[i] !== addDays(todo[i - 1]!, 1)) {
        await this.closeDays(site, todo[runStart]!, todo[i - 1]!);
        runStart = i;
      }
    }
  }

  private async firstHourDay(site: Site): Promise<string | undefined> {
    const rs = await this.store.client.query({
      query: `SELECT toString(toDate(min(ts), {tz:String})) AS d, count() AS n FROM ${this.store.table(cubeTable('acquisition', 'hour'))} WHERE site = {site:String}`,
      query_params: { site: site.domain, tz: site.timezone },
      format: 'JSONEachRow',
    });
    const [row] = await rs.json<{ d: string; n: string }>();
    return row && Number(row.n) > 0 ? row.d : undefined;
  }

  /** Closes local days from..to (inclusive) of one site. */
  async closeDays(site: Site, from: string, to: string): Promise<void> {
    const params = { site: site.domain, tz: site.timezone, from: `${from} 00:00:00`, to: `${addDays(to, 1)} 00:00:00` };
    for (const cube of CUBE_NAMES) {
      const dims = CUBE_DIMENSIONS[cube].join(', ');
      const counters = cubeCounters(cube);
      await this.store.client.command({
        query: `INSERT INTO ${this.store.table(cubeTable(cube, 'day'))}
          (site, day, ${dims}, ${counters.join(', ')}, visitors, closed_at)
          SELECT site, toDate(ts, {tz:String}) AS day, ${dims},
                 ${counters.map((c) => `sum(${c})`).join(', ')}, uniqCombined64Merge(visitors), now()
          FROM ${this.store.table(cubeTable(cube, 'hour'))}
          WHERE site = {site:String} AND ts >= toDateTime({from:String}, {tz:String}) AND ts < toDateTime({to:String}, {tz:String})
          GROUP BY site, day, ${dims}`,
        query_params: params,
      });
    }
    const days: Array<{ site: string; day: string }> = [];
    for (let d = from; d <= to; d = addDays(d, 1)) days.push({ site: site.domain, day: d });
    await this.store.client.insert({
      table: this.store.table(DAY_CLOSINGS_TABLE),
      // Versions are wall-clock time (the rows they replace were written at wall-clock time too).
      values: days.map((d) => ({ ...d, closed_at: Math.floor(Date.now() / 1000) })),
      format: 'JSONEachRow',
    });
    this.opts.log(`day closer: ${site.domain} ${from === to ? from : `${from}..${to}`} closed`);
  }
}
