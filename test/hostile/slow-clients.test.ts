// Issue 11 §3: slow and greedy clients. 1,000 connections trickle request headers a byte at a time
// at the collector; a normal client's beacon is still answered within 1 s (measured from the
// client), and the headers timeout cuts every slow one off (408 with a JSON reason, socket ended).
// The other listeners (admin, dashboard) get the same timeouts; the request and keep-alive
// timeouts and the connection cap are shown on the real collector too. Short timeouts in the env
// keep it fast. File descriptors: the test process holds both ends (~2,000 fds); `ulimit -n` here
// is 20,000.
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../schema/env.ts';
import { HTTP_LIMITS_DEFAULTS, httpLimitsConfig, httpServerOptions } from '../../scripts/http-limits.ts';
import { startSlowloris } from '../../scripts/faults/slowloris.ts';
import { pageview, startTestTelmark, tempDir, type TestTelmark } from '../helpers/telmark.ts';

const SLOW = 1000;
const HEADERS_TIMEOUT_MS = 6000;
const REQUEST_TIMEOUT_MS = 8000;
const KEEPALIVE_TIMEOUT_MS = 1000;
/** The 1,000 slow ones, the normal client's connection and a few more; the rest are refused. */
const MAX_CONNECTIONS = SLOW + 10;
/** How long after its timeout a socket may still be open: Node's sweep interval (a tenth of the headers timeout) plus slack for a loaded machine. */
const SLACK_MS = 3000;

const portOf = (url: string) => Number(new URL(url).port);

/** A socket to 127.0.0.1:port that records when it closed and what it received. */
function rawSocket(port: number): Promise<{ socket: Socket; closedAt: () => number | undefined; received: () => string }> {
  return new Promise((resolve, reject) => {
    let closedAt: number | undefined;
    let received = '';
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('data', (d) => (received += d.toString('latin1')));
    socket.on('error', () => {});
    socket.once('close', () => (closedAt = Date.now()));
    socket.once('connect', () => resolve({ socket, closedAt: () => closedAt, received: () => received }));
    socket.once('error', reject);
  });
}

