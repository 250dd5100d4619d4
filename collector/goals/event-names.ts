// The names of custom events, as the event-name cube may keep them. Clients choose event names,
// so they are treated like paths: identifiers (e-mails, long numbers, hex ids, tokens) become
// ":id", and each site keeps at most EVENT_NAMES_PER_DAY distinct names per UTC day; a new name
// past that is counted as "(other)", so a flood of made-up names cannot grow the store without
// bound. Memory: one Set per registered site, at most EVENT_NAMES_PER_DAY names of at most 120
// characters each (~150 KB per site when full), replaced at UTC midnight. Control characters are
// removed: the event cubes reserve names starting with \x01 for goals (schema/goals.ts).
import { redactText } from '../classify/path.ts';

export const EVENT_NAMES_PER_DAY = 1000;
export const OTHER_NAME = '(other)';

export class EventNameCap {
  private readonly perSite = new Map<string, { day: number; names: Set<string> }>();
  /** New names counted as "(other)" since start (for /metrics). */
  folded = 0;

  constructor(private readonly limit = EVENT_NAMES_PER_DAY) {}

  /** The name to count `raw` under, for `site` at `now`. */
  admit(site: string, raw: string, now: number): string {
    // eslint-disable-next-line no-control-regex
    const name = redactText(raw.replace(/[\x00-\x1f\x7f]/g, '')) || '(not set)';
    const day = Math.floor(now / 86_400_000);
    let entry = this.perSite.get(site);
    if (!entry || entry.day !== day) this.perSite.set(site, (entry = { day, names: new Set() }));
    if (entry.names.has(name)) return name;
    if (entry.names.size >= this.limit) {
      this.folded++;
      return OTHER_NAME;
    }
    entry.names.add(name);
    return name;
  }
}
