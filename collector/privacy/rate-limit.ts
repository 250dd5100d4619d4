import { LRUCache } from 'lru-cache';
import type ipaddr from 'ipaddr.js';
import { truncateAddress } from '../ip/truncate.ts';

/** Requests are counted per network, not per address: one host can hold a whole IPv6 /64. */
const NETWORK = { v4: 24, v6: 48 };

/**
 * Fixed one-minute windows per /24 (IPv4) or /48 (IPv6), for the data-subject endpoints. Memory is
 * bounded: at most MAX_NETWORKS windows (about 100 bytes each, ~1 MB) in an LRU; a flood from more
 * networks than that pushes out the quietest ones, whose counts start again (they are let through
 * a little early, never refused wrongly). Only truncated prefixes are kept, never an address.
 */
export class NetworkRateLimiter {
  static readonly MAX_NETWORKS = 10_000;
  private readonly windows = new LRUCache<string, { start: number; count: number }>({ max: NetworkRateLimiter.MAX_NETWORKS });

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request from `addr`; undefined when allowed, else seconds until its window ends. */
  take(addr: ipaddr.IPv4 | ipaddr.IPv6): number | undefined {
    const network = truncateAddress(addr, NETWORK);
    const t = this.now();
    let w = this.windows.get(network);
    if (!w || t - w.start >= 60_000 || t < w.start) {
      w = { start: t, count: 0 };
      this.windows.set(network, w);
    }
    if (w.count >= this.perMinute) return Math.max(1, Math.ceil((w.start + 60_000 - t) / 1000));
    w.count++;
    return undefined;
  }
}
