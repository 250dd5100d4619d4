import { parseIpParam } from './address.ts';
import type { AbuseBuffer } from './buffer.ts';
import type { AbuseOperations } from './types.ts';

/**
 * The buffer in this process as AbuseOperations (embedded mode, and a collector's admin listener).
 * The buffer keys entries by canonical text only; callers may pass any spelling of an address
 * (2001:0db8::0001, ::ffff:203.0.113.7), so it is normalised here. Text that is not an address is
 * simply not held.
 */
export function localAbuseOperations(buffer: AbuseBuffer): AbuseOperations {
  return {
    flagged: (page, limit) => buffer.flagged(page, limit),
    get: (ip) => {
      const key = parseIpParam(ip);
      return key === null ? undefined : buffer.get(key);
    },
    erase: (ip) => {
      const key = parseIpParam(ip);
      return key === null ? false : buffer.erase(key);
    },
    summary: () => buffer.summary(),
  };
}
