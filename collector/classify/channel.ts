// Channel grouping: a resolved source (name + category) plus UTM fields and a click-id rule -> one
// of the GA4-style default channels (types.ts `Channel`).
//
// The rules follow GA4's published default channel group definitions, in GA4's order (first match
// wins), with these deliberate differences:
// - Source categories come from our own tables (tables/sources.ts), not Google's source list.
// - "AI Assistants" (Plausible's group) for chat assistants, after the organic groups.
// - A utm_source spelled as an ad ("fb-ads", "adwords") counts as a paid medium (source.ts).
// - Click ids count as a paid medium under the rule documented in tables/click-ids.ts.
// - Referrers from ad-serving hosts are paid without any tag: the ad iframe was the referrer.
// - "newsletter" in the source or medium means Email (GA4 only knows "email" and its spellings).
// - A visit with an external referrer and no utm_medium is a Referral even when it carries a
//   source tag (?ref=...); GA4's Unassigned is kept for tagged mediums no rule understands.
// - A category that came from the referrer (not from utm_source) yields to a utm_medium that names
//   a channel; see resolveSource in acquisition.ts.
import type { Channel, Utm } from './types.js';
import type { SourceCategory } from './source.js';
import type { ClickIdRule } from './click-id.js';

export type { SourceCategory } from './source.js';

export interface ChannelInput {
  /** Canonical source name ("Google") or unknown utm_source/host as given; '' when there is none. */
  source: string;
  /** The source's category from our tables; null when they do not know it. */
  category: SourceCategory | null;
  /** utm_source itself is spelled as a paid placement ("fb-ads", "google_ads", "adwords"). */
  paidSource: boolean;
  /** The visit came with an external referrer (so an untagged unknown source is a Referral). */
  hasReferrer: boolean;
  utm: Utm;
  clickId: ClickIdRule | null;
}

// GA4's medium vocabularies. Compiled once; inputs are lower-cased before matching.
const PAID_MEDIUM = /^(?:.*cp.*|ppc|retargeting|paid.*)$/;
const SHOPPING_CAMPAIGN = /^.*(?:(?:[^a-df-z]|^)shop|shopping).*$/;
const DISPLAY_MEDIUMS: ReadonlySet<string> = new Set(['display', 'banner', 'expandable', 'interstitial', 'cpm']);
const SOCIAL_MEDIUMS: ReadonlySet<string> = new Set([
  'social', 'social-network', 'social-media', 'sm', 'social network', 'social media',
]);
const REFERRAL_MEDIUMS: ReadonlySet<string> = new Set(['referral', 'app', 'link']);
const EMAIL_SPELLING = /^e[-_ ]?mail$|newsletter/;
const PUSH_MEDIUM = /push$|mobile|notification/;

/** GA4's paid mediums: "cpc", "ppc", "retargeting", "paid*" (and anything containing "cp"). */
export function isPaidMedium(medium: string): boolean {
  return PAID_MEDIUM.test(medium.toLowerCase());
}

/**
 * Whether a click id makes this visit a paid click. Documented with the table in
 * tables/click-ids.ts: never for hint ids (fbclid), never against an explicit utm_medium, and for
 * network ids only on the network's own properties or when nothing else names the source.
 */
export function clickIdProvesPaid(rule: ClickIdRule | null, source: string, medium: string): boolean {
  if (!rule || rule.proof === 'hint' || medium !== '') return false;
  if (rule.proof === 'paid-anywhere') return true;
  return source === '' || rule.ownSources.includes(source);
}

export function classifyChannel(input: ChannelInput): Channel {
  const { source, category, utm, clickId } = input;
  const medium = utm.medium.toLowerCase();
  const sourceTag = utm.source.toLowerCase();
  const campaign = utm.campaign.toLowerCase();
  const tagged = sourceTag !== '' || medium !== '' || campaign !== '' || utm.content !== '' || utm.term !== '';

  if (source === '' && !tagged && !input.hasReferrer && !clickId) return 'Direct';
  if (campaign.includes('cross-network')) return 'Cross-network';

  const clickPaid = clickIdProvesPaid(clickId, source, medium);
  if (clickPaid && clickId?.channel) return clickId.channel;

  const adHost = medium === '' && (category === 'search-ads' || category === 'display-ads');
  const paid = isPaidMedium(medium) || input.paidSource || clickPaid || adHost;
  const shopping = category === 'shopping' || SHOPPING_CAMPAIGN.test(campaign);
  const search = category === 'search' || category === 'search-ads';

  if (paid) {
    if (shopping) return 'Paid Shopping';
    if (search) return 'Paid Search';
    if (category === 'social') return 'Paid Social';
    if (category === 'video') return 'Paid Video';
  }
  if (DISPLAY_MEDIUMS.has(medium) || (adHost && category === 'display-ads')) return 'Display';
  if (paid) return 'Paid Other';

  if (shopping) return 'Organic Shopping';
  if (category === 'social' || SOCIAL_MEDIUMS.has(medium)) return 'Organic Social';
  if (category === 'video' || medium.includes('video')) return 'Organic Video';
  if (search || medium === 'organic') return 'Organic Search';
  if (category === 'ai') return 'AI Assistants';
  if (REFERRAL_MEDIUMS.has(medium)) return 'Referral';

  const sourceText = (sourceTag || source).toLowerCase();
  if (category === 'email' || EMAIL_SPELLING.test(sourceText) || EMAIL_SPELLING.test(medium)) return 'Email';
  if (medium === 'affiliate' || medium === 'affiliates') return 'Affiliates';
  if (medium === 'audio') return 'Audio';
  if (sourceText === 'sms' || medium === 'sms') return 'SMS';
  if (PUSH_MEDIUM.test(medium) || sourceText === 'firebase') return 'Mobile Push Notifications';

  if (category === 'referral' || (input.hasReferrer && medium === '')) return 'Referral';
  return 'Unassigned';
}
