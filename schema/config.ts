import { resolve } from 'node:path';
import { ConfigError, optionalStr, str, type Env } from './env.ts';

/** Where aggregates live: embedded chDB under DATA_DIR, or a ClickHouse server at CLICKHOUSE_URL. */
export type StorageConfig =
  | { mode: 'embedded'; dataDir: string; database: string }
  | { mode: 'server'; dataDir: string; url: string; username: string; password: string; database: string };

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
  if (!url) return { mode: 'embedded', dataDir, database };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('CLICKHOUSE_URL', 'an http(s) URL such as http://localhost:8123', url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError('CLICKHOUSE_URL', 'an http(s) URL such as http://localhost:8123', url);
  }
  return {
    mode: 'server',
    dataDir,
    url: parsed.origin + parsed.pathname.replace(/\/$/, ''),
    username: str(env, 'CLICKHOUSE_USER', 'default'),
    password: env.CLICKHOUSE_PASSWORD ?? '',
    database,
  };
}
