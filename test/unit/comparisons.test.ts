// The calendar arithmetic behind include.comparisons, and the dashboard's view in the address:
// edges that traffic tests would need years of data for (29 February, a range that runs past
// today, the weekday shift that must not land on the range itself), and links that are
// hand-edited or carry commas.
import { describe, expect, it } from 'vitest';
import { change, comparisonRange, timeLabels } from '../../dashboard/server/stats/comparisons.ts';
import { granularitiesFor, granularityFor } from '../../dashboard/app/lib/dateRanges.ts';
import { decodeView, encodeView } from '../../dashboard/app/lib/viewUrl.ts';

describe('comparisonRange', () => {
  const today = '2026-11-20'; // a Friday
  it('previous_period: as many days, ending the day before; a range past today is cut at today first', () => {
    expect(comparisonRange({ mode: 'previous_period' }, { from: '2026-11-14', to: '2026-11-20' }, today)).toEqual({ from: '2026-11-07', to: '2026-11-13' });
    // "This month" on the 20th: the 20 days before the 1st, not the whole of October.
    expect(comparisonRange({ mode: 'previous_period' }, { from: '2026-11-01', to: '2026-11-30' }, today)).toEqual({ from: '2026-10-12', to: '2026-10-31' });
  });

  it('year_over_year: calendar dates; 29 February becomes the 28th', () => {
    expect(comparisonRange({ mode: 'year_over_year' }, { from: '2028-02-29', to: '2028-03-01' }, '2028-03-05')).toEqual({ from: '2027-02-28', to: '2027-03-01' });
  });

  it('match_day_of_week: the nearest same weekday, never the range\'s own first day', () => {
    // Sat 14 Nov 2026 against Fri 14 Nov 2025: one day later, Sat 15.
    expect(comparisonRange({ mode: 'year_over_year', match_day_of_week: true }, { from: '2026-11-14', to: '2026-11-20' }, today)).toEqual({ from: '2025-11-15', to: '2025-11-21' });
    // Today against yesterday: one day later would be today itself, so a week earlier.
    expect(comparisonRange({ mode: 'previous_period', match_day_of_week: true }, { from: today, to: today }, today)).toEqual({ from: '2026-11-13', to: '2026-11-13' });
    // Fri 13 Nov against Mon 5 Oct: Friday is four days later or three earlier: three earlier.
    expect(comparisonRange({ mode: 'custom', date_range: ['2026-10-05', '2026-10-11'], match_day_of_week: true }, { from: '2026-11-13', to: '2026-11-19' }, today)).toEqual({
      from: '2026-10-02',
      to: '2026-10-08',
    });
  });
});

describe('pairing and change', () => {
  it('week and month buckets start where the SQL starts them (the Monday before, the 1st)', () => {
    expect(timeLabels({ from: '2026-11-04', to: '2026-11-20' }, 'time:week')).toEqual(['2026-11-02', '2026-11-09', '2026-11-16']);
    expect(timeLabels({ from: '2026-11-20', to: '2027-01-02' }, 'time:month')).toEqual(['2026-11-01', '2026-12-01', '2027-01-01']);
    expect(timeLabels({ from: '2026-11-20', to: '2026-11-20' }, 'time:hour').slice(0, 2)).toEqual(['2026-11-20 00:00:00', '2026-11-20 01:00:00']);
  });

  it('percent rounded, null after 0; rates in points; money by value', () => {
    expect(change('visitors', 3, 5)).toBe(67);
    expect(change('visitors', 0, 5)).toBeNull();
    expect(change('visitors', null, 5)).toBeNull();
    expect(change('conversion_rate', 0, 12.5)).toBe(12.5);
    expect(change('bounce_rate', 0, 40)).toBeNull();
    expect(change('bounce_rate', 60, 45)).toBe(-15);
    const eur = (value: number) => ({ value, currency: 'EUR', short: '', long: '' });
    expect(change('total_revenue', eur(10), eur(45))).toBe(350);
  });
});

describe('the view in the address', () => {
  it('round-trips a custom range, granularity, comparison and filters whose values hold commas', () => {
    const view = {
      site: 'example.com',
      range: { from: '2026-11-01', to: '2026-11-20' },
      granularity: 'week' as const,
      compare: 'year_over_year' as const,
      filters: [['is', 'visit:utm_campaign', ['spring, 2026', 'a&b=c']] as ['is', 'visit:utm_campaign', string[]]],
    };
    const query = encodeView(view);
    expect(query).toBe('site=example.com&range=2026-11-01..2026-11-20&granularity=week&compare=year_over_year&f=is,visit%3Autm_campaign,spring%2C%202026,a%26b%3Dc');
    expect(decodeView(query)).toEqual(view);
  });

  it('ignores what it cannot read instead of failing', () => {
    expect(decodeView('range=2026-11-20..2026-11-01&granularity=decade&compare=forever&f=is,visit:nope,x&f=like,visit:source,x&f=%E0,x&site=')).toEqual({});
    expect(decodeView('range=30d&f=is_not,visit:source,Google')).toEqual({ range: { preset: '30d' }, filters: [['is_not', 'visit:source', ['Google']]] });
  });

  it('offers hours only for a short range still inside the hourly window', () => {
    const now = new Date('2026-11-20T12:00:00Z');
    expect(granularitiesFor({ preset: 'day' }, 14, now)).toEqual(['hour', 'day', 'week', 'month']);
    expect(granularitiesFor({ from: '2026-11-01', to: '2026-11-03' }, 14, now)).toEqual(['day', 'week', 'month']);
    expect(granularitiesFor({ preset: '30d' }, 14, now)).toEqual(['day', 'week', 'month']);
    expect(granularitiesFor({ preset: 'all' }, 14, now)).toEqual(['week', 'month']);
    // A choice the range does not allow falls back to the range's default.
    expect(granularityFor({ preset: '30d' }, 'hour', 14, now)).toBe('day');
    expect(granularityFor({ preset: '12mo' }, null, 14, now)).toBe('week');
  });
});
