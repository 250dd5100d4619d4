import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../collector/aggregator.ts';

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
      { site: 's', ts: '2026-01-01 12:30:00', visitor_key: '1', path: '/a', pageviews: 2, events: 0, visits: 0, bounces: 0, duration: 0 },
      { site: 's', ts: '2026-01-01 12:31:00', visitor_key: '1', path: '/a', pageviews: 1, events: 0, visits: 0, bounces: 0, duration: 0 },
      { site: 's', ts: '2026-01-01 12:30:00', visitor_key: '2', path: '/a', pageviews: 0, events: 1, visits: 0, bounces: 0, duration: 0 },
    ]);
    expect(out.tech[0]).toMatchObject({ device: 'desktop', browser: 'Chrome', os: 'Windows', visits: 1, bounces: 1 });
    expect(a.size).toBe(0);
    expect(a.drain().pages).toEqual([]);
  });
});
