import type { AbuseConfig } from '../abuse/config.ts';
import type { TruncationPrefixes } from '../ip/truncate.ts';

/** What this collector keeps and for how long, in plain words: part of every GET /api/privacy/me answer. */
export interface PrivacyStatement {
  aggregates: string;
  retention: {
    abuse_entry: string;
    aggregates_daily: string;
    aggregates_hourly: string;
    aggregates_minute: string;
    audit_log: string;
  };
}

export interface StatementSettings {
  abuse: Pick<AbuseConfig, 'maxIps' | 'ttlS' | 'maxAgeS'>;
  retentionMonths: number;
  hourlyRetentionDays: number;
  auditRetentionDays: number;
  prefixes: TruncationPrefixes;
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** 3600 -> "1 hour", 5400 -> "90 minutes", 45 -> "45 seconds". */
export function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return plural(seconds / 86_400, 'day');
  if (seconds % 3_600 === 0) return plural(seconds / 3_600, 'hour');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

export function privacyStatement(s: StatementSettings): PrivacyStatement {
  return {
    aggregates:
      'Analytics are stored only as counts: per site and time (day, hour, minute), per page and entry page, ' +
      'per traffic source, channel, referring site and campaign (UTM fields), per device type, browser and ' +
      'operating system, and per country (looked up from the full IP address in a country database before the ' +
      'address is shortened; only the two-letter country code is kept), with mergeable sketches of visitor keys that are salted per day (a hash of a random ' +
      'salt that is replaced every midnight and never stored, the site, the shortened IP address, the user agent ' +
      'and the language). They hold no IP address, no user agent, no cookie, no full URL and no record of a ' +
      'single visit, so nothing in them can be found, shown or erased for one person.',
    retention: {
      abuse_entry:
        s.abuse.maxIps === 0
          ? 'none: this collector keeps no IP addresses (its abuse buffer is off)'
          : `your full IP address and its request counts, in this collector's memory only (never on disk), for ` +
            `abuse detection: ${duration(s.abuse.ttlS)} after its last request, never more than ` +
            `${duration(s.abuse.maxAgeS)} after its first; DELETE /api/privacy/me erases it at once unless it is flagged for abuse`,
      aggregates_daily: `daily counts: ${plural(s.retentionMonths, 'month')}`,
      aggregates_hourly: `hourly counts and visitor sketches: ${plural(s.hourlyRetentionDays, 'day')}`,
      aggregates_minute: 'minute counts and visitor sketches: 48 hours',
      audit_log:
        `${plural(s.auditRetentionDays, 'day')}: one row per security-API or privacy request, with the address ` +
        `shortened (IPv4 to /${s.prefixes.v4}, IPv6 to /${s.prefixes.v6}) and a keyed hash of the full address (so requests about one address can be matched), never the address itself`,
    },
  };
}
