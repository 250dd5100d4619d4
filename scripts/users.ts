// `npm run users -- <command>`: the dashboard's accounts from a terminal, also while telmark is
// stopped (it opens the store itself; in embedded mode that needs the data directory free).
//
//   create EMAIL --role ROLE[,ROLE] [--sites a.com,b.com]   password from standard input
//   list
//   disable EMAIL | enable EMAIL
//   reset-password EMAIL                                     password from standard input
//   delete EMAIL
//
// On a terminal the password is asked twice without echo; from a pipe the first line is read
// (`printf '%s\n' "$PW" | npm run users -- create …`). Every change is audited with via=cli.
import { AuditLog, loadAuditHashKey } from '../schema/audit-log.ts';
import type { Store } from '../schema/client.ts';
import { ConfigError } from '../schema/env.ts';
import { errorLine } from '../schema/errors.ts';
import { dashboardConfig } from '../dashboard/config.ts';
import { Accounts, AuthError, type Actor } from '../dashboard/server/auth/accounts.ts';
import { isRole, ROLE_NAMES, type Role } from '../dashboard/server/auth/roles.ts';
import { SecretBox } from '../dashboard/server/auth/secret-box.ts';
import { AccountStore, type Sites } from '../dashboard/server/auth/store.ts';
import { openCliStore, option, PlainError, UsageError } from './cli.ts';

const USAGE = `usage: npm run users -- <command>
  create EMAIL --role ROLE[,ROLE] [--sites a.com,b.com]   (password from standard input)
  list
  disable EMAIL
  enable EMAIL
  reset-password EMAIL                                     (password from standard input)
  delete EMAIL
roles: ${ROLE_NAMES.join(', ')}`;

const CLI: Actor = { userId: '', keyId: 'cli' };

/** A password from the terminal (twice, no echo) or the first line of piped input. */
async function readPassword(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    let text = '';
    for await (const chunk of input) text += chunk;
    return text.split(/\r?\n/)[0] ?? '';
  }
  const ask = (label: string) =>
    new Promise<string>((resolve, reject) => {
      process.stderr.write(label);
      input.setRawMode(true);
      input.resume();
      input.setEncoding('utf8');
      let typed = '';
      const onData = (s: string) => {
        for (const ch of s) {
          if (ch === '\r' || ch === '\n') {
            done();
            process.stderr.write('\n');
            return resolve(typed);
          }
          if (ch === '\u0003') {
            done();
            return reject(new UsageError('cancelled'));
          }
          if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
          else typed += ch;
        }
      };
      const done = () => {
        input.off('data', onData);
        input.setRawMode(false);
        input.pause();
      };
      input.on('data', onData);
    });
  const first = await ask(prompt);
  const again = await ask('Once more: ');
  if (first !== again) throw new UsageError('the two passwords differ');
  return first;
}

async function open(): Promise<{ store: Store; accounts: Accounts }> {
  const env = process.env;
  const { store, storage } = await openCliStore(env, "While telmark runs, manage users on the dashboard's Users page, or stop it and run this again.");
  const dConfig = dashboardConfig(env, storage.dataDir);
  const auditLog = new AuditLog(store, { hashKey: loadAuditHashKey(env, storage.dataDir).key, via: 'cli' });
  const accounts = new Accounts({
    accounts: new AccountStore(store),
    box: new SecretBox(dConfig.authSecretKey),
    lifetimes: dConfig.lifetimes,
    audit: (e) => auditLog.write(e),
    now: Date.now,
    log: (l) => console.error(l),
  });
  return { store, accounts };
}

async function byEmail(accounts: Accounts, email: string | undefined) {
  if (!email) throw new UsageError('name the user by email');
  const user = await accounts.store.findUserByEmail(email);
  if (!user) throw new UsageError(`no user ${email}`);
  return user;
}

async function main(args: string[]): Promise<void> {
  const [command, email] = args;
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return;
  }
  if (!['create', 'list', 'disable', 'enable', 'reset-password', 'delete'].includes(command)) throw new UsageError(`unknown command "${command}"`);
  // Read what the command needs before opening the store: a typo fails fast.
  let roles: Role[] = [];
  let sites: Sites = 'all';
  if (command === 'create') {
    if (!email) throw new UsageError('create needs an EMAIL');
    const roleText = option(args, '--role') ?? option(args, '--roles');
    if (!roleText) throw new UsageError(`create needs --role (${ROLE_NAMES.join(', ')})`);
    const parsed = roleText.split(',').map((r) => r.trim());
    const bad = parsed.find((r) => !isRole(r));
    if (bad !== undefined) throw new UsageError(`unknown role "${bad}" (roles: ${ROLE_NAMES.join(', ')})`);
    roles = parsed as Role[];
    const siteText = option(args, '--sites');
    if (siteText) sites = siteText.split(',').map((s) => s.trim()).filter(Boolean);
  }
  const password = command === 'create' || command === 'reset-password' ? await readPassword(`Password for ${email}: `) : undefined;

  const { store, accounts } = await open();
  try {
    if (command === 'list') {
      const users = await accounts.store.listUsers();
      if (users.length === 0) console.log('no users yet');
      for (const u of users) {
        const state = u.enabled ? (u.inviteHash && !u.passwordHash ? 'invited' : 'enabled') : 'disabled';
        const seen = u.lastLoginAt ? new Date(u.lastLoginAt).toISOString().slice(0, 16).replace('T', ' ') : 'never';
        console.log(`${u.email}\t${u.roles.join(',')}\t${u.sites === 'all' ? 'all sites' : u.sites.join(',')}\t${state}\t2FA ${u.totpEnabled ? 'on' : 'off'}\tlast sign-in ${seen}`);
      }
    } else if (command === 'create') {
      const user = await accounts.createUser({ email: email!, password, roles, sites }, CLI);
      console.log(`created ${user.email} (${user.roles.join(', ')}; ${user.sites === 'all' ? 'all sites' : user.sites.join(', ')})`);
      if (roles.some((r) => r === 'admin' || r === 'security')) console.log('they set up their second factor (TOTP) at their first sign-in');
    } else if (command === 'disable' || command === 'enable') {
      const user = await byEmail(accounts, email);
      await accounts.updateUser(user.id, { enabled: command === 'enable' }, CLI);
      console.log(`${command}d ${user.email}${command === 'disable' ? ' and ended their sessions' : ''}`);
    } else if (command === 'reset-password') {
      const user = await byEmail(accounts, email);
      await accounts.resetPassword(user.id, password!, CLI);
      console.log(`new password set for ${user.email}; their sessions ended`);
    } else if (command === 'delete') {
      const user = await byEmail(accounts, email);
      await accounts.deleteUser(user.id, CLI);
      console.log(`deleted ${user.email} and everything the account held`);
    }
  } finally {
    await store.close();
  }
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError || err instanceof AuthError) {
    console.error(`telmark users: ${err.message}`);
    if (err instanceof UsageError) console.error(USAGE);
    process.exit(2);
  }
  if (err instanceof ConfigError || err instanceof PlainError) {
    console.error(`telmark users: ${err.message}`);
    process.exit(2);
  }
  console.error(`telmark users: ${errorLine(err)}`);
  process.exit(1);
}
