import { ENGAGEMENT } from '../beacon.ts';
import { botReason } from '../classify/bot.ts';
import { classifyAcquisition, directAcquisition } from '../classify/acquisition.ts';
import { cleanPath } from '../classify/path.ts';
import type { Acquisition, BotReason, UserAgentInfo } from '../classify/types.ts';
import { resolveClientIp, type TrustedProxies } from '../ip/client-ip.ts';
import { truncateAddress, type TruncationPrefixes } from '../ip/truncate.ts';
import type { CountryOf } from '../geo/lookup.ts';
import { visitorKey } from '../visitor-key.ts';
import { dimensionsKey, type Aggregator } from '../aggregator.ts';
import { CUBE_DIMENSIONS } from '../../schema/cubes.ts';
import type { DailySalt } from '../salt.ts';
import type { SessionStore, VisitCubes } from '../sessions.ts';
import type { SiteRegistry } from '../site-registry.ts';
import type { DropReason, PipelineEvent } from './event.ts';
import { addressKey } from '../abuse/address.ts';
import type { AbuseBuffer } from '../abuse/buffer.ts';
import type { EventNameCap } from '../goals/event-names.ts';
import type { LastNonDirect } from '../goals/attribution.ts';
import type { PropValueCap } from '../goals/prop-values.ts';
import type { SiteGoals } from '../goals/site-goals.ts';
import type { FunnelProgress } from '../goals/funnels.ts';
import { bookEngagement } from '../goals/engagement.ts';
import { moveExit } from '../exit-pages.ts';
import { moneyUnits } from '../../schema/money.ts';
import type { Metrics } from '../metrics.ts';
import type { CardinalityCaps } from '../cardinality/caps.ts';

export interface StepContext {
  sites: SiteRegistry;
  trustedProxies: TrustedProxies;
  prefixes: TruncationPrefixes;
  /** The ISO country code of a full address ('' unknown): collector/geo/. */
  countryOf: CountryOf;
  parseUserAgent: (ua: string) => UserAgentInfo;
  salt: DailySalt;
  sessions: SessionStore;
  aggregator: Aggregator;
  /** The abuse buffer; absent when ABUSE_MAX_IPS=0. */
  abuse?: AbuseBuffer;
  /** Custom event names as the event-name cube keeps them (redacted, capped per site and day). */
  eventNames: EventNameCap;
  /** Last non-direct acquisition per visitor and day, for crediting conversions. */
  attribution: LastNonDirect;
  /** Page, scroll and prop-condition goals and allowed prop keys per site. */
  goals: SiteGoals;
  /** Allowed prop values as the props cube keeps them (redacted, capped per key and day). */
  propValues: PropValueCap;
  /** Funnel progress per visitor and day (absent: no funnel is counted). */
  funnels?: FunnelProgress;
  /** Distinct values per free-text dimension, site and day (acquisition, paths, browsers): collector/cardinality/. */
  caps: CardinalityCaps;
  metrics: Metrics;
}

/** A step enriches the event, or returns the reason it is dropped. */
export type Step = (ev: PipelineEvent, ctx: StepContext) => DropReason | undefined;

export const resolveSite: Step = (ev, ctx) => {
  ev.site = ctx.sites.get(ev.domain);
  return ev.site ? undefined : 'unknown_site';
};

/** Do Not Track and Global Privacy Control, honoured even when a tracker ignores them. */
export const honourPrivacySignals: Step = (ev) => {
  if (ev.request.headers.get('sec-gpc') === '1') return 'gpc';
  if (ev.request.headers.get('dnt') === '1') return 'dnt';
  return undefined;
};

export const resolveIp: Step = (ev, ctx) => {
  const ip = resolveClientIp(ev.request.peer, ev.request.headers, ctx.trustedProxies);
  if (!ip) return 'no_ip';
  ev.clientIp = ip;
  return undefined;
};

