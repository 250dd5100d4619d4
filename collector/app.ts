import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { compress } from 'hono/compress';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { parseBeacon } from './beacon.ts';
import type { FlusherHealth } from './flusher.ts';
import type { Metrics } from './metrics.ts';
import type { HeaderReader } from './ip/client-ip.ts';
import type { Pipeline } from './pipeline/index.ts';
import { PRIVACY_PAGE } from './privacy/page.ts';
import { TRACKER_SCRIPT } from './tracker/script.ts';

export interface CollectorAppDeps {
  pipeline: Pipeline;
  metrics: Metrics;
  maxBodyBytes: number;
  /** The socket peer's address; supplied by the runtime entry (Node: @hono/node-server conninfo). */
  peerAddress: (c: Context) => string | undefined;
  /** False until storage is ready, and again while shutting down. */
  isReady: () => boolean;
  isAccepting: () => boolean;
  /** The way to ClickHouse (collector/flusher.ts), for /healthz; absent: always ok. */
  storeHealth?: () => FlusherHealth;
  /** The abuse buffer's view of the request's client (absent when ABUSE_MAX_IPS=0). */
  abuse?: AbuseGate;
  /** Data-subject routes (collector/privacy/routes.ts), mounted at /api/privacy; absent: not offered. */
  privacy?: Hono;
  /** Called after each accepted beacon (the service uses it to flush early when memory fills). */
  afterEvent?: () => void;
  now?: () => number;
}

/**
 * What the HTTP layer asks of the abuse buffer. Both resolve the client address themselves (from
 * the socket peer and, behind a trusted proxy, the forwarding headers) and never hand it back.
 */
export interface AbuseGate {
  /** Seconds the client should wait when its address is flagged; undefined otherwise. */
  refuse(peer: string | undefined, headers: HeaderReader): number | undefined;
  /** Counts a refused (4xx) request against its address. */
  noteInvalid(peer: string | undefined, headers: HeaderReader): void;
}

/**
 * Hono's bodyLimit, called only when it has work to do. With a Content-Length (every browser
 * beacon has one) the size is known up front and Node's HTTP parser never delivers more than it
 * declares, so the check is one header read. bodyLimit itself touches the request's body stream
 * even then, which on @hono/node-server turns a cheap request into a full Web Request and costs
 * ~4x the throughput; chunked bodies, whose size is unknown, still go through it.
 */
function limitBody(maxSize: number, onError: (c: Context) => Response | Promise<Response>, onBrokenBody: (c: Context) => Response): MiddlewareHandler {
  const streaming = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const headers = headerReader(c);
    const length = headers.get('content-length');
    if (length !== null && headers.get('transfer-encoding') === null) {
      return Number(length) > maxSize ? onError(c) : next();
    }
    // bodyLimit reads a chunked body before the handler runs; a body that breaks off (bad chunk
    // framing, the client gone, HTTP_REQUEST_TIMEOUT_MS) fails that read. The handler's own errors
    // never land here: Hono answers them where they happen.
    try {
      return await streaming(c, next);
    } catch {
      return onBrokenBody(c);
    }
  };
}

type NodeEnv = { incoming?: { headers?: Record<string, string | string[] | undefined> } } | undefined;

/**
 * Request headers for the beacon path. On Node the socket's parsed headers (a plain object with
 * lower-case names) are read as they are; c.req.header would first build a Web Headers object
 * from them, a measurable share of a beacon's cost. Other runtimes use c.req.header.
 */
function headerReader(c: Context): HeaderReader {
  const incoming = (c.env as NodeEnv)?.incoming?.headers;
  if (!incoming) return { get: (name) => c.req.header(name) ?? null };
  return {
    get: (name) => {
      const v = incoming[name];
      return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
    },
  };
}

/** A body that stopped arriving half-way: the client's doing, so a 4xx (and nobody may be left to read it). */
const BROKEN_BODY = 'the body could not be read to its end';

/** 429 with Retry-After: the address is flagged until its abuse entry ends. */
function tooManyRequests(c: Context, retryAfterS: number): Response {
  c.header('retry-after', String(retryAfterS));
  return c.json({ error: `too many requests from this address; retry after ${retryAfterS} s` }, 429);
}

/**
 * The public collector: Plausible's Events API, the tracker script, health and metrics.
 * Runtime-neutral (Web Request/Response); the Node entry adds the socket.
 */
