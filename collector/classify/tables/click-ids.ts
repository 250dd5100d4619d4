// Click-id query parameters that ad networks and platforms append to landing-page URLs, and what
// their presence proves. Data only; ../click-id.ts finds them and ../channel.ts applies the rule.
//
// Only the *name* of the parameter is ever looked at: its value identifies one click of one person
// and never leaves the request (privacy promise 2).
//
// The paid rule (kept in one place so the table and the code cannot drift):
//
// | proof            | params                                              | counts as paid when                          |
// |------------------|-----------------------------------------------------|----------------------------------------------|
// | paid-on-network  | gclid gbraid wbraid (Google Ads), msclkid           | there is no utm_medium, and the source is    |
// |                  | (Microsoft Ads), yclid (Yandex Direct), ttclid      | one of the issuing network's own properties  |
// |                  | (TikTok), li_fat_id (LinkedIn), twclid (X),         | or there is no source at all (app webviews   |
// |                  | ScCid (Snapchat), epik (Pinterest), rdt_cid (Reddit)| and strict referrer policies hide it; the    |
// |                  |                                                     | network then becomes the source)             |
// | paid-anywhere    | dclid (Google Display & Video 360 / CM360)          | there is no utm_medium; the channel is       |
// |                  |                                                     | Display whatever the referrer (display ads   |
// |                  |                                                     | run on third-party sites by design)          |
// | hint             | fbclid (Meta), igshid (Instagram share),            | never. They name the platform when nothing   |
// |                  | mc_cid (Mailchimp campaign)                         | else does, and that is all.                  |
//
// Why:
// - These networks append their id to ad clicks only (auto-tagging), so on the network's own pages
//   the id is proof of a paid click. On someone else's site (DuckDuckGo + gclid) it is a copied or
//   shared ad URL, and the referrer tells the truth: the visit is organic.
// - fbclid is NOT proof: Meta appends it to organic outbound links on Facebook, Instagram and
//   Messenger as well as to ads. igshid marks a shared Instagram link. mc_cid marks a Mailchimp
//   campaign email, which is not a paid placement.
// - An explicit utm_medium is the marketer's own statement about the click and wins over any id.

import type { Channel } from '../types.js';

export type ClickIdProof = 'paid-on-network' | 'paid-anywhere' | 'hint';

export interface ClickIdRule {
  /** The query parameter, as the network spells it (matched case-insensitively). */
  param: string;
  /** Source name (tables/sources.ts) used when the visit has no other source. */
  network: string;
  /** Source names of the issuing network's own properties, where the id proves a paid click. */
  ownSources: readonly string[];
  proof: ClickIdProof;
  /** Fixed channel of a proven paid click (paid-anywhere ids); otherwise the source's category decides. */
  channel?: Channel;
}

const GOOGLE_PROPERTIES = ['Google', 'YouTube', 'Gmail', 'Google Shopping'] as const;
const MICROSOFT_PROPERTIES = ['Bing', 'MSN'] as const;
const META_PROPERTIES = ['Facebook', 'Instagram', 'Messenger', 'Threads'] as const;

/** In priority order: when a URL carries several ids, the first rule listed here wins. */
export const CLICK_IDS: readonly ClickIdRule[] = [
  { param: 'gclid', network: 'Google', ownSources: GOOGLE_PROPERTIES, proof: 'paid-on-network' },
  // iOS app (gbraid) and web-to-app (wbraid) variants of gclid, used where ATT forbids gclid.
  { param: 'gbraid', network: 'Google', ownSources: GOOGLE_PROPERTIES, proof: 'paid-on-network' },
  { param: 'wbraid', network: 'Google', ownSources: GOOGLE_PROPERTIES, proof: 'paid-on-network' },
  { param: 'dclid', network: 'Google', ownSources: GOOGLE_PROPERTIES, proof: 'paid-anywhere', channel: 'Display' },
  { param: 'msclkid', network: 'Bing', ownSources: MICROSOFT_PROPERTIES, proof: 'paid-on-network' },
  { param: 'yclid', network: 'Yandex', ownSources: ['Yandex'], proof: 'paid-on-network' },
  { param: 'ttclid', network: 'TikTok', ownSources: ['TikTok'], proof: 'paid-on-network' },
  { param: 'li_fat_id', network: 'LinkedIn', ownSources: ['LinkedIn'], proof: 'paid-on-network' },
  { param: 'twclid', network: 'X (Twitter)', ownSources: ['X (Twitter)'], proof: 'paid-on-network' },
  { param: 'ScCid', network: 'Snapchat', ownSources: ['Snapchat'], proof: 'paid-on-network' },
  { param: 'epik', network: 'Pinterest', ownSources: ['Pinterest'], proof: 'paid-on-network' },
  { param: 'rdt_cid', network: 'Reddit', ownSources: ['Reddit'], proof: 'paid-on-network' },
  { param: 'fbclid', network: 'Facebook', ownSources: META_PROPERTIES, proof: 'hint' },
  { param: 'igshid', network: 'Instagram', ownSources: META_PROPERTIES, proof: 'hint' },
  { param: 'mc_cid', network: 'Mailchimp', ownSources: ['Mailchimp'], proof: 'hint' },
];