/**
 * The one step that hands the full address to the abuse buffer (before truncateIp, so the buffer
 * can tell clients apart): counts the event, the domain it names and its bot signal, and drops it
 * when the address is flagged. Unknown domains count too: spraying made-up sites is a sign.
 */
export const checkAbuse: Step = (ev, ctx) => {
  if (!ctx.abuse) return undefined;
  const verdict = ctx.abuse.recordEvent(addressKey(ev.clientIp!), ev.domain, botSignalOf(ev));
  ev.abuseRef = verdict.ref;
  if (!verdict.flag) return undefined;
  ev.retryAfterS = verdict.retryAfterS;
  return 'abuse';
};

/**
 * The second (and last) step that reads the full address, right before truncateIp: it keeps
 * only the ISO country code ('' when unknown, private or reserved), nothing else of the look-up.
 */
export const lookUpCountry: Step = (ev, ctx) => {
  // A visit takes its country from the event that opens it; engagement events never open one
  // (trackVisit), so they are not looked up (Plausible's tracker sends one per page seen).
  if (ev.beacon.name === ENGAGEMENT) return undefined;
  ev.country = ctx.countryOf(ev.clientIp!);
  return undefined;
};

/** After this step nothing downstream can see the full address. */
export const truncateIp: Step = (ev, ctx) => {
  ev.truncatedIp = truncateAddress(ev.clientIp!, ctx.prefixes);
  ev.clientIp = undefined;
  ev.request.peer = undefined;
  return undefined;
};

/** The event's bot signal, worked out once by whichever step asks first (checkAbuse, or dropBots when the buffer is off). */
function botSignalOf(ev: PipelineEvent): BotReason | null {
  if (ev.botSignal === undefined) ev.botSignal = botReason(ev.userAgent, ev.request.headers);
  return ev.botSignal;
}

export const dropBots: Step = (ev) => {
  const signal = botSignalOf(ev);
  if (!signal) return undefined;
  ev.dropDetail = signal;
  return 'bot';
};

export const parseUserAgent: Step = (ev, ctx) => {
  ev.ua = ctx.parseUserAgent(ev.userAgent);
  return undefined;
};

export const classifySource: Step = (ev) => {
  ev.pageUrl = new URL(ev.beacon.url);
  const acquisition = classifyAcquisition({ referrer: ev.beacon.referrer ?? null, pageUrl: ev.pageUrl, siteDomain: ev.site!.domain });
  ev.acquisition = acquisition;
  return acquisition.kind === 'spam' ? 'referrer_spam' : undefined;
};

export const cleanUpPath: Step = (ev) => {
  ev.path = cleanPath(ev.pageUrl!);
  return undefined;
};

export const computeVisitorKey: Step = (ev, ctx) => {
  ev.visitorKey = visitorKey(
    ctx.salt.current(),
    ev.site!.domain,
    ev.truncatedIp!,
    ev.userAgent,
    ev.request.headers.get('accept-language') ?? '',
  );
  return undefined;
};

/**
 * Joins the event to its visit. A visit's source is decided by its first event; an internal
 * navigation is never a new source (and, opening a visit, counts as Direct).
 */
