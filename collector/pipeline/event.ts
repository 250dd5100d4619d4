import type ipaddr from 'ipaddr.js';
import type { Beacon } from '../beacon.ts';
import type { AcquisitionResult, BotReason, UserAgentInfo } from '../classify/types.ts';
import type { HeaderReader } from '../ip/client-ip.ts';
import type { Site } from '../../schema/sites.ts';
import type { VisitDelta } from '../sessions.ts';

/** Why an event was not counted. Counted per reason in /metrics. */
export type DropReason =
  | 'unknown_site'
  | 'dnt'
  | 'gpc'
  | 'no_ip'
  | 'bot'
  | 'referrer_spam'
  | 'abuse'
  /** An engagement event without a live visit: engagement never starts a visit. */
  | 'no_visit'
  | 'shutting_down';

export const DROP_REASONS: DropReason[] = ['unknown_site', 'dnt', 'gpc', 'no_ip', 'bot', 'referrer_spam', 'abuse', 'no_visit', 'shutting_down'];

/** What the HTTP layer knows about the request, besides the beacon body. */
export interface RequestFacts {
  /** The socket peer's address. */
  peer: string | undefined;
  headers: HeaderReader;
  receivedAt: number;
}

/**
 * One event on its way through the pipeline. Each step fills in its part. `clientIp` holds the
 * full address only between resolveIp and truncateIp, which clears it.
 */
export interface PipelineEvent {
  beacon: Beacon;
  request: RequestFacts;
  domain: string;
  site?: Site;
  clientIp?: ipaddr.IPv4 | ipaddr.IPv6;
  truncatedIp?: string;
  /** ISO 3166-1 alpha-2 code of the client address ('' unknown), set by lookUpCountry. */
  country?: string;
  userAgent: string;
  ua?: UserAgentInfo;
  acquisition?: AcquisitionResult;
  pageUrl?: URL;
  path?: string;
  /** The path as the page cubes keep it (capped per site and day: collector/cardinality/); set by the first step that books it. */
  storedPath?: string;
  visitorKey?: string;
  visit?: VisitDelta;
  /** Custom events: the acquisition dimension values the conversion is credited to (goals/attribution.ts). */
  creditDims?: readonly string[];
  /** The bot signal of the user agent and headers (null: a person); set by checkAbuse or dropBots. */
  botSignal?: BotReason | null;
  /** The abuse entry of the client address (an opaque reference, not the address). */
  abuseRef?: number;
  /** With the `abuse` drop reason: seconds until the address's flag ends if it stays quiet. */
  retryAfterS?: number;
  /** Finer reason for a drop, from a fixed list (for bots: the signal that caught them). */
  dropDetail?: string;
}
