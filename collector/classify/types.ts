// Shared shapes of the classification steps. The pipeline only depends on these types,
// so each classifier (referrer, UTM, user agent, bots, paths) can change behind them.

/** GA4-style default channel groups, with Plausible's "AI Assistants" group. */
export type Channel =
  | 'Direct'
  | 'Organic Search'
  | 'Paid Search'
  | 'Organic Social'
  | 'Paid Social'
  | 'Organic Video'
  | 'Paid Video'
  | 'Organic Shopping'
  | 'Paid Shopping'
  | 'Email'
  | 'SMS'
  | 'Display'
  | 'Affiliates'
  | 'Audio'
  | 'Cross-network'
  | 'Mobile Push Notifications'
  | 'Paid Other'
  | 'AI Assistants'
  | 'Referral'
  | 'Unassigned';

/** The five UTM fields, already trimmed, length-capped and lower-cased where sensible; '' when absent. */
export interface Utm {
  source: string;
  medium: string;
  campaign: string;
  content: string;
  term: string;
}

/** Where a visit came from. Click-id values are never part of it: only whether one was present. */
export interface Acquisition {
  /** Human source name ("Google", "Facebook", "Newsletter") or bare host; '' for Direct. */
  source: string;
  channel: Channel;
  /** Referrer host without "www.", '' when there was no (external) referrer. */
  referrerHost: string;
  utm: Utm;
}

export type AcquisitionResult =
  | { kind: 'external'; acquisition: Acquisition }
  /** The referrer is the site itself (or a subdomain): a navigation inside the visit, never a new source. */
  | { kind: 'internal'; acquisition: Acquisition }
  /** The referrer host is on the referrer-spam list: the event is dropped. */
  | { kind: 'spam'; host: string };

export interface AcquisitionInput {
  /** Referrer as sent by the tracker (document.referrer), possibly '' or null. */
  referrer: string | null;
  /** The page URL, with its query string still present (UTM and click-id parameters live there). */
  pageUrl: URL;
  /** The registered site domain, e.g. "example.com". */
  siteDomain: string;
}

export type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'other';

export interface UserAgentInfo {
  /** Browser family, e.g. "Chrome", "Safari", "Firefox"; "(unknown)" when not recognised. */
  browser: string;
  /** OS family, e.g. "Windows", "macOS", "iOS", "Android", "Linux"; "(unknown)" when not recognised. */
  os: string;
  device: DeviceType;
}

/** Why a beacon was taken for a robot (see classify/bot.ts for what each signal means). */
export type BotReason =
  /** No User-Agent header, or only whitespace. */
  | 'empty-ua'
  /** A User-Agent too short for any browser engine. */
  | 'short-ua'
  /** A headless browser (HeadlessChrome, PhantomJS, ...), in the User-Agent or in Sec-CH-UA. */
  | 'headless'
  /** Browser automation or a page-audit tool (Selenium, Puppeteer, Lighthouse, ...). */
  | 'automation'
  /** Matched the isbot list of crawlers, fetchers and tools. */
  | 'isbot';
