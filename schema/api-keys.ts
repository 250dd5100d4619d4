// API keys for both services. Stats keys open the Stats API (aggregates); security keys open the
// abuse buffer (full IP addresses) on the collectors' admin listeners and the dashboard's proxy.
// Both services read both lists: each must tell a security key from a stats key, so that a stats
// key on a security route gets a clear 403 rather than a bare 401.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, list, type Env } from './env.ts';

export const MIN_API_KEY_LENGTH = 16;

export interface ApiKeys {
  statsApiKeys: string[];
  securityApiKeys: string[];
  /** True when STATS_API_KEYS was unset and the key came from (or was written to) DATA_DIR/stats-api-key. */
  generatedStatsKey: boolean;
  /** True when SECURITY_API_KEYS was unset and the key came from DATA_DIR/security-api-key. */
  generatedSecurityKey: boolean;
  /** Where the generated keys live (set only for generated ones). */
  statsKeyFile?: string;
  securityKeyFile?: string;
}

export const STATS_KEY_FILE = 'stats-api-key';
export const SECURITY_KEY_FILE = 'security-api-key';

/**
 * A secret kept in DATA_DIR/<name> (mode 600), created with `bytes` random bytes on first use so
 * that `npm start` works with nothing configured. Created with O_EXCL: two processes starting on
 * one DATA_DIR end up with the same secret.
 */
export function generatedSecret(dataDir: string, name: string, bytes: number, variable: string, minLength: number): string {
  const file = join(dataDir, name);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, randomBytes(bytes).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < minLength) {
    // The file's content is a secret: never echo it.
    throw new ConfigError(variable, `at least ${minLength} characters in ${file} (delete the file to generate a new one, or set ${variable})`, '(unset)');
  }
  return secret;
}

function keyList(env: Env, variable: string): string[] {
  const keys = list(env, variable);
  for (const k of keys) {
    // Only the first characters: the message goes to a terminal or a log.
    if (k.length < MIN_API_KEY_LENGTH) throw new ConfigError(variable, `comma-separated keys of at least ${MIN_API_KEY_LENGTH} characters`, `${k.slice(0, 3)}…`);
  }
  return keys;
}

/**
 * STATS_API_KEYS and SECURITY_API_KEYS, each generated into DATA_DIR when unset. A key in both
 * lists is refused: it would let whoever reads aggregates also read full IP addresses.
 */
export function loadApiKeys(env: Env, dataDir: string): ApiKeys {
  let statsApiKeys = keyList(env, 'STATS_API_KEYS');
  let securityApiKeys = keyList(env, 'SECURITY_API_KEYS');
  const out: ApiKeys = { statsApiKeys, securityApiKeys, generatedStatsKey: false, generatedSecurityKey: false };
  if (statsApiKeys.length === 0) {
    statsApiKeys = [generatedSecret(dataDir, STATS_KEY_FILE, 24, 'STATS_API_KEYS', MIN_API_KEY_LENGTH)];
    Object.assign(out, { statsApiKeys, generatedStatsKey: true, statsKeyFile: join(dataDir, STATS_KEY_FILE) });
  }
  if (securityApiKeys.length === 0) {
    securityApiKeys = [generatedSecret(dataDir, SECURITY_KEY_FILE, 32, 'SECURITY_API_KEYS', MIN_API_KEY_LENGTH)];
    Object.assign(out, { securityApiKeys, generatedSecurityKey: true, securityKeyFile: join(dataDir, SECURITY_KEY_FILE) });
  }
  const stats = new Set(statsApiKeys);
  const shared = securityApiKeys.find((k) => stats.has(k));
  if (shared !== undefined) {
    throw new ConfigError('SECURITY_API_KEYS', 'keys that are not also in STATS_API_KEYS (a stats key must never open full IP addresses)', `${shared.slice(0, 3)}…`);
  }
  return out;
}
