import { z } from 'zod';

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

const props = z
  .record(
    z.string().max(LIMITS.propKey, `keys must be at most ${LIMITS.propKey} characters`),
    z.union([z.string().max(LIMITS.propValue, `values must be at most ${LIMITS.propValue} characters`), z.number(), z.boolean(), z.null()]),
  )
  .refine((o) => Object.keys(o).length <= LIMITS.propKeys, `must have at most ${LIMITS.propKeys} keys`);

const revenue = z.object({
  amount: z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/, 'amount must be a number')]),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'currency must be a 3-letter ISO code'),
});

const beaconSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(LIMITS.name, `must be at most ${LIMITS.name} characters`),
  url: httpUrl,
  domain: z.string().trim().min(1, 'is required').max(LIMITS.domain, `must be at most ${LIMITS.domain} characters`),
  referrer: z.string().max(LIMITS.referrer, `must be at most ${LIMITS.referrer} characters`).nullish(),
  props: jsonObject(props).nullish(),
  revenue: jsonObject(revenue).nullish(),
  interactive: z.boolean().nullish(),
});

export type Beacon = z.infer<typeof beaconSchema>;

export type BeaconParse = { ok: true; beacon: Beacon } | { ok: false; error: string; field: string };

const FIELDS: Array<[keyof Beacon, string]> = [
  ['name', 'n'],
  ['url', 'u'],
  ['domain', 'd'],
  ['referrer', 'r'],
  ['props', 'p'],
  ['revenue', '$'],
  ['interactive', 'i'],
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
  if (result.success) return { ok: true, beacon: result.data };
  const issue = result.error.issues[0]!;
  const top = String(issue.path[0] ?? 'body');
  const field = sentAs[top] ?? top;
  const message = normalised[top] === undefined ? 'is required' : issue.message;
  const where = issue.path.length > 1 ? `${field}.${issue.path.slice(1).join('.')}` : field;
  return { ok: false, field, error: `${where}: ${message}` };
}
