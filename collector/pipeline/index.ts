import type { Beacon } from '../beacon.ts';
import type { Metrics } from '../metrics.ts';
import type { DropReason, PipelineEvent, RequestFacts } from './event.ts';
import { STEPS, type StepContext } from './steps.ts';

export type PipelineOutcome = { counted: true } | { counted: false; reason: DropReason };

/** Runs one beacon through the steps for each domain it names (Plausible allows "a.com,b.com"). */
export class Pipeline {
  constructor(
    private readonly ctx: StepContext,
    private readonly metrics: Metrics,
    private readonly steps = STEPS,
  ) {
    metrics.describe('telmark_events_counted_total', 'Events booked into the aggregates.');
    metrics.describe('telmark_events_dropped_total', 'Events not counted, by reason.');
    metrics.describe('telmark_bots_dropped_total', 'Bot events dropped, by the signal that caught them.');
  }

  process(beacon: Beacon, request: RequestFacts): PipelineOutcome[] {
    const domains = [...new Set(beacon.domain.split(',').map((d) => d.trim()).filter(Boolean))].slice(0, 10);
    const userAgent = request.headers.get('user-agent') ?? '';
    // Each domain runs on its own copy of the request facts: truncateIp clears the peer address.
    return domains.map((domain) => this.run({ beacon, request: { ...request }, domain, userAgent }));
  }

  private run(ev: PipelineEvent): PipelineOutcome {
    for (const [, step] of this.steps) {
      const reason = step(ev, this.ctx);
      if (reason) {
        ev.clientIp = undefined;
        ev.request.peer = undefined;
        this.metrics.inc('telmark_events_dropped_total', { reason });
        if (reason === 'bot' && ev.dropDetail) this.metrics.inc('telmark_bots_dropped_total', { signal: ev.dropDetail });
        return { counted: false, reason };
      }
    }
    this.metrics.inc('telmark_events_counted_total');
    return { counted: true };
  }
}
