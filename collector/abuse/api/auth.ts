import { createHash, timingSafeEqual } from 'node:crypto';

/** The token of an `Authorization: Bearer <token>` header; undefined for any other form. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : /^Bearer +(\S+) *$/i.exec(header)?.[1];
}

/**
 * A membership test for API keys that takes the same time whichever key (if any) matches and
 * however much of it matches: both sides are hashed to equal length, compared in constant time,
 * and every configured key is compared, without stopping at the first hit.
 */
export function keyMatcher(keys: string[]): (candidate: string) => boolean {
  const digests = keys.map(digest);
  return (candidate) => {
    const d = digest(candidate);
    let hit = false;
    for (const k of digests) hit = timingSafeEqual(k, d) || hit;
    return hit;
  };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
