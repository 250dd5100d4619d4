import { int, type Env } from '../../schema/env.ts';
import type { AbuseThresholds } from './types.ts';

/** Site slots per entry: the sites_1m rule can count at most this many distinct domains a minute. */
export const SITE_SLOTS = 12;

export interface AbuseConfig {
  /** Entries held at most; 0 turns the buffer (and the hold) off. */
  maxIps: number;
  /** An entry ends this long after its last activity... */
  ttlS: number;
  /** ...and never later than this after it was first seen (privacy promise 6: 24 h at most). */
  maxAgeS: number;
  thresholds: AbuseThresholds;
  /**
   * Accepted events wait this long before they are counted, so that a burst which trips a rule in
   * that time is dropped whole, its first events included (0: counted at once).
   */
  holdMs: number;
  /** Events held at most; past it the oldest is counted early (never lost). */
  holdMaxEvents: number;
}

/**
 * Defaults are generous on purpose: one address can be a whole office or a carrier-grade NAT.
 * A person browsing sends an event every few seconds at most; 100 in 10 s, 300 a minute or 2,000 in
 * 10 minutes from one address is a script. Invalid requests (4xx), many sites a minute and bot
 * user agents at a steady rate are signs of probing, spraying and scraping.
 */
export const ABUSE_DEFAULTS: AbuseThresholds = {
  events_10s: 100,
  events_1m: 300,
  events_10m: 2_000,
  invalid_1m: 30,
  sites_1m: 8,
  bot_1m: 60,
};

export function abuseConfig(env: Env): AbuseConfig {
  const limit = (name: string, fallback: number, max = 1_000_000) => int(env, name, fallback, 0, max);
  return {
    maxIps: int(env, 'ABUSE_MAX_IPS', 200_000, 0, 10_000_000),
    ttlS: int(env, 'ABUSE_TTL_S', 3_600, 1, 86_400),
    maxAgeS: int(env, 'ABUSE_MAX_AGE_S', 86_400, 1, 86_400),
    thresholds: {
      events_10s: limit('ABUSE_LIMIT_EVENTS_10S', ABUSE_DEFAULTS.events_10s),
      events_1m: limit('ABUSE_LIMIT_EVENTS_1M', ABUSE_DEFAULTS.events_1m),
      events_10m: limit('ABUSE_LIMIT_EVENTS_10M', ABUSE_DEFAULTS.events_10m),
      invalid_1m: limit('ABUSE_LIMIT_INVALID_1M', ABUSE_DEFAULTS.invalid_1m),
      sites_1m: limit('ABUSE_LIMIT_SITES_1M', ABUSE_DEFAULTS.sites_1m, SITE_SLOTS),
      bot_1m: limit('ABUSE_LIMIT_BOT_1M', ABUSE_DEFAULTS.bot_1m),
    },
    holdMs: int(env, 'ABUSE_HOLD_MS', 10_000, 0, 60_000),
    holdMaxEvents: int(env, 'ABUSE_HOLD_MAX_EVENTS', 100_000, 100, 10_000_000),
  };
}
