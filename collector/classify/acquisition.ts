// Where a visit came from: referrer + landing-page URL -> source, channel, referrer host and UTM
// fields, or "internal" (a navigation inside the site) or "spam" (drop the event).
//
// Composes the single-concern modules: referrer.ts (which host/app), spam.ts, source.ts (who that
// is), utm.ts, click-id.ts and channel.ts. Pure: no I/O, no clock, nothing remembered.
import type { Acquisition, AcquisitionInput, AcquisitionResult, Utm } from './types.js';
import { parseReferrer } from './referrer.js';
import { isSpamHost } from './spam.js';
import {
  fallbackSourceName,
  normalizeHost,
  sourceForApp,
  sourceForHost,
  sourceForName,
  sourceForUtm,
  type SourceCategory,
  type SourceEntry,
} from './source.js';
import { parseUtm } from './utm.js';
import { findClickId, type ClickIdRule } from './click-id.js';
import { classifyChannel, isPaidMedium } from './channel.js';

function emptyUtm(): Utm {
  return { source: '', medium: '', campaign: '', content: '', term: '' };
}

/** The acquisition of a visit with nothing to attribute it to. */
export function directAcquisition(): Acquisition {
  return { source: '', channel: 'Direct', referrerHost: '', utm: emptyUtm() };
}

/** The site itself or any subdomain of it ("www." ignored on both sides). */
export function isSameSite(host: string, siteDomain: string): boolean {
  const site = normalizeHost(siteDomain.trim());
  if (site === '') return false;
  const h = normalizeHost(host);
  return h === site || h.endsWith(`.${site}`);
}

export interface ResolvedSource {
  source: string;
  category: SourceCategory | null;
  paidSource: boolean;
}

/**
 * Who the source is, from the referrer's source (null without a referrer), the UTM fields and the
 * click id. Exported for the conformance suites, which start from already-resolved referrers.
 */
export function resolveSource(
  referrer: { name: string; category: SourceCategory | null } | null,
  utm: Utm,
  clickId: ClickIdRule | null,
): ResolvedSource {
  // utm_source names the source when present (the marketer said so); the referrer otherwise.
  // The referrer's category informs the channel unless utm_medium names a channel itself: a paid
  // medium ("cpc") says *that* the click was bought and the referrer says *where* (Google ->
  // Paid Search), but "email" or "affiliate" is a channel, and weaker evidence must not override it.
  let source = referrer?.name ?? '';
  const referrerCounts = utm.medium === '' || isPaidMedium(utm.medium);
  let category = referrerCounts ? (referrer?.category ?? null) : null;
  let paidSource = false;
  if (utm.source !== '') {
    const tagged = sourceForUtm(utm.source);
    source = tagged.name;
    category = tagged.category ?? category;
    paidSource = tagged.paid;
  }
  // Nothing names the source but a click id does: in-app browsers and strict referrer policies
  // often drop the referrer, and the id still proves which platform the click came from.
  if (source === '' && clickId) {
    const network = sourceForName(clickId.network);
    source = network?.name ?? clickId.network;
    category = network?.category ?? null;
  }
  return { source, category, paidSource };
}

export function classifyAcquisition(input: AcquisitionInput): AcquisitionResult {
  const origin = parseReferrer(input.referrer);

  let referrerHost = '';
  let fromReferrer: SourceEntry | null = null;
  let referrerName = '';
  if (origin?.kind === 'web') {
    referrerHost = normalizeHost(origin.host);
    if (isSpamHost(referrerHost)) return { kind: 'spam', host: referrerHost };
    // An internal navigation is never a new source: the session keeps its entry's acquisition.
    // UTM tags on internal links are ignored for the same reason (GA4 advises against them).
    if (isSameSite(referrerHost, input.siteDomain)) return { kind: 'internal', acquisition: directAcquisition() };
    fromReferrer = sourceForHost(referrerHost);
    referrerName = fromReferrer?.name ?? fallbackSourceName(referrerHost);
  } else if (origin?.kind === 'app') {
    referrerHost = origin.packageName;
    fromReferrer = sourceForApp(origin.packageName);
    referrerName = fromReferrer?.name ?? origin.packageName;
  }

  const utm = parseUtm(input.pageUrl);
  const clickId = findClickId(input.pageUrl);

  const { source, category, paidSource } = resolveSource(
    origin ? { name: referrerName, category: fromReferrer?.category ?? null } : null,
    utm,
    clickId,
  );
  const channel = classifyChannel({
    source,
    category,
    paidSource,
    hasReferrer: origin !== null,
    utm,
    clickId,
  });
  return { kind: 'external', acquisition: { source, channel, referrerHost, utm } };
}
