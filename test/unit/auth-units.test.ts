// dashboard/server/auth without ClickHouse or HTTP: the sign-in throttle on a fake clock, the
// password policy and hashing, TOTP and recovery codes, the secret box, and the roles table.
import { readFileSync } from 'node:fs';
import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { hashPassword, MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, passwordProblem, verifyPassword } from '../../dashboard/server/auth/passwords.ts';
import { LIFETIMES, lifetimeOf, permissionsOf, requiresTotp, ROLE_NAMES, ROLES, type Role } from '../../dashboard/server/auth/roles.ts';
import { SecretBox } from '../../dashboard/server/auth/secret-box.ts';
import { LoginThrottle, THROTTLE } from '../../dashboard/server/auth/throttle.ts';
import { acceptTotp, hashRecoveryCode, looksLikeRecoveryCode, matchRecoveryCode, newRecoveryCodes, newTotpSecret, RECOVERY_CODE_COUNT } from '../../dashboard/server/auth/totp.ts';
import { T0 } from '../helpers/telmark.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** A throttle on a clock the test moves. */
function throttleAt(start = T0) {
  const clock = { ms: start };
  const throttle = new LoginThrottle(() => clock.ms);
  return { clock, throttle, advance: (ms: number) => void (clock.ms += ms) };
}