export const trackVisit: Step = (ev, ctx) => {
  const key = `${ev.site!.domain}\x1f${ev.visitorKey}`;
  if (ev.beacon.name === ENGAGEMENT) {
    // Plausible's engagement events report on a page already viewed: they never start a visit,
    // end a bounce or lengthen a visit.
    const session = ctx.sessions.peek(key, ev.request.receivedAt);
    if (!session) return 'no_visit';
    ev.visit = { session, isNew: false, visits: 0, bounces: 0, duration: 0 };
    return undefined;
  }
  const acq = ev.acquisition!;
  const isPageview = ev.beacon.name === 'pageview';
  const interactive = isPageview || ev.beacon.interactive !== false;
  ev.visit = ctx.sessions.track(key, ev.request.receivedAt, interactive, () => {
    // Spam never gets here (classifySource drops it); the check only narrows the type.
    const site = ev.site!.domain;
    const now = ev.request.receivedAt;
    // What the visit remembers is already capped: its cubes, conversions and attribution agree.
    const entry = ctx.caps.acquisition(site, acq.kind === 'spam' ? directAcquisition() : acq.acquisition, now);
    const entryPage = storedPath(ev, ctx);
    const tech = ctx.caps.tech(site, ev.ua!, now);
    return { entry, entryPage, tech, country: ev.country ?? '', cubes: visitCubes(entry, entryPage, tech, ev.country ?? '') };
  });
  if (ev.visit.isNew) ctx.attribution.visitOpened(key, ev.visit.session.entry);
  return undefined;
};

/**
 * The event's path as the page cubes keep it: admitted once per event (so a fold is counted once),
 * by whichever booking comes first. Goals still match the real path (ev.path).
 */
function storedPath(ev: PipelineEvent, ctx: StepContext): string {
  ev.storedPath ??= ctx.caps.admit('path', ev.site!.domain, ev.path!, ev.request.receivedAt);
  return ev.storedPath;
}

/**
 * The acquisition dimension values a conversion of this event is credited to: the visit's own
 * (whose values the visit already holds), or an earlier non-direct one the same day.
 */
function creditDims(ev: PipelineEvent, ctx: StepContext): readonly string[] {
  if (ev.creditDims) return ev.creditDims;
  const { session } = ev.visit!;
  const credit = ctx.attribution.creditFor(`${ev.site!.domain}\x1f${ev.visitorKey}`, session.entry);
  ev.creditDims = credit === session.entry ? session.cubes.find((c) => c.cube === 'acquisition')!.dims : [...acquisitionDims(credit), session.country];
  return ev.creditDims;
}

/**
 * Books one conversion (a custom event, or a goal the collector evaluates) under `name` into the
 * three event cubes: by credited acquisition (with the visit's country), by the visit's tech and
 * by its entry page.
 */
function bookConversion(ev: PipelineEvent, ctx: StepContext, name: string, revenue?: { currency: string; units: bigint }): void {
  const { session } = ev.visit!;
  const site = ev.site!.domain;
  const now = ev.request.receivedAt;
  const vk = ev.visitorKey!;
  const currency = revenue?.currency ?? '';
  const hit = { events: 1, ...(revenue ? { revenue: revenue.units } : {}) };
  const tech = session.tech;
  ctx.aggregator.add('event_names', now, site, [name, ...creditDims(ev, ctx), currency], vk, hit);
  ctx.aggregator.add('event_tech', now, site, [name, tech.device, tech.browser, tech.os, currency], vk, hit);
  ctx.aggregator.add('event_entry_pages', now, site, [name, session.entryPage, currency], vk, hit);
}

/**
 * Advances the site's funnels with the goals this event meets, and books each step reached into
 * the funnel cube under the acquisition the visitor is credited with at step 1.
 */
function bookFunnels(ev: PipelineEvent, ctx: StepContext, goals: ReturnType<SiteGoals['get']>, met: ReadonlySet<string> | undefined): void {
  if (!ctx.funnels || !met || met.size === 0) return;
  const site = ev.site!.domain;
  const now = ev.request.receivedAt;
  const acquisition = (): readonly [string, string, string] => {
    const d = creditDims(ev, ctx);
    return [d[SOURCE]!, d[CHANNEL]!, d[CAMPAIGN]!];
  };
  for (const a of ctx.funnels.advance(`${site}\x1f${ev.visitorKey}`, goals.funnels, met, now, acquisition)) {
    ctx.aggregator.add('funnel_steps', now, site, [a.funnelId, String(a.step), ...a.acquisition], ev.visitorKey!, { events: 1 });
  }
}

