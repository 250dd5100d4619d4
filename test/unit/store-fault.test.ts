// The kinds /healthz and the log name for a failed write, from the errors Node, @clickhouse/client
// and ClickHouse actually raise (messages as they print them).
import { expect, it } from 'vitest';
import { classifyStoreError } from '../../collector/store-fault.ts';
import { SpoolFullError } from '../../collector/spool.ts';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

it.each([
  ['Node: server down', coded('connect ECONNREFUSED 10.0.0.5:8123', 'ECONNREFUSED'), 'unreachable'],
  ['Node: connection dropped mid-answer', coded('socket hang up', 'ECONNRESET'), 'unreachable'],
  ['Node: name lookup', coded('getaddrinfo ENOTFOUND clickhouse', 'ENOTFOUND'), 'unreachable'],
  ['@clickhouse/client request_timeout', new Error('Timeout error.'), 'unreachable'],
  ['ClickHouse: NOT_ENOUGH_SPACE', new Error('Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)'), 'disk_full'],
  ['ClickHouse: errno 28', new Error('Code: 74. DB::ErrnoException: Cannot write to file x, errno: 28, strerror: No space left on device. (CANNOT_WRITE_TO_FILE_DESCRIPTOR)'), 'disk_full'],
  ['Node: ENOSPC', coded("ENOSPC: no space left on device, write", 'ENOSPC'), 'disk_full'],
  ['ClickHouse: errno 13', new Error('Code: 76. DB::ErrnoException: Cannot open file x, errno: 13, strerror: Permission denied. (CANNOT_OPEN_FILE)'), 'not_writable'],
  ['Node: EACCES', coded("EACCES: permission denied, open '/data/spool/x.json.tmp'", 'EACCES'), 'not_writable'],
  ['Node: read-only mount', coded("EROFS: read-only file system, open 'x'", 'EROFS'), 'not_writable'],
  ['ClickHouse: anything else', new Error('Code: 60. DB::Exception: Table telmark.ingest_pages does not exist. (UNKNOWN_TABLE)'), 'failing'],
  ['the spool bound', new SpoolFullError(10, 5), 'failing'],
])('%s', (_name, err, kind) => {
  expect(classifyStoreError(err)).toBe(kind);
});