describe('LoginThrottle', () => {
  const ACC = 'ada@example.com';
  const NET = '203.0.113.0/24';

  it('lets 4 failures through, blocks at the 5th for about a minute, and lets the account try again after it', () => {
    const { throttle, advance } = throttleAt();
    for (let i = 0; i < 4; i++) {
      throttle.failed(ACC, NET);
      expect(throttle.retryAfter(ACC, NET), `after failure ${i + 1}`).toBe(0);
      advance(10 * SECOND);
    }
    throttle.failed(ACC, NET);
    expect(throttle.retryAfter(ACC, NET)).toBe(THROTTLE.baseDelayMs / SECOND);
    expect(THROTTLE.baseDelayMs).toBe(60 * SECOND);
    advance(59 * SECOND);
    expect(throttle.retryAfter(ACC, NET)).toBe(1);
    advance(1 * SECOND);
    expect(throttle.retryAfter(ACC, NET)).toBe(0);
  });

  it('doubles the wait with every further failure (1, 2, 4, 8 … minutes), capped at one hour', () => {
    const { throttle, advance } = throttleAt();
    for (let i = 0; i < 4; i++) throttle.failed(ACC, NET);
    const waits: number[] = [];
    for (let i = 0; i < 9; i++) {
      throttle.failed(ACC, NET);
      waits.push(throttle.retryAfter(ACC, NET));
      advance(1 * SECOND);
    }
    expect(waits).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1]!);
    expect(Math.max(...waits)).toBe(THROTTLE.maxDelayMs / SECOND);
  });

  it('forgets failures older than 15 minutes for the doubling rule', () => {
    const { throttle, advance } = throttleAt();
    for (let i = 0; i < 4; i++) throttle.failed(ACC, NET);
    advance(15 * MINUTE);
    throttle.failed(ACC, NET);
    expect(throttle.retryAfter(ACC, NET)).toBe(0);
  });

  it('a success clears the account, not the network', () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < 5; i++) throttle.failed(ACC, NET);
    expect(throttle.retryAfter(ACC, NET)).toBe(60);
    throttle.succeeded(ACC);
    // The account itself may try again from elsewhere…
    expect(throttle.retryAfter(ACC, '198.51.100.0/24')).toBe(0);
    // …but the network that failed five times is still blocked, for this account too.
    expect(throttle.retryAfter(ACC, NET)).toBe(60);
    expect(throttle.retryAfter('someone-else@example.com', NET)).toBe(60);
  });

  it('a network that fails against many accounts is blocked for every account (password spraying)', () => {
    const { throttle } = throttleAt();
    for (let i = 0; i < 5; i++) {
      throttle.failed(`victim${i}@example.com`, NET);
    }
    // No single account has reached 5, but the network has.
    expect(throttle.retryAfter('victim0@example.com', '198.51.100.0/24')).toBe(0);
    expect(throttle.retryAfter('untouched@example.com', NET)).toBe(60);
    expect(throttle.retryAfter('untouched@example.com', '198.51.100.0/24')).toBe(0);
  });

  it('an account takes at most 100 failures an hour, however they are spread over networks and 15-minute windows', () => {
    const { throttle, clock, advance } = throttleAt();
    const start = clock.ms;
    // 96 at once (each from another network): the doubling rule blocks for an hour from the last…
    for (let i = 0; i < 96; i++) throttle.failed(ACC, `net-a-${i}`);
    expect(throttle.retryAfter(ACC, 'net-x')).toBe(3600);
    // …but only while they are within 15 minutes; after that the doubling rule has forgotten them.
    advance(15 * MINUTE + SECOND);
    expect(throttle.retryAfter(ACC, 'net-x')).toBe(0);
    // Four more (fewer than 5 in 15 minutes) reach 100 in the hour: blocked until the oldest is an hour old.
    for (let i = 0; i < 4; i++) throttle.failed(ACC, `net-b-${i}`);
    const wait = throttle.retryAfter(ACC, 'net-y');
    expect(wait).toBe(Math.ceil((start + HOUR - clock.ms) / SECOND));
    expect(wait).toBeGreaterThan(40 * 60);
    // The networks, each with one failure, are not blocked: the cap is per account.
    expect(throttle.retryAfter('other@example.com', 'net-b-0')).toBe(0);
    clock.ms = start + HOUR;
    expect(throttle.retryAfter(ACC, 'net-y')).toBe(0);
  });

  it('keeps at most THROTTLE.maxKeys accounts and networks (least recently failed evicted)', () => {
    const { throttle } = throttleAt();
    const n = THROTTLE.maxKeys + 500;
    for (let i = 0; i < n; i++) throttle.failed(`made-up-${i}@example.com`, `net-${i}`);
    expect(throttle.size).toEqual({ accounts: THROTTLE.maxKeys, networks: THROTTLE.maxKeys });
    // A blocked network stays blocked when it keeps failing, whatever the flood did to the account map.
    const { throttle: t2 } = throttleAt();
    for (let i = 0; i < 5; i++) t2.failed(`x${i}@example.com`, 'attacker-net');
    for (let i = 0; i < n; i++) t2.failed(`made-up-${i}@example.com`, 'attacker-net');
    expect(t2.size.networks).toBe(1);
    expect(t2.size.accounts).toBe(THROTTLE.maxKeys);
    expect(t2.retryAfter('anyone@example.com', 'attacker-net')).toBe(3600);
  });
});

