// Custom property values, as the props cube may keep them. Props can carry personal data, so a
// site keeps only the keys it allows (PUT /api/v1/sites/{site}/props; none by default), and their
// values go through the same identifier redaction as paths (e-mails, long numbers, hex ids and
// tokens become ":id"). Each (site, key) keeps at most PROP_VALUES_PER_KEY_PER_DAY distinct values
// per UTC day; a new value past that counts as "(other)".
//
// Memory: one Set per (site, allowed key) seen today, at most 1,000 values of at most 2,000
// characters each; a site allows at most 30 keys. Replaced at UTC midnight.
import { redactText } from '../classify/path.ts';
import type { PropValue } from '../beacon.ts';
import { OTHER_NAME } from './event-names.ts';

export const PROP_VALUES_PER_KEY_PER_DAY = 1000;

export class PropValueCap {
  private readonly perKey = new Map<string, { day: number; values: Set<string> }>();
  /** New values counted as "(other)" since start (for /metrics). */
  folded = 0;

  constructor(private readonly limit = PROP_VALUES_PER_KEY_PER_DAY) {}

  /** The value to count `raw` under, for `key` of `site` at `now`. */
  admit(site: string, key: string, raw: PropValue, now: number): string {
    const value = raw === null ? '(none)' : redactText(String(raw));
    const day = Math.floor(now / 86_400_000);
    const id = `${site}\x1f${key}`;
    let entry = this.perKey.get(id);
    if (!entry || entry.day !== day) {
      // Yesterday's sets go as soon as any key of the new day is seen.
      if (entry) for (const [k, e] of this.perKey) if (e.day !== day) this.perKey.delete(k);
      this.perKey.set(id, (entry = { day, values: new Set() }));
    }
    if (entry.values.has(value)) return value;
    if (entry.values.size >= this.limit) {
      this.folded++;
      return OTHER_NAME;
    }
    entry.values.add(value);
    return value;
  }
}
