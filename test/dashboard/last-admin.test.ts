// Someone must always be able to manage users: the last enabled admin cannot be disabled,
// demoted or deleted (by another admin, by the CLI, or by closing their own account).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestTelmark, type TestTelmark } from '../helpers/telmark.ts';
import { createUser, PASSWORD } from '../helpers/accounts.ts';

let t: TestTelmark;
const CLI = { userId: '', keyId: 'cli' };
beforeAll(async () => {
  t = await startTestTelmark();
}, 60_000);
afterAll(async () => {
  await t?.destroy();
});

it('refuses to leave no enabled admin, and allows it once there is another', async () => {
  const only = await createUser(t, 'only@example.com', ['admin']);
  const accounts = t.accounts!;
  await expect(accounts.updateUser(only.id, { enabled: false }, CLI)).rejects.toThrow(/last enabled admin/);
  await expect(accounts.updateUser(only.id, { roles: ['marketer'] }, CLI)).rejects.toThrow(/last enabled admin/);
  await expect(accounts.deleteUser(only.id, CLI)).rejects.toThrow(/last enabled admin/);
  await expect(accounts.deleteOwnAccount(only, PASSWORD, { userId: only.id, keyId: 'session' })).rejects.toThrow(/last enabled admin/);
  // An invited admin who has not set a password yet does not count.
  const invited = await accounts.createUser({ email: 'invited@example.com', roles: ['admin'], sites: 'all' }, CLI);
  await expect(accounts.updateUser(only.id, { enabled: false }, CLI)).rejects.toThrow(/last enabled admin/);
  await accounts.acceptInvite(invited.inviteToken!, PASSWORD, { network: 'test', device: 'test' });
  await accounts.updateUser(only.id, { roles: ['marketer'] }, CLI);
  expect((await accounts.store.getUser(only.id))!.roles).toEqual(['marketer']);
  await expect(accounts.deleteUser(invited.id, CLI)).rejects.toThrow(/last enabled admin/);
});
