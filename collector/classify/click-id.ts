// Which click-id rule (tables/click-ids.ts) a landing page URL carries, if any. Returns the rule,
// never the parameter's value: a click id identifies one click of one person.
import { CLICK_IDS, type ClickIdRule } from './tables/click-ids.js';

export type { ClickIdRule, ClickIdProof } from './tables/click-ids.js';

const byParam = new Map<string, { rule: ClickIdRule; rank: number }>(
  CLICK_IDS.map((rule, rank) => [rule.param.toLowerCase(), { rule, rank }]),
);

/** The rule for a parameter name ("gclid", "ScCid"), case-insensitively; null when unknown. */
export function clickIdRule(param: string): ClickIdRule | null {
  return byParam.get(param.toLowerCase())?.rule ?? null;
}

/**
 * The highest-priority click id present with a non-empty value (an empty "?gclid=" proves nothing),
 * or null. Walks the URL's own parameters, which are few, rather than the table.
 */
export function findClickId(url: URL): ClickIdRule | null {
  let best: { rule: ClickIdRule; rank: number } | undefined;
  for (const [name, value] of url.searchParams) {
    if (value.trim() === '') continue;
    const hit = byParam.get(name.toLowerCase());
    if (hit && (!best || hit.rank < best.rank)) best = hit;
  }
  return best?.rule ?? null;
}
