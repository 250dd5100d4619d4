import ipaddr from 'ipaddr.js';
import { parseIp } from './truncate.ts';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A parsed TRUSTED_PROXIES list: the peers whose forwarding headers we believe. */
export class TrustedProxies {
  private readonly ranges: Range[];

  constructor(cidrs: string[]) {
    this.ranges = cidrs.map((c) => {
      const range = ipaddr.parseCIDR(c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`);
      const [addr, bits] = range;
      // An IPv4-mapped range is matched as IPv4, the same way parseIp normalises peers.
      if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96] as Range;
      }
      return range as Range;
    });
  }

  static isValidCidr(c: string): boolean {
    try {
      ipaddr.parseCIDR(c.includes('/') ? c : `${c}/${c.includes(':') ? 128 : 32}`);
      return true;
    } catch {
      return false;
    }
  }

  get size(): number {
    return this.ranges.length;
  }

  contains(addr: ipaddr.IPv4 | ipaddr.IPv6): boolean {
    for (const [net, bits] of this.ranges) {
      if (net.kind() === addr.kind() && addr.match(net as never, bits)) return true;
    }
    return false;
  }
}

export interface HeaderReader {
  get(name: string): string | null | undefined;
}

/**
 * The client's address. Forwarding headers are honoured only when the socket peer is a trusted
 * proxy; X-Forwarded-For is read right to left, skipping our own trusted hops, because only the
 * entries our proxies appended are believable (a client can put anything on the left).
 * Returns null when no usable address is known (the event is then dropped as `no-ip`).
 */
export function resolveClientIp(
  peer: string | undefined,
  headers: HeaderReader,
  trusted: TrustedProxies,
): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const peerAddr = peer ? parseIp(peer) : null;
  if (!peerAddr || trusted.size === 0 || !trusted.contains(peerAddr)) return peerAddr;
  const xff = headers.get('x-forwarded-for');
  if (xff) {
    const hops = xff.split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = parseIp(hops[i] ?? '');
      if (!hop) return peerAddr; // a garbled chain cannot be trusted further
      if (!trusted.contains(hop)) return hop;
    }
  }
  const real = headers.get('x-real-ip');
  if (real) return parseIp(real) ?? peerAddr;
  return peerAddr;
}
