// Referrer spam: hosts that fake a referrer (often with no real visit behind it) so their name shows
// up in analytics reports and curious site owners click it. A visit "from" them is dropped.
//
// Written by hand for telmark from well-known, long-running campaigns. It is deliberately short:
// spam domains churn weekly, and a short list that is never wrong is worth more here than a long
// one that might drop a real referrer. Never paste another project's list into this file.
//
// Matching (../spam.ts): a host is spam when it equals an entry or is a subdomain of one
// ("semalt.semalt.com"), or when one of the patterns below matches the whole host.

export const SPAM_HOSTS: readonly string[] = [
  // The 2014-2017 "SEO tool" waves, the names every analytics user has seen.
  'semalt.com',
  'darodar.com',
  'econom.co',
  'ilovevitaly.com',
  'ilovevitaly.ru',
  'ilovevitaly.co',
  'ilovevitaly.org',
  'iloveitaly.ru',
  'priceg.com',
  'blackhatworth.com',
  'hulfingtonpost.com',
  'cenoval.ru',
  'kambasoft.com',
  'savetubevideo.com',
  'luxup.ru',
  'erot.co',
  'forum69.info',
  'humanorightswatch.org',
  'o-o-6-o-o.com',
  'o-o-8-o-o.com',
  'lomb.co',
  'lombia.co',
  'iskalko.ru',
  'sexyali.com',
  'torture.ml',
  'domination.ml',
  'theguardlan.com',
  'googlsucks.com',
  'chinese-amezon.com',
  'e-buyeasy.com',
  '7makemoneyonline.com',
  'buy-cheap-online.info',
  // "Share buttons" and "free traffic" offers.
  'buttons-for-website.com',
  'buttons-for-your-website.com',
  'social-buttons.com',
  'simple-share-buttons.com',
  'free-share-buttons.com',
  'free-social-buttons.com',
  'floating-share-buttons.com',
  'get-your-social-buttons.info',
  'get-free-traffic-now.com',
  'traffic2money.com',
  'trafficmonetize.org',
  'trafficmonetizer.org',
  'webmonetizer.net',
  '4webmasters.org',
  // "Your site has errors / rank checker" offers.
  'best-seo-offer.com',
  'best-seo-solution.com',
  '100dollars-seo.com',
  'success-seo.com',
  'seoanalyses.com',
  'ranksonic.info',
  'ranksonic.org',
  'sitevaluation.org',
  'fix-website-errors.com',
  'site-auditor.online',
  'rank-checker.online',
  'keywords-monitoring-your-success.com',
  'website-analyzer.info',
  'videos-for-your-business.com',
  'event-tracking.com',
  'bestwebsitesawards.com',
];

/**
 * Name shapes that only spam uses. Each one is specific enough that no real site we know of (and
 * nothing in tables/sources.ts, which a test checks) matches it.
 */
export const SPAM_HOST_PATTERNS: readonly RegExp[] = [
  // "share-buttons" / "social-buttons" / "buttons-for-..." offer sites and their numbered mirrors.
  /(^|[.-])(share|social)-buttons?([.-]|$)/,
  /(^|[.-])buttons-for-/,
  // "free-traffic", "traffic-bot", "get-traffic-now" style offers.
  /(^|[.-])(free|cheap|buy|get)-(web-)?traffic([.-]|$)/,
  /(^|[.-])traffic-?bots?([.-]|$)/,
  // "best-seo-...", "cheap-seo-...", "100dollars-seo" offers.
  /(^|[.-])(best|cheap|free|top|\d+dollars?)-seo([.-]|$)/,
];