describe('passwordProblem', () => {
  const EMAIL = 'zorvath.quenby@example.com';

  it(`refuses fewer than ${MIN_PASSWORD_LENGTH} and more than ${MAX_PASSWORD_LENGTH} characters (counted as characters, not bytes)`, () => {
    expect(passwordProblem('a-b-c-d-e-f')).toBe('password must be at least 12 characters');
    expect(passwordProblem('x'.repeat(257))).toBe('password must be at most 256 characters');
    expect(passwordProblem(12345678901234)).toBe('password must be a string');
    // 12 emoji are 12 characters (24 UTF-16 units): long enough, judged on strength.
    expect(String(passwordProblem('🦊🐙🌵🎻🚲🧭🪁🍋🛶🧊🎲🪴'))).not.toMatch(/at least/);
    expect(passwordProblem('🦊🐙🌵🎻🚲🧭🪁🍋🛶🧊🎲')).toMatch(/at least 12/);
    // 256 characters of a strong passphrase are fine; 257 are not.
    const long = 'plum-orbit-canyon-velvet-42-'.repeat(10).slice(0, 256);
    expect(passwordProblem(long)).toBeNull();
    expect(passwordProblem(long + 'x')).toMatch(/at most 256/);
  });

  it('refuses common passwords, with a reason that says so', () => {
    for (const p of ['password1234', 'qwertyuiop123', '123456789012', 'iloveyou12345', 'Password1234!']) {
      expect(passwordProblem(p), p).toMatch(/common/i);
    }
    // A password that is itself on the common-passwords list gets the plain sentence.
    expect(passwordProblem('123456789012')).toBe('this is a common password: choose another (a few unrelated words make a strong one)');
  });

  it('refuses weak ones with the reason and a hint', () => {
    expect(passwordProblem('aaaaaaaaaaaaaa')).toMatch(/^this password is too weak: .*repeat/i);
    expect(passwordProblem('abcdefghijklmnop')).toMatch(/^this password is too weak/);
  });

  it('refuses one built from the email (or from "telmark"), which it accepts without that context', () => {
    expect(passwordProblem('zorvathquenby', [EMAIL])).toMatch(/^this password is too weak: .*personal/i);
    expect(passwordProblem(EMAIL, [EMAIL])).toMatch(/^this password is too weak/);
    expect(passwordProblem('zorvathquenby')).toBeNull();
    expect(passwordProblem('telmarktelmark')).toMatch(/^this password is too weak/);
  });

  it('accepts a strong passphrase', () => {
    expect(passwordProblem('plum-orbit-canyon-velvet-42', [EMAIL])).toBeNull();
    expect(passwordProblem('correct horse battery staple glue', [EMAIL])).toBeNull();
  });
});

describe('hashPassword / verifyPassword', () => {
  it('round-trips, refuses a wrong password, and is salted (argon2id)', async () => {
    const h = await hashPassword('plum-orbit-canyon-velvet-42');
    expect(h).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(h).not.toContain('plum');
    expect(await verifyPassword(h, 'plum-orbit-canyon-velvet-42')).toBe(true);
    expect(await verifyPassword(h, 'plum-orbit-canyon-velvet-43')).toBe(false);
    expect(await hashPassword('plum-orbit-canyon-velvet-42')).not.toBe(h);
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
    expect(await verifyPassword('', 'x')).toBe(false);
  });

  it('an unknown account (no hash) is false and costs about as much as a real verification', async () => {
    const h = await hashPassword('plum-orbit-canyon-velvet-42');
    // Warm both paths (the dummy hash is made on first use).
    expect(await verifyPassword(undefined, 'plum-orbit-canyon-velvet-42')).toBe(false);
    await verifyPassword(h, 'wrong-password-here');
    const time = async (f: () => Promise<unknown>) => {
      const t = performance.now();
      await f();
      return performance.now() - t;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const unknown: number[] = [];
    const known: number[] = [];
    for (let i = 0; i < 5; i++) {
      unknown.push(await time(async () => expect(await verifyPassword(undefined, 'guess-' + i)).toBe(false)));
      known.push(await time(async () => expect(await verifyPassword(h, 'guess-' + i)).toBe(false)));
    }
    const [u, k] = [median(unknown), median(known)];
    // A security property (no account enumeration by timing), not a speed assertion.
    expect(u / k, `unknown ${u.toFixed(1)} ms vs known ${k.toFixed(1)} ms`).toBeLessThan(3);
    expect(k / u, `unknown ${u.toFixed(1)} ms vs known ${k.toFixed(1)} ms`).toBeLessThan(3);
    // And both really are argon2 (milliseconds, not microseconds).
    expect(u).toBeGreaterThan(2);
  });
});

describe('acceptTotp', () => {
  const secret = newTotpSecret();
  const gen = new OTPAuth.TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secret) });
  // Mid-step, so ±1 step is unambiguous.
  const now = T0 + 15 * SECOND;
  const step = Math.floor(now / 30_000);
  const codeAt = (offsetSteps: number) => gen.generate({ timestamp: now + offsetSteps * 30_000 });

  it('accepts the current code and one step either side, and returns the code\'s step', () => {
    expect(acceptTotp(secret, codeAt(0), now, 0)).toBe(step);
    expect(acceptTotp(secret, codeAt(-1), now, 0)).toBe(step - 1);
    expect(acceptTotp(secret, codeAt(1), now, 0)).toBe(step + 1);
    expect(acceptTotp(secret, ` ${codeAt(0).slice(0, 3)} ${codeAt(0).slice(3)} `, now, 0)).toBe(step);
  });

  it('refuses codes two steps away', () => {
    for (const off of [-2, 2, -3, 3]) {
      const code = codeAt(off);
      // (In the unlikely case two steps share a code, skip that one.)
      if ([-1, 0, 1].some((o) => codeAt(o) === code)) continue;
      expect(acceptTotp(secret, code, now, 0), `offset ${off}`).toBeNull();
    }
  });

  it('accepts each code once: a code at or before the last accepted step is refused', () => {
    const accepted = acceptTotp(secret, codeAt(0), now, 0)!;
    expect(acceptTotp(secret, codeAt(0), now, accepted)).toBeNull();
    expect(acceptTotp(secret, codeAt(-1), now, accepted)).toBeNull();
    expect(acceptTotp(secret, codeAt(1), now, accepted)).toBe(step + 1);
    expect(acceptTotp(secret, codeAt(1), now, step + 1)).toBeNull();
  });

  it('refuses anything but six digits, and codes of another secret', () => {
    const code = codeAt(0);
    for (const bad of ['', 'abcdef', code.slice(0, 5), code + '0', `${code.slice(0, 5)}x`, '١٢٣٤٥٦', `-${code.slice(1)}`]) {
      expect(acceptTotp(secret, bad, now, 0), JSON.stringify(bad)).toBeNull();
    }
    const other = newTotpSecret();
    const otherCode = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(other) }).generate({ timestamp: now });
    if (![-1, 0, 1].some((o) => codeAt(o) === otherCode)) expect(acceptTotp(secret, otherCode, now, 0)).toBeNull();
  });
});

