import { describe, expect, it } from 'vitest';
import { TrustedProxies, resolveClientIp } from '../../collector/ip/client-ip.ts';
import { parseIp, truncateIp } from '../../collector/ip/truncate.ts';

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n] ?? null });

describe('truncateIp', () => {
  it('keeps /24 of IPv4 and /48 of IPv6 by default', () => {
    expect(truncateIp('203.0.113.77')).toBe('203.0.113.0');
    expect(truncateIp('2001:db8:85a3:8d3:1319:8a2e:370:7348')).toBe('2001:db8:85a3::');
  });
  it('treats IPv4-mapped IPv6 as IPv4', () => {
    expect(truncateIp('::ffff:198.51.100.9')).toBe('198.51.100.0');
    expect(truncateIp('[::ffff:198.51.100.9]:443')).toBe('198.51.100.0');
  });
  it('honours other prefixes, including ones that cut inside a byte', () => {
    expect(truncateIp('203.0.113.77', { v4: 16, v6: 48 })).toBe('203.0.0.0');
    expect(truncateIp('203.0.113.255', { v4: 28, v6: 48 })).toBe('203.0.113.240');
    expect(truncateIp('2001:db8:ffff::1', { v4: 24, v6: 36 })).toBe('2001:db8:f000::');
    expect(truncateIp('10.1.2.3', { v4: 0, v6: 0 })).toBe('0.0.0.0');
  });
  it('returns null for anything that is not an IP', () => {
    for (const bad of ['', 'localhost', 'example.com:80', '1', '0x7f.1', '999.1.1.1', '1.2.3.4/24', 'fe80::1/64', '[::1']) {
      expect(truncateIp(bad), bad).toBeNull();
    }
  });
  it('parses bracketed, ported, full-length CIDR and zone-id forms', () => {
    expect(parseIp('[2001:db8::1]:80')?.toString()).toBe('2001:db8::1');
    expect(parseIp('192.168.1.2:8080')?.toString()).toBe('192.168.1.2');
    expect(parseIp('192.168.1.1/32')?.toString()).toBe('192.168.1.1');
    expect(parseIp('fe80::1%eth0')?.toString()).toBe('fe80::1');
  });
});

describe('resolveClientIp', () => {
  const trusted = new TrustedProxies(['10.0.0.0/8', '::1']);
  it('uses the socket peer when it is not a trusted proxy, ignoring forwarding headers', () => {
    expect(resolveClientIp('198.51.100.1', headers({ 'x-forwarded-for': '1.2.3.4' }), trusted)?.toString()).toBe('198.51.100.1');
    expect(resolveClientIp('198.51.100.1', headers({ 'x-real-ip': '1.2.3.4' }), new TrustedProxies([]))?.toString()).toBe('198.51.100.1');
  });
  it('reads X-Forwarded-For right to left past trusted hops', () => {
    const h = headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.5, 10.1.1.1' });
    expect(resolveClientIp('10.0.0.2', h, trusted)?.toString()).toBe('203.0.113.5');
    expect(resolveClientIp('::1', h, trusted)?.toString()).toBe('203.0.113.5');
  });
  it('falls back to X-Real-IP, then the peer; a garbled chain is not believed', () => {
    expect(resolveClientIp('10.0.0.2', headers({ 'x-real-ip': '203.0.113.9' }), trusted)?.toString()).toBe('203.0.113.9');
    expect(resolveClientIp('10.0.0.2', headers({ 'x-forwarded-for': 'garbage, 10.0.0.3' }), trusted)?.toString()).toBe('10.0.0.2');
    expect(resolveClientIp('10.0.0.2', headers({}), trusted)?.toString()).toBe('10.0.0.2');
  });
  it('matches IPv4-mapped peers against IPv4 ranges', () => {
    expect(resolveClientIp('::ffff:10.0.0.2', headers({ 'x-forwarded-for': '203.0.113.5' }), trusted)?.toString()).toBe('203.0.113.5');
  });
  it('returns null when no address is known', () => {
    expect(resolveClientIp(undefined, headers({}), trusted)).toBeNull();
  });
});
