import { hash } from 'node:crypto';

/**
 * hash(daily salt, site, truncated IP, user agent, accept-language), 64 bits as a decimal string
 * (it travels as ClickHouse UInt64). The full IP never enters it: visitors behind one /24 with the
 * same browser and language merge, an undercount the README measures.
 *
 * SHA-256 over the secret salt followed by the fields: a keyed hash without HMAC's second pass
 * (2.7x faster on the beacon path). Length extension, HMAC's reason to exist, does not matter
 * here: nobody verifies these keys, and the salt is never known outside this process.
 */
export function visitorKey(salt: Buffer, site: string, truncatedIp: string, userAgent: string, acceptLanguage: string): string {
  const digest = hash('sha256', `${saltText(salt)}\x1f${site}\x1f${truncatedIp}\x1f${userAgent}\x1f${acceptLanguage}`, 'buffer') as Buffer;
  return digest.readBigUInt64BE(0).toString();
}

// The salt changes once a day; its hex form is computed once per salt, not per event.
let lastSalt: Buffer | undefined;
let lastSaltText = '';
function saltText(salt: Buffer): string {
  if (salt !== lastSalt) {
    lastSalt = salt;
    lastSaltText = salt.toString('hex');
  }
  return lastSaltText;
}