/** The props of the event whose keys the site allows, into the props cube; the rest counted as dropped. */
function bookProps(ev: PipelineEvent, ctx: StepContext, name: string, allowed: Set<string>, hit: { pageviews: number; events: number }): void {
  const props = ev.beacon.props;
  if (!props) return;
  const site = ev.site!.domain;
  const now = ev.request.receivedAt;
  let notAllowed = 0;
  for (const key in props) {
    if (!allowed.has(key)) {
      notAllowed++;
      continue;
    }
    ctx.aggregator.add('event_props', now, site, [name, key, ctx.propValues.admit(site, key, props[key]!, now)], ev.visitorKey!, hit);
  }
  if (notAllowed) ctx.metrics.inc('telmark_props_dropped_total', { reason: 'not_allowed' }, notAllowed);
}

/** Where the funnel cube's acquisition columns sit among the acquisition cube's. */
const SOURCE = CUBE_DIMENSIONS.acquisition.indexOf('source');
const CHANNEL = CUBE_DIMENSIONS.acquisition.indexOf('channel');
const CAMPAIGN = CUBE_DIMENSIONS.acquisition.indexOf('utm_campaign');

/** The acquisition cube's dimension values, in its column order. */
function acquisitionDims(e: Acquisition): string[] {
  return [e.source, e.channel, e.referrerHost, e.utm.source, e.utm.medium, e.utm.campaign, e.utm.content, e.utm.term];
}

/**
 * A visit's dimensions in each visit-scoped cube, worked out once when the visit opens: the
 * country of its first event is the visit's, so a visit is counted once, under one country.
 */
function visitCubes(e: Acquisition, entryPage: string, tech: UserAgentInfo, country: string): VisitCubes {
  const cubes: Array<[VisitCubes[number]['cube'], string[]]> = [
    ['acquisition', [...acquisitionDims(e), country]],
    ['entry_pages', [entryPage]],
    ['tech', [tech.device, tech.browser, tech.os, country]],
  ];
  return cubes.map(([cube, dims]) => ({ cube, dims, key: dimensionsKey(dims) }));
}

/**
 * Books the event into the cubes. Pageviews and events land in the event's minute; the visit's
 * deltas (visits, bounces, duration) land in the visit's start minute so a visit is counted once,
 * where it began, under the source it came from.
 */
export const aggregate: Step = (ev, ctx) => {
  const goals = ctx.goals.get(ev.site!.domain);
  // Engagement is not an event: it counts in no event metric, only in the page's scroll depth
  // and engaged time, and in scroll goals.
  if (ev.beacon.name === ENGAGEMENT) {
    aggregateEngagement(ev, ctx, goals);
    return undefined;
  }
  const { session, visits, bounces, duration } = ev.visit!;
  const site = ev.site!.domain;
  const vk = ev.visitorKey!;
  const now = ev.request.receivedAt;
  const isPageview = ev.beacon.name === 'pageview';
  const hit = { pageviews: isPageview ? 1 : 0, events: isPageview ? 0 : 1 };
  const visitChanged = visits !== 0 || bounces !== 0 || duration !== 0;
  for (const { cube, dims, key } of session.cubes) {
    ctx.aggregator.add(cube, now, site, dims, vk, hit, key);
    if (visitChanged) ctx.aggregator.add(cube, session.startedAt, site, dims, vk, { visits, bounces, duration }, key);
  }
  const page = storedPath(ev, ctx);
  if (isPageview) {
    // This pageview is the visit's exit until the next one; the previous last pageview stops being it.
    ctx.aggregator.add('pages', now, site, [page], vk, { ...hit, exits: 1 });
    const previous = moveExit(session, page, now);
    if (previous) ctx.aggregator.add('pages', previous.at, site, [previous.page], vk, { exits: -1 });
  } else {
    ctx.aggregator.add('pages', now, site, [page], vk, hit);
  }
  // The goals this event meets, for the funnels (only sites with funnels keep track).
  const met = goals.funnels.length ? new Set<string>() : undefined;
  if (isPageview) {
    for (const g of goals.page) {
      if (!g.matches(ev.path!)) continue;
      bookConversion(ev, ctx, g.name);
      met?.add(g.id);
    }
    bookFunnels(ev, ctx, goals, met);
    bookProps(ev, ctx, 'pageview', goals.allowedProps, hit);
    return undefined;
  }
  // A custom event: by name (and revenue currency), under the acquisition it is credited to, and
  // again under each prop-condition goal it meets.
  const rev = ev.beacon.revenue;
  const revenue = rev ? { currency: rev.currency, units: moneyUnits(rev.amount) } : undefined;
  const name = ctx.eventNames.admit(site, ev.beacon.name, now);
  bookConversion(ev, ctx, name, revenue);
  for (const g of goals.props.get(ev.beacon.name) ?? []) {
    if (!g.conditions.every(([k, v]) => ev.beacon.props?.[k] !== undefined && String(ev.beacon.props[k]) === v)) continue;
    bookConversion(ev, ctx, g.name, revenue);
    met?.add(g.id);
  }
  // Event goals without prop conditions are counted at query time; here they only move funnels.
  if (met) for (const id of goals.events.get(ev.beacon.name) ?? []) met.add(id);
  bookFunnels(ev, ctx, goals, met);
  bookProps(ev, ctx, name, goals.allowedProps, hit);
  return undefined;
};

