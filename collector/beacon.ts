import { z } from 'zod';
import { isCurrency } from '../schema/money.ts';
import { wellFormed } from '../schema/text.ts';

/** Field limits. A beacon over any of them gets a 400 that names the field. */
export const LIMITS = {
  name: 120,
  url: 2048,
  domain: 512,
  referrer: 2048,
  propKeys: 30,
  propKey: 300,
  propValue: 2000,
} as const;

const httpUrl = z
  .string()
  .max(LIMITS.url, `must be at most ${LIMITS.url} characters`)
  .refine((u) => {
    try {
      const p = new URL(u).protocol;
      return p === 'http:' || p === 'https:';
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL');

/** Plausible lets props and revenue arrive as JSON strings as well as objects. */
const jsonObject = (inner: z.ZodType) =>
  z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }, inner);

/**
 * Props must be an object (anything else is a client bug: 400). Inside it Plausible's rules are
 * lenient and so are ours: the first 30 keys with scalar values are kept, the rest dropped and
 * counted (see sanitiseProps).
 */
const props = z.record(z.string(), z.unknown());

const beaconSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(LIMITS.name, `must be at most ${LIMITS.name} characters`),
  url: httpUrl,
  domain: z.string().trim().min(1, 'is required').max(LIMITS.domain, `must be at most ${LIMITS.domain} characters`),
  referrer: z.string().max(LIMITS.referrer, `must be at most ${LIMITS.referrer} characters`).nullish(),
  props: jsonObject(props).nullish(),
  // Checked apart (sanitiseRevenue): a malformed revenue drops the revenue, not the event.
  revenue: z.unknown().optional(),
  interactive: z.boolean().nullish(),
  // Engagement events only (Plausible's tracker): scroll depth 0-100 and engaged milliseconds.
  sd: z.unknown().optional(),
  e: z.unknown().optional(),
});

type ParsedBody = z.infer<typeof beaconSchema>;

/** A scalar prop value, as the aggregates may keep it. */
export type PropValue = string | number | boolean | null;

export interface Beacon extends Omit<ParsedBody, 'props' | 'revenue' | 'sd' | 'e'> {
  props?: Record<string, PropValue>;
  /** Exact decimal text (never a float) and an upper-case ISO 4217 code. */
  revenue?: { amount: string; currency: string };
  /** Engagement events: the highest scroll depth of the page, 0-100. */
  scrollDepth?: number;
  /** Engagement events: engaged time on the page, ms (0 when out of range). */
  engagedMs?: number;
}

/** What was dropped from an accepted beacon, by reason (counted in /metrics). */
export interface BeaconNotes {
  propsDropped: Partial<Record<'too_many' | 'not_scalar' | 'key_too_long', number>>;
  revenueDropped?: 'bad_amount' | 'bad_currency' | 'not_an_object';
}

/** The name of Plausible's engagement events: not custom events (see the pipeline). */
export const ENGAGEMENT = 'engagement';
const MAX_ENGAGED_MS = 30 * 24 * 60 * 60 * 1000;

function sanitiseProps(raw: Record<string, unknown>, notes: BeaconNotes): Record<string, PropValue> {
  const kept: Record<string, PropValue> = Object.create(null);
  let n = 0;
  const drop = (why: keyof BeaconNotes['propsDropped']) => (notes.propsDropped[why] = (notes.propsDropped[why] ?? 0) + 1);
  for (const [key, value] of Object.entries(raw)) {
    if (key.length > LIMITS.propKey) drop('key_too_long');
    else if (!(value === null || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value.length <= LIMITS.propValue))) drop('not_scalar');
    else if (n >= LIMITS.propKeys) drop('too_many');
    else {
      kept[wellFormed(key)] = (typeof value === 'string' ? wellFormed(value) : value) as PropValue;
      n++;
    }
  }
  return kept;
}

const AMOUNT = /^-?\d{1,15}(\.\d{1,8})?$/;