describe('recovery codes', () => {
  it('are ten distinct codes like K7QX-M2RT-9HWB-C4NZ without I, O, 0 or 1', () => {
    const codes = newRecoveryCodes();
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(RECOVERY_CODE_COUNT).toBe(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) {
      expect(c).toMatch(/^[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}$/);
      expect(looksLikeRecoveryCode(c)).toBe(true);
    }
    expect(new Set([...newRecoveryCodes(), ...codes]).size).toBe(20);
    expect(looksLikeRecoveryCode('123456')).toBe(false);
  });

  it('match their stored hashes whatever the case and dashes; a used one, removed from the list, no longer matches', () => {
    const codes = newRecoveryCodes();
    const stored = codes.map(hashRecoveryCode);
    for (const h of stored) {
      expect(h).toMatch(/^[0-9a-f]{64}$/);
      expect(stored.join()).not.toContain(codes[0]!);
    }
    const c = codes[3]!;
    expect(matchRecoveryCode(stored, c)).toBe(3);
    expect(matchRecoveryCode(stored, c.toLowerCase())).toBe(3);
    expect(matchRecoveryCode(stored, c.replace(/-/g, ''))).toBe(3);
    expect(matchRecoveryCode(stored, ` ${c.toLowerCase().replace(/-/g, '')} `)).toBe(3);
    expect(matchRecoveryCode(stored, newRecoveryCodes()[0]!)).toBe(-1);
    // Used: the login removes it from the list.
    const left = stored.filter((_, i) => i !== 3);
    expect(matchRecoveryCode(left, c)).toBe(-1);
    expect(matchRecoveryCode(left, codes[4]!)).toBe(3);
    expect(matchRecoveryCode([], c)).toBe(-1);
  });
});

