// Reading settings from the environment. Every setting has a safe default; a bad value stops
// start-up with one line that names the variable and what is expected (ConfigError.message).

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(variable: string, expected: string, got: string) {
    super(`${variable}=${JSON.stringify(got)} is invalid: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

function raw(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export function str(env: Env, name: string, fallback: string): string {
  return raw(env, name) ?? fallback;
}

export function optionalStr(env: Env, name: string): string | undefined {
  return raw(env, name);
}

export function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const v = raw(env, name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigError(name, `a whole number from ${min} to ${max}`, v);
  }
  return n;
}

export function port(env: Env, name: string, fallback: number): number {
  return int(env, name, fallback, 0, 65535);
}

/** Comma-separated list; empty entries ignored. */
export function list(env: Env, name: string, fallback: string[] = []): string[] {
  const v = raw(env, name);
  if (v === undefined) return fallback;
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}
