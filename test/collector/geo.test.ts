// The country look-up on its own (collector/geo/): the packaged DB-IP Lite database answers ISO
// codes for public addresses, nothing for private, loopback, documentation and other reserved
// ones; both record shapes (DB-IP Lite's country_code, MaxMind's country.iso_code) are read;
// GEOIP_DB accepts another country database and refuses a bad one with one line at start.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectorConfig } from '../../collector/config.ts';
import { openCountryDb, packagedCountryDbPath, recordCountry } from '../../collector/geo/database.ts';
import { countryLookup } from '../../collector/geo/lookup.ts';
import { parseIp } from '../../collector/ip/truncate.ts';
import type { PipelineEvent } from '../../collector/pipeline/event.ts';
import { lookUpCountry, resolveIp, truncateIp, type StepContext } from '../../collector/pipeline/steps.ts';
import { TrustedProxies } from '../../collector/ip/client-ip.ts';
import { tempDir } from '../helpers/telmark.ts';

const countryOf = countryLookup(openCountryDb(packagedCountryDbPath()));
const lookup = (ip: string) => countryOf(parseIp(ip)!);

describe('country look-up', () => {
  it('public IPv4 and IPv6 addresses: their ISO code (read from the packaged database)', () => {
    const known: Array<[string, string]> = [
      ['193.99.144.80', 'DE'],
      ['212.227.17.185', 'DE'],
      ['80.67.169.12', 'FR'],
      ['133.242.0.3', 'JP'],
      ['200.160.0.8', 'BR'],
      ['8.8.8.8', 'US'],
      ['81.2.69.142', 'GB'],
      ['196.25.1.1', 'ZA'],
      ['2001:4ca0::1', 'DE'],
      ['2a01:e0a::1', 'FR'],
      ['2804:14c::1', 'BR'],
      ['2001:268:f000::1', 'JP'],
      // IPv4-mapped IPv6, as a dual-stack socket reports an IPv4 client.
      ['::ffff:193.99.144.80', 'DE'],
    ];
    expect(known.map(([ip]) => [ip, lookup(ip)])).toEqual(known);
  });

  it('private, loopback, link-local, carrier-grade NAT and documentation addresses have no country', () => {
    for (const ip of ['10.0.0.5', '172.16.3.4', '192.168.1.1', '127.0.0.1', '169.254.1.1', '100.64.0.1', '192.0.2.1', '198.51.100.20', '203.0.113.9', '::1', 'fe80::1', 'fd00::1', '2001:db8::1', '2001:db8:85a3::7348']) {
      expect(lookup(ip), ip).toBe('');
    }
  });

  it('reads both record shapes, and nothing but a two-letter code', () => {
    expect(recordCountry({ country_code: 'DE' })).toBe('DE');
    expect(recordCountry({ country: { iso_code: 'FR' } })).toBe('FR');
    expect(recordCountry({ country: { iso_code: 'FR', names: { en: 'France' } } as { iso_code: string } })).toBe('FR');
    expect(recordCountry(null)).toBe('');
    expect(recordCountry({})).toBe('');
    expect(recordCountry({ country_code: 'Germany' })).toBe('');
    expect(recordCountry({ country_code: 'de' })).toBe('');
    expect(recordCountry({ country_code: 49 })).toBe('');
  });

  it('lookUpCountry keeps only the code; truncateIp then removes the address as before', () => {
    const ctx = { trustedProxies: new TrustedProxies([]), prefixes: { v4: 24, v6: 48 }, countryOf } as unknown as StepContext;
    const ev = {
      beacon: { name: 'pageview', url: 'https://example.com/', domain: 'example.com' },
      request: { peer: '2804:14c:abcd:1:2:3:4:5', headers: { get: () => null }, receivedAt: 0 },
      domain: 'example.com',
      userAgent: '',
    } as unknown as PipelineEvent;
    expect(resolveIp(ev, ctx)).toBeUndefined();
    expect(lookUpCountry(ev, ctx)).toBeUndefined();
    expect(truncateIp(ev, ctx)).toBeUndefined();
    expect(ev.country).toBe('BR');
    expect(ev.truncatedIp).toBe('2804:14c:abcd::');
    const text = JSON.stringify(ev);
    expect(text).not.toContain('2804:14c:abcd:1');
    expect(text).not.toMatch(/country_code|iso_code|Brazil/);
    // Engagement events never open a visit, so they are not looked up.
    const engagement = { ...ev, beacon: { ...ev.beacon, name: 'engagement' }, request: { ...ev.request, peer: '2804:14c::1' }, country: undefined } as PipelineEvent;
    expect(resolveIp(engagement, ctx)).toBeUndefined();
    expect(lookUpCountry(engagement, ctx)).toBeUndefined();
    expect(engagement.country).toBeUndefined();
  });
});

describe('GEOIP_DB', () => {
  it('defaults to the packaged DB-IP Lite database, and accepts another MMDB country file', () => {
    expect(collectorConfig({}).geoipDb).toBe(packagedCountryDbPath());
    // The IPv4-only variant of the same package: IPv6 addresses then have no country.
    const v4only = packagedCountryDbPath().replace('dbip-country.mmdb', 'dbip-country-ipv4.mmdb');
    expect(collectorConfig({ GEOIP_DB: v4only }).geoipDb).toBe(v4only);
    const v4 = countryLookup(openCountryDb(v4only));
    expect(v4(parseIp('193.99.144.80')!)).toBe('DE');
    expect(v4(parseIp('2804:14c::1')!)).toBe('');
  });

  it('a missing or unreadable file, or one that is not a country database, stops start-up with one line', () => {
    const dir = tempDir('telmark-geo-');
    try {
      const notMmdb = join(dir.path, 'countries.mmdb');
      writeFileSync(notMmdb, 'not an mmdb file');
      for (const path of [join(dir.path, 'missing.mmdb'), notMmdb, dir.path]) {
        let message = '';
        try {
          collectorConfig({ GEOIP_DB: path });
        } catch (err) {
          message = (err as Error).message;
        }
        expect(message).toMatch(new RegExp(`^GEOIP_DB="${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" is invalid: expected the path of a readable MMDB country database`));
        expect(message).toContain('unset it to use the packaged DB-IP Lite');
        expect(message).not.toContain('\n');
      }
    } finally {
      dir.remove();
    }
  });
});
