// Requests fetch() cannot send: control characters and NUL in headers, bad request lines, broken
// Content-Length and chunked framing, oversized headers. They reach Node's HTTP parser, which
// refuses them before any route runs; the listener answers with a status and a JSON reason
// (scripts/http-limits.ts answerClientError). Written over a bare TCP socket, one connection each.
import { connect } from 'node:net';
import fc from 'fast-check';

export interface RawAnswer {
  /** Every response on the connection, in order (a request can be read as two). */
  responses: Array<{ status: number; error?: string }>;
  /** The connection closed without a single response, or did not close in time. */
  failure?: string;
}

/** An unregistered site: a raw request that happens to be well-formed is answered 202 and counted nowhere. */
const BEACON = '{"n":"pageview","u":"https://raw.example/","d":"raw.example"}';
const CRLF = '\r\n';

/** A header line (or a few) that breaks HTTP/1.1 in some way. */
const badHeaderLines = fc.oneof(
  fc.constantFrom(
    'User-Agent: a\u0001b',
    'User-Agent: nul\u0000here',
    'X-Forwarded-For: 1.2.3.4\u0000, 5.6.7.8',
    'Referer: https://a.example/\u001b[31m',
    'Bad Header: x',
    'X-Folded: a\r\n  continued',
    ': no name',
    'Content-Length: abc',
    'Content-Length: 5\r\nContent-Length: 6',
    'Content-Length: -1',
    'Content-Length: 99999999999999999999',
    'Transfer-Encoding: chunked\r\nContent-Length: 3',
    'Transfer-Encoding: gzip, chunked, identity',
    'Transfer-Encoding: chunked',
    'Host: a\r\nHost: b',
    'Host: exa mple',
    'Host: [::1',
    'X-Long: ' + 'a'.repeat(20_000),
    'Content-Type: application/json\u007f',
  ),
  // Random bytes where a header line goes (CR/LF included: they split it anywhere).
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);

const requestLine = fc.oneof(
  { weight: 4, arbitrary: fc.constant('POST /api/event HTTP/1.1') },
  {
    weight: 1,
    arbitrary: fc.constantFrom('POST /api\\event HTTP/1.1', 'POST //api/event HTTP/1.1', 'POST * HTTP/1.1', 'POST http://other.example/api/event HTTP/1.1', 'POST /api/event HTTP/9.9', 'POST /api/event HTTP/1.1 extra', 'POST  /api/event HTTP/1.1', 'POST /api/event\u0000 HTTP/1.1', 'P\u00d6ST /api/event HTTP/1.1', 'POST http://[::1 HTTP/1.1', 'POST /api/event?' + 'q'.repeat(9000) + ' HTTP/1.1', 'POST', ''),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }).map((b) => Buffer.from(b).toString('latin1')) },
);

/** A raw request: a request line, ordinary headers, one to three broken ones, and a beacon body (or a broken chunked one). */
export const rawRequest: fc.Arbitrary<Buffer> = fc
  .tuple(requestLine, fc.array(badHeaderLines, { minLength: 1, maxLength: 3 }), fc.constantFrom('beacon', 'bad chunk', 'none'))
  .map(([line, bad, body]) => {
    const payload = body === 'beacon' ? BEACON : body === 'bad chunk' ? 'zz\r\nxx\r\n0\r\n\r\n' : '';
    const head = [line, 'Host: 127.0.0.1', 'Connection: close', 'Content-Type: application/json', ...bad];
    // Content-Length is given only when no broken header already frames the body.
    if (!bad.some((h) => /content-length|transfer-encoding/i.test(h))) head.push(`Content-Length: ${Buffer.byteLength(payload)}`);
    return Buffer.from(head.join(CRLF) + CRLF + CRLF + payload, 'latin1');
  });

/** Splits what came back on a connection into responses (status, JSON reason), by Content-Length. */
function parseResponses(data: Buffer): RawAnswer['responses'] {
  const out: RawAnswer['responses'] = [];
  let rest = data.toString('latin1');
  while (rest.startsWith('HTTP/1.1 ')) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) break;
    const head = rest.slice(0, end);
    const status = Number(head.slice(9, 12));
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    const body = Buffer.from(rest.slice(end + 4, end + 4 + length), 'latin1').toString('utf8');
    let error: string | undefined;
    try {
      const json: unknown = JSON.parse(body);
      if (typeof json === 'object' && json !== null && typeof (json as { error?: unknown }).error === 'string') error = (json as { error: string }).error;
    } catch {
      // not JSON
    }
    out.push({ status, error });
    rest = rest.slice(end + 4 + length);
  }
  return out;
}

/** Writes `request` on a fresh connection and reads until the server closes it (or `timeoutMs`). */
export function sendRaw(port: number, request: Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ responses: parseResponses(Buffer.concat(chunks)), failure: `the connection was still open after ${timeoutMs} ms` });
    }, timeoutMs);
    socket.on('data', (d) => chunks.push(d));
    // The server may close while we still write (it refused the request line): a reset is fine.
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const responses = parseResponses(Buffer.concat(chunks));
      resolve(responses.length ? { responses } : { responses, failure: 'closed without an answer' });
    });
    socket.end(request);
  });
}

/** Why a raw answer breaks the promise (every response a 202 or a 4xx with a JSON reason), or undefined. */
export function rawProblem(a: RawAnswer): string | undefined {
  if (a.failure) return a.failure;
  const bad = a.responses.find((r) => !(r.status === 202 || (r.status >= 400 && r.status < 500 && typeof r.error === 'string' && r.error.length > 0)));
  return bad ? `answered ${bad.status} ${bad.error ?? '(no JSON reason)'}` : undefined;
}
