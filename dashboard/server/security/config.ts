import { ConfigError, list, optionalStr, type Env } from '../../../schema/env.ts';
import { certAndKey, pemFile } from '../../../schema/pem.ts';

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

/** How the dashboard checks (and proves itself to) collectors' admin listeners over https://. */
export interface CollectorAdminTls {
  /** COLLECTOR_ADMIN_CA: the CA that signed the listeners' certificates (unset: the system's CAs). */
  ca?: Buffer;
  /** COLLECTOR_ADMIN_CLIENT_CERT / _KEY: shown to listeners that demand one (COLLECTOR_ADMIN_CLIENT_CA). */
  cert?: Buffer;
  key?: Buffer;
}

const ADMIN_TLS_VARIABLES = ['COLLECTOR_ADMIN_CA', 'COLLECTOR_ADMIN_CLIENT_CERT', 'COLLECTOR_ADMIN_CLIENT_KEY'] as const;

/**
 * COLLECTOR_ADMIN_CA and COLLECTOR_ADMIN_CLIENT_CERT / _KEY; undefined when none is set (then
 * https:// admin URLs are checked against the system's CAs). Set with no https:// URL they would
 * protect nothing, so that stops start-up.
 */
export function collectorAdminTls(env: Env, urls: string[]): CollectorAdminTls | undefined {
  const set = ADMIN_TLS_VARIABLES.find((name) => optionalStr(env, name) !== undefined);
  if (!set) return undefined;
  if (!urls.some((u) => u.startsWith('https:'))) {
    throw new ConfigError(set, 'https:// COLLECTOR_ADMIN_URLS beside it (collectors speak TLS with COLLECTOR_ADMIN_TLS_CERT / _KEY)', optionalStr(env, set)!);
  }
  const ca = pemFile(env, 'COLLECTOR_ADMIN_CA', 'certificate');
  const client = certAndKey(env, 'COLLECTOR_ADMIN_CLIENT_CERT', 'COLLECTOR_ADMIN_CLIENT_KEY');
  return { ...(ca ? { ca } : {}), ...client };
}
