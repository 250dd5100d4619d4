import { ConfigError, list, type Env } from '../../../schema/env.ts';

/**
 * COLLECTOR_ADMIN_URLS: the collectors' admin listeners the security API fans out to, as base
 * URLs without a trailing slash. Empty means embedded mode (the collector in this process).
 * (SECURITY_API_KEYS is read by schema/api-keys.ts.)
 */
export function collectorAdminUrls(env: Env): string[] {
  return list(env, 'COLLECTOR_ADMIN_URLS').map((raw) => {
    let u: URL | undefined;
    try {
      u = new URL(raw);
    } catch {
      // reported below
    }
    if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash || u.username || u.password) {
      // A URL with user:password@ must not be echoed to a terminal or log.
      const shown = raw.includes('@') ? '(a URL with credentials)' : raw;
      throw new ConfigError('COLLECTOR_ADMIN_URLS', 'comma-separated collector admin base URLs without credentials, e.g. http://10.0.0.5:8002', shown);
    }
    return (u.origin + u.pathname).replace(/\/+$/, '');
  });
}
