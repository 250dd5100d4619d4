// The cardinality caps (collector/cardinality/) and their one table: what passes, what folds,
// what is counted in /metrics, when the sets start afresh, and the README's table equal to the code's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CardinalityCaps, FOLDED_METRIC, OTHER_NAME } from '../../collector/cardinality/caps.ts';
import { CAPPED_DIMENSIONS, CARDINALITY_LIMITS, MAX_PROP_KEYS_PER_SITE, worstCaseBytesPerSite } from '../../collector/cardinality/limits.ts';
import { parseBeacon } from '../../collector/beacon.ts';
import { directAcquisition } from '../../collector/classify/acquisition.ts';
import type { Acquisition } from '../../collector/classify/types.ts';
import { EVENT_NAMES_PER_DAY } from '../../collector/goals/event-names.ts';
import { PROP_VALUES_PER_KEY_PER_DAY } from '../../collector/goals/prop-values.ts';
import { Metrics } from '../../collector/metrics.ts';
import { MAX_ALLOWED_PROPS } from '../../dashboard/server/goals/routes.ts';

const DAY = Date.UTC(2026, 10, 20, 12);
const folded = (m: Metrics, dimension: string) => m.value(FOLDED_METRIC, { dimension });

function campaign(c: string, source = ''): Acquisition {
  return { source, channel: 'Referral', referrerHost: '', utm: { source: '', medium: '', campaign: c, content: '', term: '' } };
}

describe('cardinality caps', () => {
  it('keeps the first `limit` values of a dimension per site and UTC day, folds new ones into "(other)", counts each fold', () => {
    const m = new Metrics();
    const caps = new CardinalityCaps(m);
    const limit = CARDINALITY_LIMITS.utm_campaign.perDay;
    for (let i = 0; i < limit; i++) expect(caps.acquisition('a.example', campaign(`c${i}`), DAY).utm.campaign).toBe(`c${i}`);
    expect(caps.acquisition('a.example', campaign('new'), DAY).utm.campaign).toBe(OTHER_NAME);
    // Values admitted earlier that day keep counting under their own name.
    expect(caps.acquisition('a.example', campaign('c7'), DAY).utm.campaign).toBe('c7');
    // Another site has its own allowance.
    expect(caps.acquisition('b.example', campaign('new'), DAY).utm.campaign).toBe('new');
    expect(folded(m, 'utm_campaign')).toBe(1);
    // A new UTC day starts afresh (and yesterday's sets are dropped).
    expect(caps.acquisition('a.example', campaign('new'), DAY + 86_400_000).utm.campaign).toBe('new');
    expect(caps.heldValues()).toBe(1);
    expect(folded(m, 'utm_campaign')).toBe(1);
  });

  it('"not set" (""), sources our tables know and the browser and OS families we name always pass; made-up ones are capped', () => {
    const m = new Metrics();
    const caps = new CardinalityCaps(m);
    for (let i = 0; i < CARDINALITY_LIMITS.source.perDay; i++) caps.acquisition('a.example', campaign('', `made-up-${i}`), DAY);
    expect(caps.acquisition('a.example', campaign('', 'made-up-x'), DAY).source).toBe(OTHER_NAME);
    expect(caps.acquisition('a.example', campaign('', 'Google'), DAY).source).toBe('Google');
    const direct = directAcquisition();
    expect(caps.acquisition('a.example', direct, DAY)).toBe(direct);
    expect(folded(m, 'source')).toBe(1);
    for (let i = 0; i < CARDINALITY_LIMITS.browser.perDay; i++) caps.tech('a.example', { device: 'desktop', browser: `B${i}`, os: 'Windows' }, DAY);
    expect(caps.tech('a.example', { device: 'desktop', browser: 'Bnew', os: 'Windows' }, DAY)).toEqual({ device: 'desktop', browser: OTHER_NAME, os: 'Windows' });
    expect(caps.tech('a.example', { device: 'desktop', browser: 'Firefox', os: 'Linux' }, DAY).browser).toBe('Firefox');
    expect(caps.tech('a.example', { device: 'desktop', browser: 'Chrome', os: 'made-up os' }, DAY).os).toBe('made-up os');
    expect(folded(m, 'browser')).toBe(1);
  });

  it('a value longer than its dimension allows folds (the memory bound holds whatever a client sends)', () => {
    const m = new Metrics();
    const caps = new CardinalityCaps(m);
    expect(caps.admit('referrer_host', 'a.example', `${'x'.repeat(254)}.example`, DAY)).toBe(OTHER_NAME);
    expect(caps.admit('path', 'a.example', `/${'p'.repeat(511)}`, DAY)).toBe(`/${'p'.repeat(511)}`);
    expect(folded(m, 'referrer_host')).toBe(1);
  });

  it('revenue currencies are real ISO 4217 codes (a bounded list), or the revenue is dropped and the event still counts', () => {
    const beacon = (currency: string) => parseBeacon(JSON.stringify({ n: 'Buy', u: 'https://a.example/', d: 'a.example', $: { amount: '1.5', currency } }));
    expect(beacon('eur')).toMatchObject({ ok: true, beacon: { revenue: { amount: '1.5', currency: 'EUR' } } });
    expect(beacon('QQQ')).toMatchObject({ ok: true, notes: { revenueDropped: 'bad_currency' } });
    const parsed = beacon('QQQ');
    expect(parsed.ok && parsed.beacon.revenue).toBeUndefined();
  });

  it('every dimension of the table shows in /metrics from the start', () => {
    const m = new Metrics();
    new CardinalityCaps(m);
    const text = m.render();
    for (const d of CAPPED_DIMENSIONS) expect(text).toContain(`${FOLDED_METRIC}{dimension="${d}"} 0`);
  });

  it('event names and prop values take their limits from the same table; prop-value sets exist per allowed key', () => {
    expect(EVENT_NAMES_PER_DAY).toBe(CARDINALITY_LIMITS.event_name.perDay);
    expect(PROP_VALUES_PER_KEY_PER_DAY).toBe(CARDINALITY_LIMITS.prop_value.perDay);
    expect(MAX_PROP_KEYS_PER_SITE).toBe(MAX_ALLOWED_PROPS);
  });
});

describe('the README\'s "Cardinality limits" table', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('### Cardinality limits');
  // Up to the next heading of any level above four.
  const end = readme.slice(start + 1).search(/\n#{2,3} /);
  const section = readme.slice(start, end < 0 ? undefined : start + 1 + end);

  it('lists every capped dimension with its limit and longest value, and only those', () => {
    expect(start).toBeGreaterThan(0);
    const rows = section
      .split('\n')
      .filter((l) => /^\| `[a-z_]+` \|/.test(l))
      .map((l) => l.split('|').map((c) => c.trim()));
    const documented = Object.fromEntries(rows.map((c) => [c[1]!.replace(/`/g, ''), { perDay: Number(c[2]!.replace(/,/g, '')), maxChars: Number(c[3]!.replace(/,/g, '')), why: c[5] }]));
    expect(documented).toEqual(Object.fromEntries(CAPPED_DIMENSIONS.map((d) => [d, { ...CARDINALITY_LIMITS[d] }])));
  });

  it('states the worst-case memory per site that the table gives', () => {
    expect(section).toContain(`${(worstCaseBytesPerSite() / 1_000_000).toFixed(0)} MB`);
  });
});
