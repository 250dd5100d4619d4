// The names of custom events, as the event cubes may keep them. Clients choose event names, so
// they are treated like paths: identifiers (e-mails, long numbers, hex ids, tokens) become ":id",
// and each site keeps at most EVENT_NAMES_PER_DAY distinct names per UTC day; a new name past
// that is counted as "(other)", so a flood of made-up names cannot grow the store without bound.
// Memory: at most EVENT_NAMES_PER_DAY names of at most 120 characters per registered site (~150
// KB per site when full), replaced at UTC midnight. Control characters are removed: the event
// cubes reserve names starting with \x01 for goals (schema/goals.ts).
import { redactText } from '../classify/path.ts';
import { CARDINALITY_LIMITS } from '../cardinality/limits.ts';
import { DailyCap } from './daily-cap.ts';

export { OTHER_NAME } from './daily-cap.ts';
/** The event_name row of the cardinality table (collector/cardinality/limits.ts). */
export const EVENT_NAMES_PER_DAY = CARDINALITY_LIMITS.event_name.perDay;

export class EventNameCap {
  private readonly cap: DailyCap;

  constructor(limit: number = EVENT_NAMES_PER_DAY, onFold?: () => void) {
    this.cap = new DailyCap(limit, { maxChars: CARDINALITY_LIMITS.event_name.maxChars, onFold });
  }

  /** Names held now (all sites). */
  get size(): number {
    return this.cap.size;
  }

  /** New names counted as "(other)" since start (for /metrics). */
  get folded(): number {
    return this.cap.folded;
  }

  /** The name to count `raw` under, for `site` at `now`. */
  admit(site: string, raw: string, now: number): string {
    // eslint-disable-next-line no-control-regex
    const name = redactText(raw.replace(/[\x00-\x1f\x7f]/g, '')) || '(not set)';
    return this.cap.admit(site, name, now);
  }
}
