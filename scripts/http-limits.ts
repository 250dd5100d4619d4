// Timeouts and the connection cap that every HTTP listener gets (the public collector, the
// collector's admin listener, the dashboard). Node's own defaults suit a trusted network, not the
// public internet: a request may take 5 minutes, headers a minute, and the check that enforces
// both runs only every 30 s, so a few hundred clients that trickle a byte at a time (slowloris)
// hold sockets and file descriptors for minutes. These settings cut them off in seconds.
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { ConfigError, int, type Env } from '../schema/env.ts';

export interface HttpLimits {
  /** The request line and all headers must arrive within this (slow-header clients are cut off: 408). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (408). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Open connections per listener; past it a new connection is closed at once, unanswered. */
  maxConnections: number;
}

/**
 * Safe for beacons (a few hundred bytes) and the dashboard alike. Requests: 60 s is enough for the
 * largest ad-spend import (10 MB) at ~1.5 Mbit/s. Keep-alive: Node's 5 s (a load balancer in front
 * should close idle connections before this does, i.e. have a shorter idle timeout). Connections:
 * each one costs a file descriptor; keep this under the process's open-file limit (`ulimit -n`)
 * with room for ClickHouse's files.
 */
export const HTTP_LIMITS_DEFAULTS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 10_000,
};

/** HTTP_HEADERS_TIMEOUT_MS, HTTP_REQUEST_TIMEOUT_MS, HTTP_KEEPALIVE_TIMEOUT_MS, HTTP_MAX_CONNECTIONS. */
export function httpLimitsConfig(env: Env): HttpLimits {
  const d = HTTP_LIMITS_DEFAULTS;
  const limits: HttpLimits = {
    // 0 (Node's "no limit") is refused on purpose: an unlimited listener is what slowloris needs.
    headersTimeoutMs: int(env, 'HTTP_HEADERS_TIMEOUT_MS', d.headersTimeoutMs, 100, 600_000),
    requestTimeoutMs: int(env, 'HTTP_REQUEST_TIMEOUT_MS', d.requestTimeoutMs, 100, 3_600_000),
    keepAliveTimeoutMs: int(env, 'HTTP_KEEPALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs, 100, 600_000),
    maxConnections: int(env, 'HTTP_MAX_CONNECTIONS', d.maxConnections, 1, 1_000_000),
  };
  // Node refuses this combination when the server is created; say it in our words, at start.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', `at most HTTP_REQUEST_TIMEOUT_MS (${limits.requestTimeoutMs})`, String(limits.headersTimeoutMs));
  }
  return limits;
}

/**
 * Options for http(s).createServer. Node enforces the headers and request timeouts in a sweep
 * every `connectionsCheckingInterval` (30 s by default, so a 10 s timeout could take 40 s);
 * a tenth of the headers timeout (100 ms to 1 s) keeps the cut-off close to the setting at the
 * cost of one walk over the open connections per sweep.
 */
export function httpServerOptions(limits: HttpLimits): { headersTimeout: number; requestTimeout: number; keepAliveTimeout: number; connectionsCheckingInterval: number } {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, Math.max(100, Math.round(limits.headersTimeoutMs / 10))),
  };
}

/** Answers to requests Node's HTTP parser refuses before any route sees them. */
const CLIENT_ERRORS: Record<string, [status: number, error: string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request timed out: headers or body arrived too slowly'],
  HPE_HEADER_OVERFLOW: [431, 'request headers too large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'chunk extensions too large'],
};

/**
 * Node's 'clientError' answer (a malformed request line or header, a timeout), as every other
 * refusal of ours: a status and a JSON reason, then the connection closes. Node's default sends
 * the status with no body. The reason never quotes the request (it could carry anything).
 * Written only when nothing was sent on the connection yet, as Node does (a response already
 * under way cannot be followed by another status line).
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code !== 'ECONNRESET' && socket.writable && (socket as Duplex & { bytesWritten?: number }).bytesWritten === 0) {
    const [status, error] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'malformed HTTP request'];
    const body = JSON.stringify({ error });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
