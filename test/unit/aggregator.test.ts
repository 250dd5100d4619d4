import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../collector/aggregator.ts';

/** The pages cube's own counters: engagement and exits. */
const NO_ENGAGEMENT = { scroll_sum: 0, scroll_visits: 0, engaged_ms: 0, exits: 0 };

describe('Aggregator', () => {
  it('sums per cube, minute, site, dimensions and visitor key', () => {
    const a = new Aggregator();
    const t = Date.UTC(2026, 0, 1, 12, 30, 15);
    a.add('pages', t, 's', ['/a'], '1', { pageviews: 1 });
    a.add('pages', t + 30_000, 's', ['/a'], '1', { pageviews: 1 }); // same minute
    a.add('pages', t + 60_000, 's', ['/a'], '1', { pageviews: 1 }); // next minute
    a.add('pages', t, 's', ['/a'], '2', { events: 1 });
    a.add('tech', t, 's', ['desktop', 'Chrome', 'Windows'], '1', { visits: 1, bounces: 1 });
    expect(a.size).toBe(4);
    const out = a.drain();
    expect(out.pages).toEqual([
      { site: 's', ts: '2026-01-01 12:30:00', visitor_key: '1', path: '/a', pageviews: 2, events: 0, visits: 0, bounces: 0, duration: 0, ...NO_ENGAGEMENT },
      { site: 's', ts: '2026-01-01 12:31:00', visitor_key: '1', path: '/a', pageviews: 1, events: 0, visits: 0, bounces: 0, duration: 0, ...NO_ENGAGEMENT },
      { site: 's', ts: '2026-01-01 12:30:00', visitor_key: '2', path: '/a', pageviews: 0, events: 1, visits: 0, bounces: 0, duration: 0, ...NO_ENGAGEMENT },
    ]);
    expect(out.tech[0]).toMatchObject({ device: 'desktop', browser: 'Chrome', os: 'Windows', visits: 1, bounces: 1 });
    expect(a.size).toBe(0);
    expect(a.drain().pages).toEqual([]);
  });

  it('sums revenue exactly: a million 0.1s are 100000, not 100000.0000013', () => {
    const a = new Aggregator();
    const t = Date.UTC(2026, 0, 1, 12, 30, 15);
    for (let i = 0; i < 1_000_000; i++) a.add('event_names', t, 's', ['Buy', 'Direct', 'Direct', '', '', '', '', '', '', 'DE', 'EUR'], '1', { events: 1, revenue: 10_000_000n });
    const [row] = a.drain().event_names;
    expect(row).toMatchObject({ name: 'Buy', country: 'DE', currency: 'EUR', events: 1_000_000, revenue: '100000.00000000' });
    let float = 0;
    for (let i = 0; i < 1_000_000; i++) float += 0.1;
    expect(float).not.toBe(100_000); // what a float sum would have stored
  });
});
