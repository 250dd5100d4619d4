import { describe, expect, it } from 'vitest';
import { parseIpParam } from '../../collector/abuse/address.ts';
import { AbuseBuffer, BYTES_PER_SLOT } from '../../collector/abuse/buffer.ts';
import { abuseConfig } from '../../collector/abuse/config.ts';
import { HoldQueue } from '../../collector/abuse/hold.ts';
import type { AbuseThresholds } from '../../collector/abuse/types.ts';
import { ConfigError } from '../../schema/env.ts';
import { T0, TestClock } from '../helpers/telmark.ts';

const OFF: AbuseThresholds = { events_10s: 0, events_1m: 0, events_10m: 0, invalid_1m: 0, sites_1m: 0, bot_1m: 0 };

function buffer(opts: { maxIps?: number; ttlS?: number; maxAgeS?: number; thresholds?: Partial<AbuseThresholds> } = {}) {
  const clock = new TestClock(T0);
  const b = new AbuseBuffer(
    { maxIps: opts.maxIps ?? 100, ttlS: opts.ttlS ?? 3600, maxAgeS: opts.maxAgeS ?? 86_400, thresholds: { ...OFF, ...opts.thresholds } },
    clock.now,
  );
  return { b, clock };
}

describe('AbuseBuffer', () => {
  it('keeps per address: first and last seen, window counts, sites, invalid requests and bot signals', () => {
    const { b, clock } = buffer();
    b.recordEvent('203.0.113.7', 'example.com', null);
    clock.advance(5);
    b.recordEvent('203.0.113.7', 'shop.example', 'isbot');
    b.recordEvent('203.0.113.7', 'example.com', 'headless');
    b.recordInvalid('203.0.113.7');
    const r = b.get('203.0.113.7')!;
    expect(r.ip).toBe('203.0.113.7');
    expect(r.first_seen).toBe(new Date(T0).toISOString());
    expect(r.last_seen).toBe(new Date(T0 + 5000).toISOString());
    expect(r.expires_at).toBe(new Date(T0 + 5000 + 3600_000).toISOString());
    expect(r.events).toEqual({ last_10s: 3, last_1m: 3, last_10m: 3, total: 3 });
    expect(r.invalid_requests).toEqual({ last_1m: 1, total: 1 });
    expect(new Set(r.sites)).toEqual(new Set(['example.com', 'shop.example']));
    expect(r.sites_last_1m).toBe(2);
    expect(r.bot_user_agents).toEqual({ last_1m: 2, total: 2, signals: ['headless', 'isbot'] });
    expect(r.flag).toBeNull();
    expect(b.get('203.0.113.8')).toBeUndefined();
  });

  it('slides its windows: old events leave the 10 s window first, then the minute, then 10 minutes', () => {
    const { b, clock } = buffer();
    for (let i = 0; i < 10; i++) b.recordEvent('198.51.100.1', 'example.com', null);
    clock.advance(25);
    expect(b.get('198.51.100.1')!.events).toMatchObject({ last_10s: 0, last_1m: 10, last_10m: 10 });
    clock.advance(120);
    expect(b.get('198.51.100.1')!.events).toMatchObject({ last_10s: 0, last_1m: 0, last_10m: 10, total: 10 });
    clock.advance(1300);
    expect(b.get('198.51.100.1')!.events).toMatchObject({ last_10s: 0, last_1m: 0, last_10m: 0, total: 10 });
  });

  it('ends an entry ABUSE_TTL_S after its last activity', () => {
    const { b, clock } = buffer({ ttlS: 3600 });
    b.recordEvent('203.0.113.7', 'example.com', null);
    clock.advance(3000);
    b.recordEvent('203.0.113.7', 'example.com', null); // activity moves the expiry
    clock.advance(3599);
    expect(b.get('203.0.113.7')).toBeDefined();
    clock.advance(1);
    expect(b.get('203.0.113.7')).toBeUndefined();
    expect(b.size).toBe(0);
  });

  it('never keeps an entry longer than ABUSE_MAX_AGE_S after first seen, however active, and the sweep finds it', () => {
    const { b, clock } = buffer({ ttlS: 3600, maxAgeS: 86_400 });
    b.recordEvent('203.0.113.7', 'example.com', null);
    b.recordEvent('203.0.113.8', 'example.com', null);
    for (let h = 1; h < 24; h++) {
      clock.advance(3600 - 1);
      b.recordEvent('203.0.113.7', 'example.com', null);
      b.recordEvent('203.0.113.8', 'example.com', null);
    }
    // 23 h 59 min 37 s after first seen, both still active and held.
    expect(b.get('203.0.113.7')!.events.total).toBe(24);
    clock.advance(24 * 3600 - (23 * 3599)); // exactly 24 h after first seen
    b.sweep();
    expect(b.size).toBe(0);
    // Activity after the cap starts a fresh entry: counts from zero, first seen now.
    b.recordEvent('203.0.113.7', 'example.com', null);
    expect(b.get('203.0.113.7')).toMatchObject({ first_seen: new Date(clock.ms).toISOString(), events: { total: 1 } });
    expect(b.summary().expired_total).toBe(2);
  });

  it('the TTL sweep removes stale entries without a lookup', () => {
    const { b, clock } = buffer({ ttlS: 60 });
    for (let i = 0; i < 50; i++) b.recordEvent(`10.0.0.${i}`, 'example.com', null);
    clock.advance(30);
    for (let i = 0; i < 10; i++) b.recordEvent(`10.0.0.${i}`, 'example.com', null);
    clock.advance(31);
    b.sweep();
    expect(b.size).toBe(10);
  });

  it('at ABUSE_MAX_IPS evicts the least recently seen unflagged entry, never a flagged one first', () => {
    const { b, clock } = buffer({ maxIps: 3, thresholds: { events_10s: 2 } });
    for (let i = 0; i < 3; i++) b.recordEvent('192.0.2.1', 'example.com', null); // flagged
    clock.advance(1);
    b.recordEvent('192.0.2.2', 'example.com', null);
    clock.advance(1);
    b.recordEvent('192.0.2.3', 'example.com', null);
    clock.advance(1);
    b.recordEvent('192.0.2.2', 'example.com', null); // .3 is now the stalest unflagged
    clock.advance(1);
    b.recordEvent('192.0.2.4', 'example.com', null);
    expect(b.size).toBe(3);
    expect(b.get('192.0.2.3')).toBeUndefined();
    expect(b.get('192.0.2.1')!.flag).not.toBeNull();
    expect(b.get('192.0.2.2')).toBeDefined();
    expect(b.get('192.0.2.4')).toBeDefined();
    expect(b.summary()).toMatchObject({ held: 3, flagged: 1, max_ips: 3, evicted_total: 1 });
  });

  it('a buffer full of flagged entries still takes a new address (the stalest flagged one goes)', () => {
    const { b, clock } = buffer({ maxIps: 2, thresholds: { events_10s: 1 } });
    for (const ip of ['192.0.2.1', '192.0.2.2']) {
      b.recordEvent(ip, 'example.com', null);
      b.recordEvent(ip, 'example.com', null);
      clock.advance(1);
    }
    expect(b.flaggedCount).toBe(2);
    b.recordEvent('192.0.2.3', 'example.com', null);
    expect(b.size).toBe(2);
    expect(b.get('192.0.2.1')).toBeUndefined();
  });

  it('grows its columns up to the bound and reuses freed slots', () => {
    const { b } = buffer({ maxIps: 5000 });
    for (let i = 0; i < 5000; i++) b.recordEvent(`10.1.${i >> 8}.${i & 255}`, 'example.com', null);
    expect(b.size).toBe(5000);
    const full = b.memoryBytes();
    expect(full).toBeGreaterThanOrEqual(5000 * BYTES_PER_SLOT);
    for (let i = 0; i < 100; i++) b.erase(`10.1.${i >> 8}.${i & 255}`);
    for (let i = 0; i < 100; i++) b.recordEvent(`10.2.0.${i}`, 'example.com', null);
    expect(b.size).toBe(5000);
    expect(b.summary().evicted_total).toBe(0);
    expect(b.get('10.2.0.99')!.events.total).toBe(1);
    expect(b.get('10.1.19.135')!.events.total).toBe(1);
  });

  describe('rules', () => {
    it('flags an address past its event rate, with the rule and a reason, and the flag persists while it sends', () => {
      const { b, clock } = buffer({ thresholds: { events_10s: 5 } });
      for (let i = 0; i < 5; i++) expect(b.recordEvent('203.0.113.9', 'example.com', null).flag).toBeUndefined();
      const v = b.recordEvent('203.0.113.9', 'example.com', null);
      expect(v.flag).toMatchObject({ rule: 'events_10s', at: T0 });
      expect(v.flag!.reason).toBe('6 events in 10 seconds (limit 5, ABUSE_LIMIT_EVENTS_10S)');
      expect(v.retryAfterS).toBe(3600);
      clock.advance(600);
      expect(b.flaggedVerdict('203.0.113.9')).toMatchObject({ flag: { rule: 'events_10s' }, retryAfterS: 3600 });
      expect(b.flaggedVerdict('203.0.113.10')).toBeUndefined();
      expect(b.flagged(1, 10).results.map((r) => r.ip)).toEqual(['203.0.113.9']);
    });

    it('the flag ends with the entry (TTL after the last request)', () => {
      const { b, clock } = buffer({ ttlS: 600, thresholds: { events_10s: 1 } });
      b.recordEvent('203.0.113.9', 'example.com', null);
      const { ref, flag } = b.recordEvent('203.0.113.9', 'example.com', null);
      expect(flag).toBeDefined();
      expect(b.isFlaggedRef(ref)).toBe(true);
      clock.advance(600);
      expect(b.flaggedVerdict('203.0.113.9')).toBeUndefined();
      const fresh = b.recordEvent('203.0.113.9', 'example.com', null);
      expect(fresh.flag).toBeUndefined();
      expect(b.isFlaggedRef(fresh.ref)).toBe(false);
      // Events held from the flagged entry are still dropped for a minute after it ended...
      expect(b.isFlaggedRef(ref)).toBe(true);
      clock.advance(60);
      b.sweep();
      // ...then the reference is forgotten too.
      expect(b.isFlaggedRef(ref)).toBe(false);
    });

    it('retry-after is bounded by the age cap', () => {
      const { b, clock } = buffer({ ttlS: 3600, maxAgeS: 4000, thresholds: { events_1m: 2 } });
      b.recordEvent('203.0.113.9', 'example.com', null);
      clock.advance(1000);
      for (let i = 0; i < 3; i++) b.recordEvent('203.0.113.9', 'example.com', null);
      expect(b.flaggedVerdict('203.0.113.9')!.retryAfterS).toBe(3000);
    });

    it.each([
      ['events_1m', { events_1m: 20 }, (b: AbuseBuffer, ip: string, i: number) => b.recordEvent(ip, 'example.com', null), 21, (clock: TestClock) => clock.advance(2)],
      ['events_10m', { events_10m: 30 }, (b: AbuseBuffer, ip: string) => b.recordEvent(ip, 'example.com', null), 31, (clock: TestClock) => clock.advance(10)],
      ['invalid_1m', { invalid_1m: 4 }, (b: AbuseBuffer, ip: string) => b.recordInvalid(ip), 5, () => {}],
      ['sites_1m', { sites_1m: 3 }, (b: AbuseBuffer, ip: string, i: number) => b.recordEvent(ip, `site-${i}.example`, null), 4, () => {}],
      ['bot_1m', { bot_1m: 3 }, (b: AbuseBuffer, ip: string) => b.recordEvent(ip, 'example.com', 'isbot'), 4, () => {}],
    ] as const)('rule %s trips just past its threshold', (rule, thresholds, send, tripsAt, between) => {
      const { b, clock } = buffer({ thresholds });
      let flaggedAt = 0;
      for (let i = 1; i <= tripsAt + 2 && !flaggedAt; i++) {
        if (send(b, '2001:db8::42', i).flag) flaggedAt = i;
        between(clock);
      }
      expect(flaggedAt).toBe(tripsAt);
      expect(b.get('2001:db8::42')!.flag!.rule).toBe(rule);
    });

    it('a rule with threshold 0 is off', () => {
      const { b } = buffer();
      for (let i = 0; i < 1000; i++) b.recordEvent('203.0.113.9', `s${i % 20}.example`, 'isbot');
      expect(b.flaggedCount).toBe(0);
    });
  });

  it('erase removes the record; events held from a flagged one stay dropped, from an unflagged one counted', () => {
    const { b } = buffer({ thresholds: { events_10s: 1 } });
    b.recordEvent('203.0.113.9', 'example.com', null);
    const { ref } = b.recordEvent('203.0.113.9', 'example.com', null);
    const quiet = b.recordEvent('203.0.113.10', 'example.com', null);
    expect(b.erase('203.0.113.9')).toBe(true);
    expect(b.erase('203.0.113.9')).toBe(false);
    expect(b.erase('203.0.113.10')).toBe(true);
    expect(b.get('203.0.113.9')).toBeUndefined();
    expect(b.isFlaggedRef(ref)).toBe(true);
    expect(b.isFlaggedRef(quiet.ref)).toBe(false);
    expect(b.summary()).toMatchObject({ held: 0, flagged: 0, erased_total: 2 });
  });

  it('pages flagged entries newest flag first', () => {
    const { b, clock } = buffer({ thresholds: { events_10s: 1 } });
    for (let i = 1; i <= 5; i++) {
      b.recordEvent(`192.0.2.${i}`, 'example.com', null);
      b.recordEvent(`192.0.2.${i}`, 'example.com', null);
      clock.advance(1);
    }
    b.recordEvent('192.0.2.99', 'example.com', null);
    const p1 = b.flagged(1, 2);
    expect(p1.meta).toEqual({ page: 1, limit: 2, total: 5 });
    expect(p1.results.map((r) => r.ip)).toEqual(['192.0.2.5', '192.0.2.4']);
    expect(b.flagged(3, 2).results.map((r) => r.ip)).toEqual(['192.0.2.1']);
  });

  it('the summary reports counts, memory and the oldest entry age', () => {
    const { b, clock } = buffer();
    b.recordEvent('192.0.2.1', 'example.com', null);
    clock.advance(90);
    b.recordEvent('192.0.2.2', 'example.com', null);
    const s = b.summary();
    expect(s).toMatchObject({ held: 2, flagged: 0, oldest_entry_age_s: 90, ttl_s: 3600, max_age_s: 86_400 });
    expect(s.memory_bytes).toBeGreaterThan(0);
  });
});

