// Password hashing and the password policy (ASVS 5.0 V6). argon2id with the OWASP parameters
// (m = 19 MiB, t = 2, p = 1); strength judged by zxcvbn-ts with its common-password and English
// dictionaries: a password is refused below score 3 of 4 (guessable within about 10^8 guesses,
// e.g. "password1234", "qwertyuiop12", "alice@example.com1"), whatever character classes it has.
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;
/** zxcvbn scores 0–4; below 3 is "guessable within about 10^8 guesses" and refused. */
export const MIN_PASSWORD_SCORE = 3;

const ARGON2 = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

/**
 * A hash of a random password, verified against when the email is unknown, so an unknown account
 * costs the same time as a known one with a wrong password (no account enumeration by timing).
 */
let dummy: Promise<string> | undefined;
function dummyHash(): Promise<string> {
  return (dummy ??= hash(crypto.randomUUID(), ARGON2));
}

/** Makes the dummy hash now (at start), so not even the first unknown email costs an extra hash. */
export function prepareDummyHash(): void {
  void dummyHash();
}

/** Verifies against `stored`, or against the dummy hash when there is none; false on any malformed hash. */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  const target = stored || (await dummyHash());
  try {
    // Longer than any password we accept: still one verification, never a match.
    const ok = await verify(target, password);
    return ok && Boolean(stored) && [...password].length <= MAX_PASSWORD_LENGTH;
  } catch {
    return false;
  }
}

let zxcvbn: ZxcvbnFactory | undefined;
function estimator(): ZxcvbnFactory {
  // Built on first use: the dictionaries take ~200 ms to rank.
  return (zxcvbn ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  }));
}

/**
 * Why `password` is refused, or null when it is acceptable. `context` holds words the password
 * must not lean on (the email, "telmark").
 */
export function passwordProblem(password: unknown, context: string[] = []): string | null {
  if (typeof password !== 'string') return 'password must be a string';
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const inputs = [...context, ...context.flatMap((c) => c.split(/[@._+-]/)), 'telmark'].filter((w) => w.length >= 3);
  const result = estimator().check(password, inputs);
  const whole = result.sequence.find((m) => m.pattern === 'dictionary' && m.dictionaryName === 'passwords-common' && m.token.length === password.length);
  if (whole) return 'this is a common password: choose another (a few unrelated words make a strong one)';
  if (result.score < MIN_PASSWORD_SCORE) {
    const why = result.feedback.warning ?? 'it would be guessed too easily';
    const hint = result.feedback.suggestions[0];
    return `this password is too weak: ${why.replace(/\.$/, '')}${hint ? `. ${hint}` : ''}`;
  }
  return null;
}
