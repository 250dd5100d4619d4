// The second factor: TOTP (RFC 6238: SHA-1, 6 digits, 30 s, one step either side) with otpauth,
// every code accepted once (the last accepted step is kept per user), and ten single-use recovery
// codes stored as SHA-256 hashes (80 random bits each, so an unsalted fast hash is safe).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as OTPAuth from 'otpauth';

const PERIOD_S = 30;
const ISSUER = 'telmark';
export const RECOVERY_CODE_COUNT = 10;

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

function totp(secret: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD_S, secret: OTPAuth.Secret.fromBase32(secret) });
}

/** The otpauth:// URI an authenticator app scans (as a QR code the dashboard draws locally). */
export function otpauthUri(secret: string, email: string): string {
  return totp(secret, email).toString();
}

/**
 * The time step a code belongs to if it is valid now (±1 step) and newer than `lastStep`, else
 * null. otpauth compares codes in constant time.
 */
export function acceptTotp(secret: string, code: string, now: number, lastStep: number): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totp(secret, ISSUER).validate({ token, timestamp: now, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(now / 1000 / PERIOD_S) + delta;
  return step > lastStep ? step : null;
}

const BASE32 = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // no I, O, 0, 1: read off paper without confusion

/** Ten codes like "K7QX-M2RT-9HWB-C4NZ" (16 symbols of 5 bits = 80 bits). */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(16);
    const symbols = [...bytes].map((b) => BASE32[b & 31]).join('');
    return symbols.match(/.{4}/g)!.join('-');
  });
}

export function looksLikeRecoveryCode(text: string): boolean {
  return /^[A-Za-z0-9]{4}(-?[A-Za-z0-9]{4}){3}$/.test(text.trim());
}

export function hashRecoveryCode(code: string): string {
  const canonical = code.trim().toUpperCase().replace(/-/g, '');
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * The index of the stored hash that `code` matches, or -1. Every stored hash is compared, in
 * constant time, whatever matches.
 */
export function matchRecoveryCode(stored: readonly string[], code: string): number {
  const candidate = Buffer.from(hashRecoveryCode(code), 'hex');
  let found = -1;
  stored.forEach((h, i) => {
    const b = Buffer.from(h, 'hex');
    if (b.length === candidate.length && timingSafeEqual(b, candidate) && found === -1) found = i;
  });
  return found;
}