const waitFor = async (ok: () => boolean, timeoutMs: number) => {
  const until = Date.now() + timeoutMs;
  while (!ok() && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  return ok();
};

describe('HTTP_* settings', () => {
  it('have safe defaults and refuse a bad value with one line naming the variable', () => {
    expect(httpLimitsConfig({})).toEqual(HTTP_LIMITS_DEFAULTS);
    expect(httpServerOptions(HTTP_LIMITS_DEFAULTS)).toEqual({ headersTimeout: 10_000, requestTimeout: 60_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000 });
    expect(httpLimitsConfig({ HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_REQUEST_TIMEOUT_MS: '3000', HTTP_KEEPALIVE_TIMEOUT_MS: '700', HTTP_MAX_CONNECTIONS: '50' })).toEqual({
      headersTimeoutMs: 2000,
      requestTimeoutMs: 3000,
      keepAliveTimeoutMs: 700,
      maxConnections: 50,
    });
    const bad: Array<[Record<string, string>, string]> = [
      [{ HTTP_HEADERS_TIMEOUT_MS: 'abc' }, 'HTTP_HEADERS_TIMEOUT_MS="abc" is invalid: expected a whole number from 100 to 600000'],
      [{ HTTP_HEADERS_TIMEOUT_MS: '0' }, 'HTTP_HEADERS_TIMEOUT_MS="0" is invalid: expected a whole number from 100 to 600000'],
      [{ HTTP_REQUEST_TIMEOUT_MS: '1.5' }, 'HTTP_REQUEST_TIMEOUT_MS="1.5" is invalid: expected a whole number from 100 to 3600000'],
      [{ HTTP_KEEPALIVE_TIMEOUT_MS: '-1' }, 'HTTP_KEEPALIVE_TIMEOUT_MS="-1" is invalid: expected a whole number from 100 to 600000'],
      [{ HTTP_MAX_CONNECTIONS: '0' }, 'HTTP_MAX_CONNECTIONS="0" is invalid: expected a whole number from 1 to 1000000'],
      [{ HTTP_HEADERS_TIMEOUT_MS: '20000', HTTP_REQUEST_TIMEOUT_MS: '10000' }, 'HTTP_HEADERS_TIMEOUT_MS="20000" is invalid: expected at most HTTP_REQUEST_TIMEOUT_MS (10000)'],
    ];
    for (const [env, message] of bad) {
      expect(() => httpLimitsConfig(env)).toThrow(ConfigError);
      expect(() => httpLimitsConfig(env)).toThrow(message);
    }
  });

  it('stop `npm run collector` before anything starts, with one line on stderr and exit code 2', async () => {
    const dir = tempDir('telmark-http-limits-');
    try {
      const run = promisify(execFile)('node_modules/.bin/tsx', ['scripts/collector.ts'], { env: { ...process.env, DATA_DIR: dir.path, HTTP_MAX_CONNECTIONS: 'lots' }, timeout: 60_000 });
      const err = (await run.then(
        () => undefined,
        (e: unknown) => e,
      )) as { code?: number; stderr?: string } | undefined;
      expect(err?.code).toBe(2);
      expect(err?.stderr).toBe('telmark: HTTP_MAX_CONNECTIONS="lots" is invalid: expected a whole number from 1 to 1000000\n');
    } finally {
      dir.remove();
    }
  });
});

describe('slow and greedy clients against a real telmark', () => {
  let t: TestTelmark;
  beforeAll(async () => {
    t = await startTestTelmark({
      HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      HTTP_REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS),
      HTTP_KEEPALIVE_TIMEOUT_MS: String(KEEPALIVE_TIMEOUT_MS),
      HTTP_MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    });
  });
  afterAll(async () => {
    await t?.destroy();
  });

  it(`${SLOW} slow connections trickle headers: a normal beacon is answered within 1 s, the cap refuses more, and the headers timeout ends every slow one`, async () => {
    // The admin listener and the dashboard get one slow client each: the same timeouts hold there.
    const [slow, slowAdmin, slowDashboard] = await Promise.all([
      startSlowloris(portOf(t.collectorUrl), SLOW, 300),
      startSlowloris(portOf(t.adminUrl), 1, 300),
      startSlowloris(portOf(t.dashboardUrl), 1, 300),
    ]);
    try {
      expect(slow.open()).toBe(SLOW);

      // A normal client, while all of them are held.
      const latencies: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        const res = await t.beacon(pageview(`https://example.com/normal-${i}`), { 'x-forwarded-for': `203.0.113.${i + 1}` });
        latencies.push(performance.now() - t0);
        expect(res.status).toBe(202);
      }
      expect(Math.max(...latencies)).toBeLessThan(1000);

      // The cap: SLOW slow ones and the normal client's keep-alive connection are open, so of 20
      // more connections about MAX_CONNECTIONS - SLOW - 1 are taken and the rest closed at once.
      const extra = await Promise.all(Array.from({ length: 20 }, () => rawSocket(portOf(t.collectorUrl))));
      await new Promise((r) => setTimeout(r, 500));
      const refused = extra.filter((s) => s.closedAt() !== undefined);
      expect(refused.length).toBeGreaterThanOrEqual(20 - (MAX_CONNECTIONS - SLOW));
      expect(refused.length).toBeLessThanOrEqual(20 - (MAX_CONNECTIONS - SLOW - 2));
      // Refused before a byte was read: no answer at all.
      expect(refused.every((s) => s.received() === '')).toBe(true);
      for (const s of extra) s.socket.destroy();

      // Everything above happened while every slow connection was still held.
      expect(slow.open()).toBe(SLOW);

      expect(await slow.allClosed(HEADERS_TIMEOUT_MS + SLACK_MS)).toBe(true);
      expect(await slowAdmin.allClosed(SLACK_MS)).toBe(true);
      expect(await slowDashboard.allClosed(SLACK_MS)).toBe(true);
      const all = [...slow.connections, ...slowAdmin.connections, ...slowDashboard.connections];
      const lifetimes = all.map((c) => c.closedAt! - c.openedAt);
      expect(Math.min(...lifetimes)).toBeGreaterThanOrEqual(HEADERS_TIMEOUT_MS - 100);
      expect(Math.max(...lifetimes)).toBeLessThan(HEADERS_TIMEOUT_MS + SLACK_MS);
      // They did trickle (a byte every 300 ms), and each was ended with a 408 and its reason.
      expect(Math.min(...all.map((c) => c.sent))).toBeGreaterThan(80 + 10);
      const answered408 = all.filter((c) => c.received.startsWith('HTTP/1.1 408') && c.received.includes('{"error":"request timed out: headers or body arrived too slowly"}'));
      expect(answered408).toHaveLength(SLOW + 2);
    } finally {
      slow.stop();
      slowAdmin.stop();
      slowDashboard.stop();
    }

    await t.flush();
    const { json } = await t.query({ site_id: 'example.com', metrics: ['pageviews'], date_range: 'day' });
    expect(json.results[0].metrics[0]).toBe(5);
    expect(await t.metric('telmark_internal_errors_total')).toBe(0);
  });

  it('cuts off a body that trickles past the request timeout, and closes idle keep-alive connections', async () => {
    const port = portOf(t.collectorUrl);
    // Headers complete, then the body a byte every 300 ms: the request timeout ends it.
    const body = await rawSocket(port);
    const openedAt = Date.now();
    body.socket.write('POST /api/event HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{');
    const trickle = setInterval(() => body.socket.writable && body.socket.write(' '), 300);
    // Keep-alive: one complete request, then silence.
    const idle = await rawSocket(port);
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(await waitFor(() => idle.received().includes('{"status":"ok"}'), 5000)).toBe(true);
    const answeredAt = Date.now();
    try {
      expect(await waitFor(() => idle.closedAt() !== undefined, KEEPALIVE_TIMEOUT_MS + SLACK_MS)).toBe(true);
      expect(idle.closedAt()! - answeredAt).toBeGreaterThanOrEqual(KEEPALIVE_TIMEOUT_MS - 100);
      expect(await waitFor(() => body.closedAt() !== undefined, REQUEST_TIMEOUT_MS + SLACK_MS)).toBe(true);
      expect(body.closedAt()! - openedAt).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
      expect(body.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*content-type: application\/json[\s\S]*\{"error":"request timed out: headers or body arrived too slowly"\}$/);
      // The beacon handler was left waiting for that body: a 4xx of its own, not an internal error.
      expect(await t.metric('telmark_internal_errors_total')).toBe(0);
    } finally {
      clearInterval(trickle);
      body.socket.destroy();
      idle.socket.destroy();
    }
  });
});