function sanitiseRevenue(raw: unknown, notes: BeaconNotes): Beacon['revenue'] {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      // reported below
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    notes.revenueDropped = 'not_an_object';
    return undefined;
  }
  const { amount, currency } = value as { amount?: unknown; currency?: unknown };
  // Only real ISO 4217 codes (as Plausible): made-up three-letter codes would be 17,576 more
  // values of the event cubes' currency column (collector/cardinality/ caps the free-text ones).
  if (typeof currency !== 'string' || !isCurrency(currency.toUpperCase())) {
    notes.revenueDropped = 'bad_currency';
    return undefined;
  }
  // JSON numbers arrive as doubles; their shortest text (String(19.99) = "19.99") is the exact
  // decimal the sender wrote in all but absurd cases. Strings are taken as written.
  const text = typeof amount === 'number' && Number.isFinite(amount) ? String(amount) : typeof amount === 'string' ? amount.trim() : '';
  if (!AMOUNT.test(text)) {
    notes.revenueDropped = 'bad_amount';
    return undefined;
  }
  return { amount: text, currency: currency.toUpperCase() };
}

/** sd and e of an engagement event, or the 400 message when neither is usable. */
function engagement(sd: unknown, e: unknown): { scrollDepth?: number; engagedMs?: number } | string {
  const out: { scrollDepth?: number; engagedMs?: number } = {};
  if (typeof sd === 'number' && Number.isFinite(sd) && sd >= 0) out.scrollDepth = Math.min(100, Math.round(sd));
  if (typeof e === 'number' && Number.isFinite(e)) out.engagedMs = e < 0 || e > MAX_ENGAGED_MS ? 0 : Math.round(e);
  if (out.scrollDepth === undefined && out.engagedMs === undefined) return 'engagement events need sd (scroll depth, 0-100) or e (engaged time, ms)';
  return out;
}


export type BeaconParse = { ok: true; beacon: Beacon; notes: BeaconNotes } | { ok: false; error: string; field: string };

const FIELDS: Array<[keyof ParsedBody, string]> = [
  ['name', 'n'],
  ['url', 'u'],
  ['domain', 'd'],
  ['referrer', 'r'],
  ['props', 'p'],
  ['revenue', '$'],
  ['interactive', 'i'],
  ['sd', 'sd'],
  ['e', 'e'],
];

/**
 * Validates a Plausible Events API body (long or short field names). The error names the field
 * by the name the client used, so a tracker author can find it.
 */
export function parseBeacon(text: string): BeaconParse {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, field: 'body', error: 'body is not valid JSON' };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, field: 'body', error: 'body must be a JSON object' };
  }
  const raw = body as Record<string, unknown>;
  const normalised: Record<string, unknown> = {};
  const sentAs: Record<string, string> = {};
  for (const [long, short] of FIELDS) {
    const v = raw[long] !== undefined ? raw[long] : raw[short];
    sentAs[long] = raw[long] !== undefined ? long : raw[short] !== undefined ? short : long;
    if (v !== undefined) normalised[long] = v;
  }
  const result = beaconSchema.safeParse(normalised);
  if (result.success) {
    const { props: rawProps, revenue: rawRevenue, sd, e, ...rest } = result.data;
    const notes: BeaconNotes = { propsDropped: {} };
    const beacon: Beacon = rest;
    // Lone surrogates (from JSON escapes) would make the aggregates' insert fail: see schema/text.ts.
    // Only the fields that reach a cube are mended (not every string via parseClientJson's reviver,
    // which would cost every beacon a callback per JSON value).
    beacon.name = wellFormed(beacon.name);
    beacon.url = wellFormed(beacon.url);
    beacon.domain = wellFormed(beacon.domain);
    if (typeof beacon.referrer === 'string') beacon.referrer = wellFormed(beacon.referrer);
    if (rawProps) beacon.props = sanitiseProps(rawProps as Record<string, unknown>, notes);
    if (rawRevenue !== undefined && rawRevenue !== null) beacon.revenue = sanitiseRevenue(rawRevenue, notes);
    if (beacon.revenue === undefined) delete beacon.revenue;
    if (beacon.name === ENGAGEMENT) {
      const measured = engagement(sd, e);
      if (typeof measured === 'string') return { ok: false, field: 'sd', error: `sd: ${measured}` };
      Object.assign(beacon, measured);
    }
    return { ok: true, beacon, notes };
  }
  const issue = result.error.issues[0]!;
  const top = String(issue.path[0] ?? 'body');
  const field = sentAs[top] ?? top;
  const message = normalised[top] === undefined ? 'is required' : issue.message;
  const where = issue.path.length > 1 ? `${field}.${issue.path.slice(1).join('.')}` : field;
  return { ok: false, field, error: `${where}: ${message}` };
}