/** An engagement event: the page's scroll depth and engaged time, and the scroll goals it meets. */
function aggregateEngagement(ev: PipelineEvent, ctx: StepContext, goals: ReturnType<SiteGoals['get']>): void {
  const { session } = ev.visit!;
  const { scrollDepth, engagedMs } = ev.beacon;
  const { counts, page } = bookEngagement(session, ev.path!, scrollDepth, engagedMs);
  if (scrollDepth !== undefined && !page) ctx.metrics.inc('telmark_engagement_untracked_total');
  if (counts.engaged_ms || counts.scroll_visits || counts.scroll_sum) ctx.aggregator.add('pages', ev.request.receivedAt, ev.site!.domain, [storedPath(ev, ctx)], ev.visitorKey!, counts);
  if (!page) return;
  const met = goals.funnels.length ? new Set<string>() : undefined;
  for (const g of goals.scroll) {
    if (page.maxScroll < g.threshold || !g.matches(ev.path!)) continue;
    if (!page.scrollGoals?.has(g.name)) {
      (page.scrollGoals ??= new Set()).add(g.name);
      bookConversion(ev, ctx, g.name);
    }
    // For funnels, a scroll goal is met by every engagement event that reports the depth now
    // (not by a depth reached before the previous step).
    if (scrollDepth !== undefined && scrollDepth >= g.threshold) met?.add(g.id);
  }
  bookFunnels(ev, ctx, goals, met);
}

/**
 * The pipeline, in order. Privacy signals come first: a DNT/GPC request is not even seen by the
 * abuse buffer. The site is resolved after the abuse check so that beacons for unknown domains
 * count towards their sender's rates.
 */
export const STEPS: Array<[name: string, step: Step]> = [
  ['honourPrivacySignals', honourPrivacySignals],
  ['resolveIp', resolveIp],
  ['checkAbuse', checkAbuse],
  ['lookUpCountry', lookUpCountry],
  ['truncateIp', truncateIp],
  ['resolveSite', resolveSite],
  ['dropBots', dropBots],
  ['parseUserAgent', parseUserAgent],
  ['classifySource', classifySource],
  ['cleanUpPath', cleanUpPath],
  ['computeVisitorKey', computeVisitorKey],
  // With the abuse buffer on, events wait here ABUSE_HOLD_MS (see Pipeline and abuse/hold.ts).
  ['trackVisit', trackVisit],
  ['aggregate', aggregate],
];
