import { resolve } from 'node:path';
import { ConfigError, optionalStr, str, type Env } from './env.ts';
import { certAndKey, pemFile } from './pem.ts';

/** Where aggregates live: embedded chDB under DATA_DIR, or a ClickHouse server at CLICKHOUSE_URL. */
export type StorageConfig =
  | { mode: 'embedded'; dataDir: string; database: string }
  | { mode: 'server'; dataDir: string; url: string; username: string; password: string; database: string; tls?: ClickHouseTls };

/**
 * TLS towards a ClickHouse server (an https:// CLICKHOUSE_URL): the private CA that signed the
 * server's certificate (CLICKHOUSE_CA; unset: the system's CAs), and a client certificate and key
 * for mutual TLS (CLICKHOUSE_CERT / CLICKHOUSE_KEY).
 */
export interface ClickHouseTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

const TLS_VARIABLES = ['CLICKHOUSE_CA', 'CLICKHOUSE_CERT', 'CLICKHOUSE_KEY'] as const;

/** A plain ClickHouse identifier: safe to splice into DDL, where names cannot be query parameters. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

export function storageConfig(env: Env): StorageConfig {
  const dataDir = resolve(str(env, 'DATA_DIR', './data'));
  const database = str(env, 'CLICKHOUSE_DATABASE', 'telmark');
  // The database name is spliced into DDL (it cannot be a query parameter there), so it must be an identifier.
  if (!IDENTIFIER.test(database)) {
    throw new ConfigError('CLICKHOUSE_DATABASE', 'an identifier (letters, digits, underscore)', database);
  }
  const url = optionalStr(env, 'CLICKHOUSE_URL');
  // A CA or client certificate without an https:// server would silently protect nothing.
  const tlsSet = TLS_VARIABLES.find((name) => optionalStr(env, name) !== undefined);
  if (!url) {
    if (tlsSet) throw new ConfigError(tlsSet, 'to be unset without CLICKHOUSE_URL (embedded chDB needs no TLS), or an https:// CLICKHOUSE_URL beside it', optionalStr(env, tlsSet)!);
    return { mode: 'embedded', dataDir, database };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('CLICKHOUSE_URL', 'an http(s) URL such as http://localhost:8123', url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError('CLICKHOUSE_URL', 'an http(s) URL such as http://localhost:8123', url);
  }
  if (tlsSet && parsed.protocol !== 'https:') {
    throw new ConfigError(tlsSet, 'an https:// CLICKHOUSE_URL beside it (CLICKHOUSE_URL is http://, so nothing would be encrypted)', optionalStr(env, tlsSet)!);
  }
  const password = env.CLICKHOUSE_PASSWORD ?? '';
  const clientCert = certAndKey(env, 'CLICKHOUSE_CERT', 'CLICKHOUSE_KEY');
  // With a client certificate, @clickhouse/client asks ClickHouse to identify the user by it
  // (X-ClickHouse-SSL-Certificate-Auth: on); such users have no password, so one set beside it
  // is a mistake better named now than met as an authentication error from the server.
  if (clientCert && password !== '') {
    throw new ConfigError('CLICKHOUSE_PASSWORD', 'empty when CLICKHOUSE_CERT is set (ClickHouse then identifies the user by the certificate: IDENTIFIED WITH ssl_certificate)', '(set, not shown)');
  }
  const ca = pemFile(env, 'CLICKHOUSE_CA', 'certificate');
  return {
    mode: 'server',
    dataDir,
    url: parsed.origin + parsed.pathname.replace(/\/$/, ''),
    username: str(env, 'CLICKHOUSE_USER', 'default'),
    password,
    database,
    ...(ca || clientCert ? { tls: { ca, ...clientCert } } : {}),
  };
}
