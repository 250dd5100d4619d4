// Custom property values, as the props cube may keep them. Props can carry personal data, so a
// site keeps only the keys it allows (PUT /api/v1/sites/{site}/props; none by default), and their
// values go through the same identifier redaction as paths (e-mails, long numbers, hex ids and
// tokens become ":id"). Each (site, key) keeps at most PROP_VALUES_PER_KEY_PER_DAY distinct values
// per UTC day; a new value past that counts as "(other)".
// Memory: at most 1,000 values of at most 300 characters per (site, allowed key) seen today (a
// longer value folds too: collector/cardinality/limits.ts); a site allows at most 30 keys.
// Replaced at UTC midnight.
import { redactText } from '../classify/path.ts';
import type { PropValue } from '../beacon.ts';
import { CARDINALITY_LIMITS } from '../cardinality/limits.ts';
import { DailyCap } from './daily-cap.ts';

/** The prop_value row of the cardinality table (collector/cardinality/limits.ts). */
export const PROP_VALUES_PER_KEY_PER_DAY = CARDINALITY_LIMITS.prop_value.perDay;

export class PropValueCap {
  private readonly cap: DailyCap;

  constructor(limit: number = PROP_VALUES_PER_KEY_PER_DAY, onFold?: () => void) {
    this.cap = new DailyCap(limit, { maxChars: CARDINALITY_LIMITS.prop_value.maxChars, onFold });
  }

  /** Values held now (all sites and keys). */
  get size(): number {
    return this.cap.size;
  }

  /** New values counted as "(other)" since start (for /metrics). */
  get folded(): number {
    return this.cap.folded;
  }

  /** The value to count `raw` under, for `key` of `site` at `now`. */
  admit(site: string, key: string, raw: PropValue, now: number): string {
    return this.cap.admit(`${site}\x1f${key}`, raw === null ? '(none)' : redactText(String(raw)), now);
  }
}