describe('SecretBox', () => {
  const box = new SecretBox('k'.repeat(32) + '-one');

  it('round-trips, and sealing twice gives different text (random IV)', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(box.seal('JBSWY3DPEHPK3PXP')).not.toBe(sealed);
  });

  it('a box under another key cannot open it', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    expect(new SecretBox('k'.repeat(32) + '-two').open(sealed)).toBeNull();
  });

  it('a tampered seal cannot be opened (ciphertext, tag, IV or format)', () => {
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    const [v, iv, tag, body] = sealed.split('.') as [string, string, string, string];
    const flip = (s: string) => {
      const bytes = Buffer.from(s, 'base64url');
      bytes[0] = bytes[0]! ^ 1;
      return bytes.toString('base64url');
    };
    expect(box.open([v, iv, tag, flip(body)].join('.'))).toBeNull();
    expect(box.open([v, iv, flip(tag), body].join('.'))).toBeNull();
    expect(box.open([v, flip(iv), tag, body].join('.'))).toBeNull();
    expect(box.open(['v2', iv, tag, body].join('.'))).toBeNull();
    expect(box.open([v, iv, tag].join('.'))).toBeNull();
    expect(box.open('')).toBeNull();
  });
});

describe('ROLES', () => {
  it('admin and security need a second factor; marketer and viewer do not', () => {
    expect(ROLE_NAMES.filter((r) => ROLES[r].requiresTotp).sort()).toEqual(['admin', 'security']);
    expect(requiresTotp(['viewer', 'security'])).toBe(true);
    expect(requiresTotp(['marketer', 'viewer'])).toBe(false);
  });

  it('no role but security has security:abuse; security has no stats:read; only admin manages users', () => {
    expect(ROLE_NAMES.filter((r) => ROLES[r].permissions.includes('security:abuse'))).toEqual(['security']);
    expect(ROLES.security.permissions).not.toContain('stats:read');
    expect(ROLE_NAMES.filter((r) => ROLES[r].permissions.includes('users:manage'))).toEqual(['admin']);
    for (const r of ROLE_NAMES) expect(ROLES[r].permissions).toContain('account');
    expect([...permissionsOf(['marketer', 'viewer'])].sort()).toEqual(['account', 'site-settings:write', 'stats:read']);
  });

  it('lifetimeOf gives the privileged lifetime to anyone holding admin or security', () => {
    const limits = { privileged: { idleMs: 1, maxMs: 2 }, standard: { idleMs: 3, maxMs: 4 } };
    const cases: [Role[], 'privileged' | 'standard'][] = [
      [['admin'], 'privileged'],
      [['security'], 'privileged'],
      [['viewer', 'admin'], 'privileged'],
      [['marketer', 'security'], 'privileged'],
      [['marketer', 'viewer', 'security'], 'privileged'],
      [['marketer'], 'standard'],
      [['viewer'], 'standard'],
      [['marketer', 'viewer'], 'standard'],
    ];
    for (const [roles, which] of cases) expect(lifetimeOf(roles, limits), roles.join('+')).toBe(limits[which]);
    expect(LIFETIMES.privileged).toEqual({ idleMs: 30 * MINUTE, maxMs: 12 * HOUR });
    expect(LIFETIMES.standard).toEqual({ idleMs: 14 * 24 * HOUR, maxMs: 30 * 24 * HOUR });
  });

  it('the README table says what the code says', () => {
    const readme = readFileSync(new URL('../../dashboard/server/auth/README.md', import.meta.url), 'utf8');
    for (const r of ROLE_NAMES) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${r}\``));
      expect(row, r).toBeDefined();
      const cells = row!.split('|').map((c) => c.trim());
      const granted = [...cells[2]!.matchAll(/`([^`]+)`/g)].map((m) => m[1]).sort();
      expect(granted, r).toEqual(ROLES[r].permissions.filter((p) => p !== 'account').sort());
      expect(cells[3], r).toBe(ROLES[r].requiresTotp ? 'required' : 'optional');
      expect(cells[4], r).toBe(ROLES[r].lifetime === 'privileged' ? '30 min / 12 h' : '14 days / 30 days');
    }
  });
});
