import ipaddr from 'ipaddr.js';

export interface TruncationPrefixes {
  /** Bits of an IPv4 address kept (default 24: the last octet is zeroed). */
  v4: number;
  /** Bits of an IPv6 address kept (default 48: a site's routing prefix, not its subnet or host). */
  v6: number;
}

export const DEFAULT_PREFIXES: TruncationPrefixes = { v4: 24, v6: 48 };

/**
 * Parses one address as it appears in a socket or a forwarding header: brackets, a port and a
 * full-length CIDR suffix (/32, /128) are tolerated; anything that is not an IP (a host name) is
 * null. IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes the IPv4 address, so it is truncated as IPv4.
 */
export function parseIp(input: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  let s = input.trim();
  if (s.length === 0 || s.length > 64) return null;
  if (s.startsWith('[')) {
    const end = s.indexOf(']');
    if (end < 0) return null;
    s = s.slice(1, end); // drops "]:port" too
  } else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(s)) {
    s = s.slice(0, s.lastIndexOf(':'));
  }
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const bits = s.slice(slash + 1);
    s = s.slice(0, slash);
    if (!(bits === '32' || bits === '128')) return null;
  }
  // Zone ids (fe80::1%eth0) identify an interface, not a client.
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  // One parse per address (this runs for every beacon). IPv4 must be a dotted quad: the legacy
  // forms ipaddr.js also accepts ("1", "0x7f.1") are not how a client address is written.
  if (!s.includes(':')) return ipaddr.IPv4.isValidFourPartDecimal(s) ? ipaddr.IPv4.parse(s) : null;
  let v6: ipaddr.IPv6;
  try {
    v6 = ipaddr.IPv6.parse(s);
  } catch {
    return null;
  }
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

function maskBytes(bytes: number[], keepBits: number): number[] {
  return bytes.map((b, i) => {
    const bitsBefore = i * 8;
    if (keepBits >= bitsBefore + 8) return b;
    if (keepBits <= bitsBefore) return 0;
    return b & (0xff << (8 - (keepBits - bitsBefore)));
  });
}

/** Zeroes the host part of an already parsed address. */
export function truncateAddress(addr: ipaddr.IPv4 | ipaddr.IPv6, prefixes: TruncationPrefixes = DEFAULT_PREFIXES): string {
  const keep = addr.kind() === 'ipv4' ? prefixes.v4 : prefixes.v6;
  return ipaddr.fromByteArray(maskBytes(addr.toByteArray(), keep)).toString();
}

/** The truncated form of an address string, or null when it is not an IP address. */
export function truncateIp(input: string, prefixes: TruncationPrefixes = DEFAULT_PREFIXES): string | null {
  const addr = parseIp(input);
  return addr ? truncateAddress(addr, prefixes) : null;
}
