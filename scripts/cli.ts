// What the operator CLIs (`npm run users`, `npm run spend`) share: option parsing, the two kinds
// of error they print whole, and opening the store themselves (migrated, as the services would).
import { checkStore, openStore, type Store } from '../schema/client.ts';
import { storageConfig, type StorageConfig } from '../schema/config.ts';
import type { Env } from '../schema/env.ts';
import { migrate } from '../schema/migrate.ts';
import { retentionConfig } from '../schema/retention.ts';

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {}
/** A message for the operator that must reach them whole (errorLine would shorten it). */
export class PlainError extends Error {}

/** The value after `name` (`--site example.com`), if the option is there. */
export function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
  return v;
}

export function required(args: string[], name: string): string {
  const v = option(args, name);
  if (v === undefined) throw new UsageError(`${name} is required`);
  return v;
}

/**
 * Opens and migrates the store named by the environment. Embedded chDB admits one process per
 * data directory: while telmark runs, the refusal says what to do instead (`whileRunning`).
 */
export async function openCliStore(env: Env, whileRunning: string): Promise<{ store: Store; storage: StorageConfig }> {
  const storage = storageConfig(env);
  let store: Store | undefined;
  try {
    store = openStore(storage);
    await checkStore(store, storage);
  } catch (err) {
    await store?.close().catch(() => {});
    if (storage.mode === 'embedded') throw new PlainError(`${err instanceof Error ? err.message : String(err)} ${whileRunning}`);
    throw err;
  }
  await migrate(store, { ...retentionConfig(env) });
  return { store, storage };
}
