// Failed sign-ins, counted in memory per account (the email as typed, known or not, so throttling
// does not reveal which accounts exist) and per client network (/24 or /48). ASVS 5.0 V6.3.
//
// Rule: 5 failures within 15 minutes block the key; each further failure doubles the wait
// (1 min, 2, 4, … up to 1 hour). And an account never takes more than 100 failures an hour: the
// 100th blocks it until the oldest of them is an hour old. A success clears the account's count
// (not the network's).
//
// Bounds: at most MAX_KEYS accounts and MAX_KEYS networks, least recently failed evicted first;
// each remembers at most its last 100 failure times (800 B), so the two maps stay under ~20 MB.
// An attacker who fills the account map with made-up emails only evicts entries that were
// idle longest; the network map still blocks that attacker's own network.
import { LRUCache } from 'lru-cache';

export const THROTTLE = {
  window15Ms: 15 * 60_000,
  failuresPer15: 5,
  baseDelayMs: 60_000,
  maxDelayMs: 60 * 60_000,
  hourMs: 60 * 60_000,
  maxFailuresPerHour: 100,
  maxKeys: 10_000,
} as const;

class FailureLog {
  /** Failure times, oldest first, at most maxFailuresPerHour. */
  readonly times: number[] = [];

  add(now: number): void {
    this.times.push(now);
    if (this.times.length > THROTTLE.maxFailuresPerHour) this.times.shift();
  }

  /** When this key may try again (ms since epoch), or 0 when it may now. */
  blockedUntil(now: number, perHourCap: boolean): number {
    const recent = this.times.filter((t) => now - t < THROTTLE.window15Ms).length;
    let until = 0;
    if (recent >= THROTTLE.failuresPer15) {
      const last = this.times[this.times.length - 1]!;
      const delay = Math.min(THROTTLE.baseDelayMs * 2 ** (recent - THROTTLE.failuresPer15), THROTTLE.maxDelayMs);
      until = last + delay;
    }
    if (perHourCap && this.times.length >= THROTTLE.maxFailuresPerHour) {
      const oldest = this.times[0]!;
      if (now - oldest < THROTTLE.hourMs) until = Math.max(until, oldest + THROTTLE.hourMs);
    }
    return until > now ? until : 0;
  }
}

export class LoginThrottle {
  private readonly accounts = new LRUCache<string, FailureLog>({ max: THROTTLE.maxKeys });
  private readonly networks = new LRUCache<string, FailureLog>({ max: THROTTLE.maxKeys });

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before `account` may try from `network`, or 0. */
  retryAfter(account: string, network: string): number {
    const now = this.now();
    const until = Math.max(this.accounts.get(account)?.blockedUntil(now, true) ?? 0, this.networks.get(network)?.blockedUntil(now, false) ?? 0);
    return until > now ? Math.ceil((until - now) / 1000) : 0;
  }

  failed(account: string, network: string): void {
    const now = this.now();
    for (const [map, key] of [[this.accounts, account], [this.networks, network]] as const) {
      let log = map.get(key);
      if (!log) map.set(key, (log = new FailureLog()));
      log.add(now);
    }
  }

  succeeded(account: string): void {
    this.accounts.delete(account);
  }

  get size(): { accounts: number; networks: number } {
    return { accounts: this.accounts.size, networks: this.networks.size };
  }
}
