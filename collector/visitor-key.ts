import { createHmac } from 'node:crypto';

/**
 * hash(daily salt, site, truncated IP, user agent, accept-language), 64 bits as a decimal string
 * (it travels as ClickHouse UInt64). The full IP never enters it: visitors behind one /24 with the
 * same browser and language merge, an undercount the README measures.
 */
export function visitorKey(salt: Buffer, site: string, truncatedIp: string, userAgent: string, acceptLanguage: string): string {
  const digest = createHmac('sha256', salt)
    .update(site)
    .update('\x1f')
    .update(truncatedIp)
    .update('\x1f')
    .update(userAgent)
    .update('\x1f')
    .update(acceptLanguage)
    .digest();
  return digest.readBigUInt64BE(0).toString();
}