describe('parseIpParam', () => {
  it('gives one spelling per address and refuses what is not one', () => {
    expect(parseIpParam('203.0.113.7')).toBe('203.0.113.7');
    expect(parseIpParam('2001:DB8:0:0:0:0:0:1')).toBe('2001:db8::1');
    expect(parseIpParam('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(parseIpParam(encodeURIComponent('2001:db8::1'))).toBe('2001:db8::1');
    for (const bad of ['999.1.1.1', 'example.com', '10.0.0.1:80', '10.0.0.0/24', '', '%zz', '1']) expect(parseIpParam(bad)).toBeNull();
  });
});

describe('HoldQueue', () => {
  it('releases items after the hold, oldest first, and hands back the oldest when full', () => {
    const clock = new TestClock(T0);
    const q = new HoldQueue<string>(10_000, 3, clock.now);
    q.push('a', 1);
    clock.advance(4);
    q.push('b', 2);
    expect(q.release()).toEqual([]);
    clock.advance(6);
    expect(q.release()).toEqual([{ item: 'a', ref: 1 }]);
    q.push('c', 3);
    q.push('d', 4);
    expect(q.push('e', 5)).toEqual({ item: 'b', ref: 2 });
    expect(q.size).toBe(3);
    expect(q.release(true).map((x) => x.item)).toEqual(['c', 'd', 'e']);
    expect(q.size).toBe(0);
  });
});

describe('abuse configuration', () => {
  it('has documented defaults and refuses values past the privacy caps', () => {
    const c = abuseConfig({});
    expect(c).toMatchObject({ maxIps: 200_000, ttlS: 3600, maxAgeS: 86_400, holdMs: 10_000 });
    expect(c.thresholds).toEqual({ events_10s: 100, events_1m: 300, events_10m: 2000, invalid_1m: 30, sites_1m: 8, bot_1m: 60 });
    expect(() => abuseConfig({ ABUSE_MAX_AGE_S: '90000' })).toThrow(ConfigError);
    expect(() => abuseConfig({ ABUSE_TTL_S: '0' })).toThrow(/ABUSE_TTL_S/);
    expect(() => abuseConfig({ ABUSE_LIMIT_SITES_1M: '13' })).toThrow(/ABUSE_LIMIT_SITES_1M/);
    expect(abuseConfig({ ABUSE_MAX_IPS: '0' }).maxIps).toBe(0);
  });
});
