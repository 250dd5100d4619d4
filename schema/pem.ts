// PEM files named by settings (certificates, private keys, CAs), read once at start so that a
// wrong path or a file of the wrong kind stops start-up with one line naming the variable. The
// contents are never printed: a private key in an error message would end up in a log.
import { readFileSync } from 'node:fs';
import { ConfigError, optionalStr, type Env } from './env.ts';

export type PemKind = 'certificate' | 'private key';

const MARKERS: Record<PemKind, RegExp> = {
  certificate: /-----BEGIN CERTIFICATE-----/,
  'private key': /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
};

/** The PEM file the variable names (undefined when unset), checked to hold a `kind`. */
export function pemFile(env: Env, name: string, kind: PemKind): Buffer | undefined {
  const path = optionalStr(env, name);
  if (path === undefined) return undefined;
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch {
    throw new ConfigError(name, 'a readable PEM file', path);
  }
  if (!MARKERS[kind].test(pem.toString('latin1'))) {
    throw new ConfigError(name, kind === 'certificate' ? 'a PEM certificate (-----BEGIN CERTIFICATE-----)' : 'a PEM private key (never printed)', path);
  }
  return pem;
}

/** A certificate (chain) and its private key: both variables or neither. */
export function certAndKey(env: Env, certVar: string, keyVar: string): { cert: Buffer; key: Buffer } | undefined {
  const certSet = optionalStr(env, certVar) !== undefined;
  const keySet = optionalStr(env, keyVar) !== undefined;
  if (!certSet && !keySet) return undefined;
  if (!certSet) throw new ConfigError(certVar, `the PEM certificate (chain) file that goes with ${keyVar}`, '(unset)');
  if (!keySet) throw new ConfigError(keyVar, `the PEM private key file that goes with ${certVar}`, '(unset)');
  return { cert: pemFile(env, certVar, 'certificate')!, key: pemFile(env, keyVar, 'private key')! };
}
