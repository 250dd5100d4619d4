// Referrer-spam check over tables/spam-hosts.ts: one Set lookup per host label plus a few
// precompiled patterns.
import { SPAM_HOSTS, SPAM_HOST_PATTERNS } from './tables/spam-hosts.js';
import { normalizeHost } from './source.js';

const spamHosts: ReadonlySet<string> = new Set(SPAM_HOSTS.map((h) => h.toLowerCase()));

/** True when the host, or a parent domain of it, is known referrer spam. */
export function isSpamHost(host: string): boolean {
  const h = normalizeHost(host);
  if (h === '') return false;
  for (let rest = h; ; ) {
    if (spamHosts.has(rest)) return true;
    const dot = rest.indexOf('.');
    if (dot < 0) break;
    rest = rest.slice(dot + 1);
  }
  return SPAM_HOST_PATTERNS.some((p) => p.test(h));
}
