import ipaddr from 'ipaddr.js';
import { parseIp } from '../ip/truncate.ts';

/**
 * The abuse buffer's key for an address: ipaddr.js's canonical text (IPv6 compressed, RFC 5952),
 * with IPv4-mapped IPv6 already turned into IPv4 by parseIp. One address, one spelling, whether it
 * came from a socket, a forwarding header or a security analyst's URL.
 */
export function addressKey(addr: ipaddr.IPv4 | ipaddr.IPv6): string {
  return addr.toString();
}

/** An address as a person typed it (admin API path), as the buffer's key; null when it is not one. */
export function parseIpParam(text: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    return null;
  }
  // No ports, brackets or prefixes here: the API names one address.
  if (!/^[0-9a-fA-F:.]+$/.test(decoded)) return null;
  const valid = decoded.includes(':') ? ipaddr.IPv6.isValid(decoded) : ipaddr.IPv4.isValidFourPartDecimal(decoded);
  if (!valid) return null;
  const addr = parseIp(decoded);
  return addr ? addressKey(addr) : null;
}
