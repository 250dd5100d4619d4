// The roles registry is one table that the code and the docs both read: the README's roles
// table must say what dashboard/server/auth/roles.ts says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LIFETIMES, ROLES, ROLE_NAMES } from '../../dashboard/server/auth/roles.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const authDoc = readFileSync(new URL('../../dashboard/server/auth/README.md', import.meta.url), 'utf8');

function lifetimeText(kind: keyof typeof LIFETIMES): string {
  return kind === 'privileged' ? '30 min / 12 h' : '14 days / 30 days';
}

describe('the roles registry and its docs', () => {
  it('lifetimes in the docs are the ones in the code', () => {
    expect(LIFETIMES.privileged).toEqual({ idleMs: 30 * 60_000, maxMs: 12 * 3_600_000 });
    expect(LIFETIMES.standard).toEqual({ idleMs: 14 * 86_400_000, maxMs: 30 * 86_400_000 });
  });

  it.each(ROLE_NAMES)('the README and the auth API doc describe role %s as roles.ts does', (name) => {
    const role = ROLES[name];
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row, `README row for ${name}`).toBeDefined();
    const cells = row!.split('|').map((c) => c.trim());
    expect(cells[3]).toBe(role.requiresTotp ? 'required' : 'optional');
    expect(cells[4]).toBe(lifetimeText(role.lifetime));
    const docRow = authDoc.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    expect(docRow, `auth README row for ${name}`).toBeDefined();
    const docCells = docRow!.split('|').map((c) => c.trim());
    const granted = docCells[2]!.split(',').map((p) => p.trim().replace(/`/g, '')).sort();
    expect(granted).toEqual(role.permissions.filter((p) => p !== 'account').sort());
    expect(docCells[3]).toBe(role.requiresTotp ? 'required' : 'optional');
    expect(docCells[4]).toBe(lifetimeText(role.lifetime));
  });
});
