/**
 * What kind of trouble a failed write to ClickHouse (or to the spool) is, as a fixed word that
 * /healthz and the log may show: the error's own text can name internal hosts and paths, and
 * /healthz is on the public listener.
 */
export type StoreFault = 'unreachable' | 'disk_full' | 'not_writable' | 'failing';

/** `ok`, or the fault of the last failed attempt. */
export type StoreState = 'ok' | StoreFault;

// Node's socket errors (a ClickHouse server that is down, restarting, or behind a dead network),
// and the client's own timeout.
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);
const UNREACHABLE_TEXT = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|socket hang up|Timeout error|request timed? ?out/i;
// Node's ENOSPC/EDQUOT, and ClickHouse's NOT_ENOUGH_SPACE (243) and errno 28 inside a DB::ErrnoException.
const DISK_FULL_TEXT = /ENOSPC|EDQUOT|No space left on device|NOT_ENOUGH_SPACE|not enough space|errno: 28\b/i;
// Permissions or a read-only mount (errno 13 EACCES, 1 EPERM, 30 EROFS); ENOTDIR: the path is not a directory any more.
const NOT_WRITABLE_TEXT = /EACCES|EPERM|EROFS|ENOTDIR|Permission denied|Read-only file system|Not a directory|errno: (13|1|30)\b/i;

export function classifyStoreError(err: unknown): StoreFault {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  const text = `${code} ${err instanceof Error ? err.message : String(err)}`;
  if (UNREACHABLE_CODES.has(code) || UNREACHABLE_TEXT.test(text)) return 'unreachable';
  if (DISK_FULL_TEXT.test(text)) return 'disk_full';
  if (NOT_WRITABLE_TEXT.test(text)) return 'not_writable';
  return 'failing';
}

/** The fault in words, for the one log line a change of state gets. */
export function describeStoreFault(fault: StoreFault): string {
  switch (fault) {
    case 'unreachable':
      return 'ClickHouse is unreachable';
    case 'disk_full':
      return "ClickHouse's disk is full";
    case 'not_writable':
      return "ClickHouse's data directory is not writable";
    case 'failing':
      return 'ClickHouse refuses inserts';
  }
}
