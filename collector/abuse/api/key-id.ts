import { createHash } from 'node:crypto';

/**
 * A name for an API key that audit entries and logs can carry: the first 8 hex digits of its
 * SHA-256. Enough to tell an operator's keys apart, useless for guessing the key itself.
 */
export function keyId(key: string): string {
  return 'key-' + createHash('sha256').update(key).digest('hex').slice(0, 8);
}
