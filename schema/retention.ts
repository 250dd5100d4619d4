// Retention settings: how long each kind of table keeps its rows. The collector states them to data
// subjects, migrate() sets the tables' TTLs from them, the dashboard bounds hour queries by one.
import { int, type Env } from './env.ts';

export const DEFAULT_RETENTION_MONTHS = 25;
export const DEFAULT_HOURLY_RETENTION_DAYS = 14;
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;

export interface RetentionConfig {
  /** RETENTION_MONTHS: day cubes and the day-closings log. */
  retentionMonths: number;
  /** HOURLY_RETENTION_DAYS: hour cubes, with their visitor sketches. */
  hourlyRetentionDays: number;
  /** AUDIT_RETENTION_DAYS: audit_log rows. */
  auditRetentionDays: number;
}

export function retentionConfig(env: Env): RetentionConfig {
  return {
    retentionMonths: int(env, 'RETENTION_MONTHS', DEFAULT_RETENTION_MONTHS, 1, 120),
    hourlyRetentionDays: int(env, 'HOURLY_RETENTION_DAYS', DEFAULT_HOURLY_RETENTION_DAYS, 3, 400),
    auditRetentionDays: int(env, 'AUDIT_RETENTION_DAYS', DEFAULT_AUDIT_RETENTION_DAYS, 1, 3650),
  };
}
