// Each pipeline step on its own: what it adds to the event, or the reason it drops it.
import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../collector/aggregator.ts';
import { parseUserAgent as parseUa } from '../../collector/classify/user-agent.ts';
import { TrustedProxies } from '../../collector/ip/client-ip.ts';
import { Metrics } from '../../collector/metrics.ts';
import { Pipeline } from '../../collector/pipeline/index.ts';
import type { PipelineEvent } from '../../collector/pipeline/event.ts';
import * as steps from '../../collector/pipeline/steps.ts';
import { DailySalt } from '../../collector/salt.ts';
import { SessionStore } from '../../collector/sessions.ts';
import { EventNameCap } from '../../collector/goals/event-names.ts';
import { LastNonDirect } from '../../collector/goals/attribution.ts';
import { PropValueCap } from '../../collector/goals/prop-values.ts';
import { CardinalityCaps } from '../../collector/cardinality/caps.ts';
import { noSiteGoals, type SiteGoals } from '../../collector/goals/site-goals.ts';
import type { SiteRegistry } from '../../collector/site-registry.ts';
import { openCountryDb, packagedCountryDbPath } from '../../collector/geo/database.ts';
import { countryLookup } from '../../collector/geo/lookup.ts';
import { CHROME_UA, T0 } from '../helpers/telmark.ts';

function context() {
  const sites = { get: (d: string) => (d.replace(/^www\./, '') === 'example.com' ? { domain: 'example.com', timezone: 'UTC' } : undefined) } as unknown as SiteRegistry;
  return {
    sites,
    trustedProxies: new TrustedProxies(['10.0.0.0/8']),
    prefixes: { v4: 24, v6: 48 },
    countryOf: countryLookup(openCountryDb(packagedCountryDbPath())),
    parseUserAgent: parseUa,
    salt: new DailySalt(() => T0),
    sessions: new SessionStore(100, 30 * 60_000),
    aggregator: new Aggregator(),
    eventNames: new EventNameCap(),
    attribution: new LastNonDirect(),
    goals: { get: () => noSiteGoals() } as unknown as SiteGoals,
    propValues: new PropValueCap(),
    caps: new CardinalityCaps(),
    metrics: new Metrics(),
  };
}

function event(over: Partial<PipelineEvent> = {}, headers: Record<string, string> = {}): PipelineEvent {
  const h = { 'user-agent': CHROME_UA, ...headers };
  return {
    beacon: { name: 'pageview', url: 'https://example.com/pricing?utm_source=Google&utm_medium=cpc&gclid=x', domain: 'example.com', referrer: 'https://www.google.com/' },
    request: { peer: '198.51.100.7', headers: { get: (n: string) => h[n as keyof typeof h] ?? null }, receivedAt: T0 },
    domain: 'example.com',
    userAgent: h['user-agent'],
    ...over,
  };
}