export function createCollectorApp(deps: CollectorAppDeps): Hono {
  const { metrics } = deps;
  const now = deps.now ?? Date.now;
  metrics.describe('telmark_requests_rejected_total', 'Beacons rejected with a 4xx, by status and field.');
  metrics.describe('telmark_requests_refused_abuse_total', 'Beacons answered 429 because their address is flagged.');
  const app = new Hono();
  const invalid = (c: Context, status: 400 | 413 | 415, field: string, error: string) => {
    metrics.inc('telmark_requests_rejected_total', { status: String(status), field });
    deps.abuse?.noteInvalid(deps.peerAddress(c), headerReader(c));
    // 413 and 415 answer before the body is read: the connection is closed after the answer
    // rather than kept alive with an unread (maybe still arriving) body on it, which the Node
    // adapter would drain and, past 500 ms, cut off under whichever request came next on it.
    if (status !== 400) c.header('connection', 'close');
    return c.json({ error }, status);
  };
  const refused = (c: Context, retryAfterS: number) => {
    metrics.inc('telmark_requests_refused_abuse_total');
    return tooManyRequests(c, retryAfterS);
  };

  // Any site may send beacons: they carry no credentials, so a wildcard origin is safe. Hono's cors
  // answers the preflight; a beacon itself is a "simple" request, whose answer needs only the
  // wildcard Allow-Origin header, set in the handler below (the middleware costs ~15% per beacon).
  app.options('/api/event', cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['Content-Type'], maxAge: 86_400 }));

  app.post(
    '/api/event',
    async (c, next) => {
      // Errors carry it too, so a fetch() caller can read the reason.
      c.header('access-control-allow-origin', '*');
      // A flagged address is refused before its body is read.
      const wait = deps.abuse?.refuse(deps.peerAddress(c), headerReader(c));
      return wait === undefined ? next() : refused(c, wait);
    },
    limitBody(
      deps.maxBodyBytes,
      (c) => invalid(c, 413, 'body', `body is larger than ${deps.maxBodyBytes} bytes`),
      (c) => invalid(c, 400, 'body', BROKEN_BODY),
    ),
    async (c) => {
      const headers = headerReader(c);
      const type = (headers.get('content-type') ?? 'text/plain').split(';')[0]!.trim().toLowerCase();
      // sendBeacon posts text/plain to avoid a CORS preflight; both carry the same JSON.
      if (type !== 'application/json' && type !== 'text/plain') {
        return invalid(c, 415, 'content-type', 'content-type must be application/json or text/plain');
      }
      let text: string;
      try {
        text = await c.req.text();
      } catch {
        // The client stopped sending mid-body (gone, or cut off by HTTP_REQUEST_TIMEOUT_MS).
        return invalid(c, 400, 'body', BROKEN_BODY);
      }
      const parsed = parseBeacon(text);
      if (!parsed.ok) return invalid(c, 400, parsed.field, parsed.error);
      // What an accepted beacon lost (Plausible's leniency): counted, never a reason to refuse it.
      const { propsDropped, revenueDropped } = parsed.notes;
      for (const reason in propsDropped) metrics.inc('telmark_props_dropped_total', { reason }, propsDropped[reason as keyof typeof propsDropped]);
      if (revenueDropped) metrics.inc('telmark_revenue_dropped_total', { reason: revenueDropped });
      // Checked after the body is read: from here to the 202 nothing awaits, so an event is either
      // refused (the client retries) or booked before the final flush drains the aggregator.
      if (!deps.isAccepting()) return c.json({ error: 'collector is shutting down, retry shortly' }, 503);
      const outcomes = deps.pipeline.process(parsed.beacon, {
        peer: deps.peerAddress(c),
        headers,
        receivedAt: now(),
      });
      deps.afterEvent?.();
      for (const o of outcomes) if (o.status === 'dropped' && o.retryAfterS !== undefined) return refused(c, o.retryAfterS);
      // 202 whether counted or dropped (unknown site, bot): a tracker cannot learn what we filter.
      return c.body(null, 202);
    },
  );

  // Registered after the beacon route on purpose: the beacon's handler answers without calling
  // next(), so this middleware runs for every other route only. Security headers protect what a
  // browser renders or runs (the script, JSON answers); the beacon's empty 202 has nothing for
  // them to protect, and on that hot path they cost ~30%.
  app.use('*', secureHeaders({ crossOriginResourcePolicy: 'cross-origin' }));

  app.get('/js/script.js', compress(), (c) =>
    c.body(TRACKER_SCRIPT, 200, {
      'content-type': 'application/javascript; charset=utf-8',
      'cache-control': 'public, max-age=3600',
    }),
  );

  // Degraded is still 200: a collector whose ClickHouse is away keeps answering beacons and keeps
  // what they count (memory, then spool), so a load balancer must not take it out of rotation;
  // monitoring reads `status`. Fixed words and numbers only: error texts can name internal hosts.
  app.get('/healthz', (c) => {
    if (!deps.isReady()) return c.json({ status: 'starting' }, 503);
    const h = deps.storeHealth?.();
    if (!h || h.store === 'ok') return c.json({ status: 'ok' });
    return c.json({
      status: 'degraded',
      store: h.store,
      since: h.since === undefined ? null : new Date(h.since).toISOString(),
      failed_flushes: h.failedAttempts,
      backlog: { batches: h.backlogBatches, rows: h.backlogRows, spooled_batches: h.spooledBatches, spooled_bytes: h.spooledBytes },
      spool: h.spool,
      discarded_rows: h.discardedRows,
    });
  });

  app.get('/metrics', (c) => c.text(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4' }));

  if (deps.privacy) {
    app.route('/api/privacy', deps.privacy);
    app.get('/privacy', (c) => c.html(PRIVACY_PAGE, 200, { 'cache-control': 'no-store' }));
  }

  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  // Never echo internals: the message could carry request data.
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    metrics.inc('telmark_internal_errors_total');
    return c.json({ error: 'internal error' }, 500);
  });
  return app;
}
