import type { HoldQueue } from '../abuse/hold.ts';
import type { Beacon } from '../beacon.ts';
import type { Metrics } from '../metrics.ts';
import type { DropReason, PipelineEvent, RequestFacts } from './event.ts';
import { STEPS, type Step, type StepContext } from './steps.ts';

export type PipelineOutcome =
  | { status: 'counted' }
  /** Waiting out the abuse hold; counted afterwards unless its address gets flagged. */
  | { status: 'held' }
  | { status: 'dropped'; reason: DropReason; retryAfterS?: number };

/** Where a held event waits: from this step on, an event changes sessions and counts. */
export const HOLD_BEFORE_STEP = 'trackVisit';

const NO_HEADERS = { get: () => null };

/** Runs one beacon through the steps for each domain it names (Plausible allows "a.com,b.com"). */
export class Pipeline {
  private readonly admit: Array<[string, Step]>;
  private readonly count: Array<[string, Step]>;

  constructor(
    private readonly ctx: StepContext,
    private readonly metrics: Metrics,
    steps = STEPS,
    /** With the abuse buffer on: accepted events wait here before they are counted. */
    private readonly hold?: HoldQueue<PipelineEvent>,
  ) {
    const split = steps.findIndex(([name]) => name === HOLD_BEFORE_STEP);
    this.admit = split < 0 ? steps : steps.slice(0, split);
    this.count = split < 0 ? [] : steps.slice(split);
    metrics.describe('telmark_events_counted_total', 'Events booked into the aggregates.');
    metrics.describe('telmark_events_dropped_total', 'Events not counted, by reason.');
    metrics.describe('telmark_bots_dropped_total', 'Bot events dropped, by the signal that caught them.');
    if (hold) metrics.gauge('telmark_events_held', () => hold.size);
  }

  process(beacon: Beacon, request: RequestFacts): PipelineOutcome[] {
    if (this.hold) this.releaseHeld();
    const domains = [...new Set(beacon.domain.split(',').map((d) => d.trim()).filter(Boolean))].slice(0, 10);
    const userAgent = request.headers.get('user-agent') ?? '';
    // Each domain runs on its own copy of the request facts: truncateIp clears the peer address.
    return domains.map((domain) => this.run({ beacon, request: { ...request }, domain, userAgent }));
  }

  /**
   * Counts held events whose hold has ended (all of them with `all`: at shutdown, or when a
   * caller flushes), dropping those whose address was flagged meanwhile. Returns how many it took.
   */
  releaseHeld(all = false): number {
    if (!this.hold) return 0;
    const released = this.hold.release(all);
    for (const { item, ref } of released) this.countOrDrop(item, ref);
    return released.length;
  }

  private run(ev: PipelineEvent): PipelineOutcome {
    const reason = this.steps(this.admit, ev);
    if (reason) return this.drop(ev, reason);
    if (this.hold && ev.abuseRef !== undefined) {
      // What waits holds no address and no request headers (X-Forwarded-For names the client):
      // only the facts the remaining steps read.
      ev.request = { peer: undefined, headers: NO_HEADERS, receivedAt: ev.request.receivedAt };
      ev.pageUrl = undefined;
      const overflow = this.hold.push(ev, ev.abuseRef);
      if (overflow) this.countOrDrop(overflow.item, overflow.ref);
      return { status: 'held' };
    }
    return this.finish(ev);
  }

  private countOrDrop(ev: PipelineEvent, ref: number): void {
    if (this.ctx.abuse?.isFlaggedRef(ref)) this.drop(ev, 'abuse');
    else this.finish(ev);
  }

  private finish(ev: PipelineEvent): PipelineOutcome {
    const reason = this.steps(this.count, ev);
    if (reason) return this.drop(ev, reason);
    this.metrics.inc('telmark_events_counted_total');
    return { status: 'counted' };
  }

  private steps(steps: Array<[string, Step]>, ev: PipelineEvent): DropReason | undefined {
    for (const [, step] of steps) {
      const reason = step(ev, this.ctx);
      if (reason) return reason;
    }
    return undefined;
  }

  private drop(ev: PipelineEvent, reason: DropReason): PipelineOutcome {
    ev.clientIp = undefined;
    ev.request.peer = undefined;
    this.metrics.inc('telmark_events_dropped_total', { reason });
    if (reason === 'bot' && ev.dropDetail) this.metrics.inc('telmark_bots_dropped_total', { signal: ev.dropDetail });
    return reason === 'abuse' ? { status: 'dropped', reason, retryAfterS: ev.retryAfterS } : { status: 'dropped', reason };
  }
}