describe('pipeline steps', () => {
  it('resolveSite: registered domains pass, others drop as unknown_site', () => {
    const ctx = context();
    const ok = event({ domain: 'www.example.com' });
    expect(steps.resolveSite(ok, ctx)).toBeUndefined();
    expect(ok.site?.domain).toBe('example.com');
    expect(steps.resolveSite(event({ domain: 'other.com' }), ctx)).toBe('unknown_site');
  });

  it('honourPrivacySignals: Sec-GPC and DNT drop the event', () => {
    expect(steps.honourPrivacySignals(event({}, { 'sec-gpc': '1' }), context())).toBe('gpc');
    expect(steps.honourPrivacySignals(event({}, { dnt: '1' }), context())).toBe('dnt');
    expect(steps.honourPrivacySignals(event(), context())).toBeUndefined();
  });

  it('resolveIp then truncateIp: the full address is gone after truncation', () => {
    const ctx = context();
    const ev = event();
    expect(steps.resolveIp(ev, ctx)).toBeUndefined();
    expect(ev.clientIp?.toString()).toBe('198.51.100.7');
    steps.truncateIp(ev, ctx);
    expect(ev.truncatedIp).toBe('198.51.100.0');
    expect(ev.clientIp).toBeUndefined();
    expect(JSON.stringify(ev)).not.toContain('198.51.100.7');
    expect(steps.resolveIp(event({ request: { ...ev.request, peer: undefined } }), ctx)).toBe('no_ip');
  });

  it('dropBots and parseUserAgent', () => {
    const ctx = context();
    expect(steps.dropBots(event({ userAgent: 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)' }), ctx)).toBe('bot');
    const ev = event();
    expect(steps.dropBots(ev, ctx)).toBeUndefined();
    steps.parseUserAgent(ev, ctx);
    expect(ev.ua).toEqual({ browser: 'Chrome', os: 'Windows', device: 'desktop' });
  });

  it('classifySource: paid search from utm + gclid; spam referrers drop; click-id values are not kept', () => {
    const ctx = context();
    const ev = event({ site: { domain: 'example.com', timezone: 'UTC' } });
    expect(steps.classifySource(ev, ctx)).toBeUndefined();
    expect(ev.acquisition).toMatchObject({ kind: 'external', acquisition: { channel: 'Paid Search', utm: { source: 'google', medium: 'cpc' } } });
    expect(JSON.stringify(ev.acquisition)).not.toContain('gclid');
    const spam = event({ site: { domain: 'example.com', timezone: 'UTC' }, beacon: { ...ev.beacon, referrer: 'http://semalt.com/' } });
    expect(steps.classifySource(spam, ctx)).toBe('referrer_spam');
  });

  it('cleanUpPath strips the query and redacts identifiers', () => {
    const ev = event({ pageUrl: new URL('https://example.com/users/123456789/orders/3f2504e0-4f89-11d3-9a0c-0305e82c3301?token=x#top') });
    steps.cleanUpPath(ev, context());
    expect(ev.path).toBe('/users/:id/orders/:id');
  });

  it('computeVisitorKey depends on the truncated IP, not the full one', () => {
    const ctx = context();
    // Two people in one /24 (different full addresses, same browser), through the steps in order.
    const from = (peer: string) => {
      const ev = event({ site: { domain: 'example.com', timezone: 'UTC' } });
      ev.request.peer = peer;
      if (steps.resolveIp(ev, ctx)) throw new Error(`no client IP from ${peer}`);
      steps.truncateIp(ev, ctx);
      return ev;
    };
    const a = from('198.51.100.7');
    const b = from('198.51.100.99');
    steps.computeVisitorKey(a, ctx);
    steps.computeVisitorKey(b, ctx);
    expect(a.visitorKey).toBe(b.visitorKey);
  });

  it('trackVisit + aggregate: a visit books pageviews in the event minute and its deltas in its start minute', () => {
    const ctx = context();
    const metrics = new Metrics();
    const pipeline = new Pipeline(ctx, metrics);
    const send = (url: string, referrer: string | null, at: number) =>
      pipeline.process({ name: 'pageview', url, domain: 'example.com', referrer }, { ...event().request, receivedAt: at });
    expect(send('https://example.com/?utm_campaign=spring&utm_source=news&utm_medium=email', null, T0)).toEqual([{ status: 'counted' }]);
    expect(send('https://example.com/next', 'https://example.com/', T0 + 90_000)).toEqual([{ status: 'counted' }]);
    const rows = ctx.aggregator.drain().acquisition;
    const at = (ts: string) => rows.filter((r) => r.ts === ts);
    // Both pageviews count under the entry campaign; the second lands in its own minute.
    expect(rows.every((r) => r.utm_campaign === 'spring' && r.channel === 'Email')).toBe(true);
    expect(at('2026-11-20 10:00:00').reduce((n, r) => n + r.pageviews, 0)).toBe(1);
    expect(at('2026-11-20 10:01:00').reduce((n, r) => n + r.pageviews, 0)).toBe(1);
    // Visit +1, bounce +1 then -1, duration 90 s: all in the start minute.
    const start = at('2026-11-20 10:00:00');
    expect(start.reduce((n, r) => n + r.visits, 0)).toBe(1);
    expect(start.reduce((n, r) => n + r.bounces, 0)).toBe(0);
    expect(start.reduce((n, r) => n + r.duration, 0)).toBe(90);
    expect(metrics.value('telmark_events_counted_total')).toBe(2);
  });

  it('the pipeline counts drop reasons and runs once per domain of a multi-site beacon', () => {
    const ctx = context();
    const metrics = new Metrics();
    const pipeline = new Pipeline(ctx, metrics);
    const out = pipeline.process({ name: 'pageview', url: 'https://example.com/', domain: 'example.com,unknown.org' }, event().request);
    expect(out).toEqual([{ status: 'counted' }, { status: 'dropped', reason: 'unknown_site' }]);
    expect(metrics.value('telmark_events_dropped_total', { reason: 'unknown_site' })).toBe(1);
    expect(steps.STEPS.map(([n]) => n)).toEqual(['honourPrivacySignals', 'resolveIp', 'checkAbuse', 'lookUpCountry', 'truncateIp', 'resolveSite', 'dropBots', 'parseUserAgent', 'classifySource', 'cleanUpPath', 'computeVisitorKey', 'trackVisit', 'aggregate']);
  });
});
