// The country of a client address: the one thing the pipeline keeps from the full address
// besides the abuse buffer's counts. Only the ISO code leaves this module; the database record
// (region, network, names) never does.
import type ipaddr from 'ipaddr.js';
import { recordCountry, type CountryReader, type CountryRecord } from './database.ts';

export type CountryOf = (addr: ipaddr.IPv4 | ipaddr.IPv6) => string;

/**
 * A look-up over an open database. Only globally routed unicast addresses are looked up: private,
 * loopback, link-local, carrier-grade NAT, documentation (192.0.2.0/24, 198.51.100.0/24,
 * 203.0.113.0/24, 2001:db8::/32) and other reserved ranges have no country (''), whatever a
 * database might say about them.
 */
export function countryLookup(reader: CountryReader): CountryOf {
  // mmdb-lib walks an IPv4-only database's tree with the first 32 bits of an IPv6 address and
  // answers some other network's country (2804:14c::/32, Brazil, reads as 40.4.1.76, "US"):
  // such a database knows nothing about IPv6.
  const v4only = reader.metadata.ipVersion === 4;
  return (addr) => {
    if (addr.range() !== 'unicast' || (v4only && addr.kind() === 'ipv6')) return '';
    try {
      return recordCountry(reader.get(addr.toString()) as CountryRecord | null);
    } catch {
      return '';
    }
  };
}
