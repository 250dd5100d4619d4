import type { AbuseGate } from '../app.ts';
import { resolveClientIp, type HeaderReader, type TrustedProxies } from '../ip/client-ip.ts';
import { addressKey } from './address.ts';
import type { AbuseBuffer } from './buffer.ts';

/** The HTTP layer's view of the abuse buffer: refuse flagged clients, count invalid requests. */
export function abuseGate(buffer: AbuseBuffer, trusted: TrustedProxies): AbuseGate {
  const key = (peer: string | undefined, headers: HeaderReader) => {
    const ip = resolveClientIp(peer, headers, trusted);
    return ip ? addressKey(ip) : null;
  };
  return {
    refuse(peer, headers) {
      // Nearly always nothing is flagged: then no request pays for resolving its address twice.
      if (buffer.flaggedCount === 0) return undefined;
      const k = key(peer, headers);
      return k ? buffer.flaggedVerdict(k)?.retryAfterS : undefined;
    },
    noteInvalid(peer, headers) {
      const k = key(peer, headers);
      if (k) buffer.recordInvalid(k);
    },
  };
}
