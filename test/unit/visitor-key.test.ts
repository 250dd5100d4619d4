import { describe, expect, it } from 'vitest';
import { DailySalt } from '../../collector/salt.ts';
import { visitorKey } from '../../collector/visitor-key.ts';

describe('visitor keys and the daily salt', () => {
  it('the same visitor gets the same key within a UTC day and a new one after midnight', () => {
    let now = Date.UTC(2026, 0, 1, 23, 59, 0);
    const salt = new DailySalt(() => now);
    const k1 = visitorKey(salt.current(), 'example.com', '203.0.113.0', 'UA', 'en');
    now += 30_000;
    expect(visitorKey(salt.current(), 'example.com', '203.0.113.0', 'UA', 'en')).toBe(k1);
    now += 60_000; // past midnight
    expect(visitorKey(salt.current(), 'example.com', '203.0.113.0', 'UA', 'en')).not.toBe(k1);
  });
  it('differs per site, truncated IP, user agent and language; is a UInt64 decimal', () => {
    const salt = new DailySalt(() => 0).current();
    const base = visitorKey(salt, 'a.com', '203.0.113.0', 'UA', 'en');
    expect(base).toMatch(/^\d{1,20}$/);
    expect(BigInt(base) < 2n ** 64n).toBe(true);
    expect(visitorKey(salt, 'b.com', '203.0.113.0', 'UA', 'en')).not.toBe(base);
    expect(visitorKey(salt, 'a.com', '203.0.114.0', 'UA', 'en')).not.toBe(base);
    expect(visitorKey(salt, 'a.com', '203.0.113.0', 'UA2', 'en')).not.toBe(base);
    expect(visitorKey(salt, 'a.com', '203.0.113.0', 'UA', 'de')).not.toBe(base);
  });
  it('two salts never repeat (random, not derived from the date)', () => {
    const a = new DailySalt(() => 0).current();
    const b = new DailySalt(() => 0).current();
    expect(a.equals(b)).toBe(false);
    expect(a.length).toBe(32);
  });
});
