import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';
import pLimit from 'p-limit';
import type { ClickHouseTls, StorageConfig } from './config.ts';
import { errorLine } from './errors.ts';

export type { ClickHouseClient };

export interface Store {
  client: ClickHouseClient;
  /** Database name; identifiers are checked at config time, so it is safe to splice into SQL. */
  db: string;
  mode: StorageConfig['mode'];
  /** `db.table`, the only way table names reach SQL. */
  table(name: string): string;
  close(): Promise<void>;
}

/**
 * The one place that knows whether aggregates live in embedded chDB or a ClickHouse server.
 * chDB binds its data directory to the process: a second process opening the same directory
 * fails with "Cannot lock file .../status", which we turn into a plain sentence.
 */
export function openStore(config: StorageConfig): Store {
  let client: ClickHouseClient;
  if (config.mode === 'embedded') {
    const path = join(config.dataDir, 'chdb');
    mkdirSync(path, { recursive: true });
    try {
      // chdb types its connection against its own copy of @clickhouse/client-common; the shapes
      // are the same, the declarations are not, hence the cast.
      const connection = createChdbConnection({ path }) as unknown as NonNullable<Parameters<typeof createClient>[0]>['connection'];
      client = createClient({ connection: limitConcurrency(connection!, EMBEDDED_QUERY_CONCURRENCY) });
    } catch (err) {
      throw explainChdbError(err, path);
    }
  } else {
    client = createClient({
      url: config.url,
      username: config.username,
      password: config.password,
      database: config.database,
      request_timeout: 30_000,
      ...(config.tls ? { tls: clientTls(config.tls) } : {}),
    });
  }
  return {
    client,
    db: config.database,
    mode: config.mode,
    table: (name) => `${config.database}.${name}`,
    close: () => client.close(),
  };
}

/**
 * chDB runs each statement on a thread of Node's libuv pool (4 threads by default), the pool that
 * also reads files (the dashboard's static files), hashes passwords (argon2) and resolves names.
 * A dashboard page fires a dozen Stats queries at once; unlimited, they took every thread, and a
 * page reload under load waited for its scripts behind them. Three at a time leaves one thread
 * always free, and lets the three statements of the costliest Stats answer (a campaign's traffic,
 * its denominators and its spend) run together: at two, the goal queries' p50 rose by a third in
 * the stats benchmark. Statements past the limit wait in a queue, one entry per call in flight
 * (bounded by the requests being served).
 */
export const EMBEDDED_QUERY_CONCURRENCY = 3;

type Connection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

function limitConcurrency(connection: Connection, concurrency: number): Connection {
  const limit = pLimit(concurrency);
  const limited = new Set(['query', 'exec', 'command', 'insert', 'ping']);
  // A Proxy, not a subclass: chDB's connection keeps private fields, so every method must run
  // with the real connection as `this`.
  return new Proxy(connection, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function') return value;
      const bound = (value as (...args: unknown[]) => unknown).bind(target);
      return typeof prop === 'string' && limited.has(prop) ? (...args: unknown[]) => limit(() => bound(...args) as Promise<unknown>) : bound;
    },
  });
}

/**
 * @clickhouse/client's `tls` option. Its mutual form needs a CA too: without CLICKHOUSE_CA that
 * is Node's own list of public CAs, the same a plain https:// URL is checked against.
 */
function clientTls(tls: ClickHouseTls): NonNullable<NonNullable<Parameters<typeof createClient>[0]>['tls']> {
  const ca_cert = tls.ca ?? Buffer.from(rootCertificates.join('\n'));
  return tls.cert && tls.key ? { ca_cert, cert: tls.cert, key: tls.key } : { ca_cert };
}

/**
 * Runs a trivial query so a store that cannot be used fails here, with a plain sentence, rather
 * than half-way through start-up (chDB reports a locked directory only on first use).
 */
export async function checkStore(store: Store, config: StorageConfig): Promise<void> {
  try {
    await store.client.query({ query: 'SELECT 1', format: 'JSONEachRow' });
  } catch (err) {
    if (config.mode === 'embedded') throw explainChdbError(err, join(config.dataDir, 'chdb'));
    throw new Error(`ClickHouse at ${config.url} is not reachable: ${errorLine(err)}`);
  }
}

export function explainChdbError(err: unknown, path: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (/Cannot lock file|Failed to create connection for path/i.test(message)) {
    return new Error(
      `The embedded ClickHouse data directory ${path} is in use by another telmark process. ` +
        'Stop it first (it applies migrations itself at start), or use a ClickHouse server via CLICKHOUSE_URL.',
    );
  }
  return err instanceof Error ? err : new Error(message);
}
