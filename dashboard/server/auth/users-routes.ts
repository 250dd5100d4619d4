// /api/users/* (admins: `users:manage`) and /api/roles (anyone signed in): invite, change roles,
// sites and the enabled flag, end a user's sessions, delete a user.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AuthError, publicUser, type Accounts } from './accounts.ts';
import { requires, type AuthEnv } from './principal.ts';
import { ROLES, ROLE_NAMES, type Role } from './roles.ts';
import { actorOf, body, sitesSchema } from './routes.ts';

const INVITE = z.object({ email: z.string().max(320), roles: z.array(z.string().max(32)).max(8), sites: sitesSchema.default('all') });
const PATCH = z.object({ roles: z.array(z.string().max(32)).max(8).optional(), sites: sitesSchema.optional(), enabled: z.boolean().optional(), reset_totp: z.boolean().optional() });

export interface UsersRoutesDeps {
  accounts: Accounts;
  /** DASHBOARD_PUBLIC_URL, for links; else the origin the admin's browser used. */
  publicUrl?: string;
}

/** The dashboard's base URL as people reach it, for invite links. */
export function baseUrl(c: Context, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  const origin = c.req.header('origin');
  if (origin && origin !== 'null') return origin;
  return new URL(c.req.url).origin;
}

export function usersRoutes(deps: UsersRoutesDeps): Hono<AuthEnv> {
  const { accounts } = deps;
  const app = new Hono<AuthEnv>();

  app.get('/roles', requires('account'), (c) =>
    c.json({
      roles: ROLE_NAMES.map((name) => ({ name, description: ROLES[name].description, permissions: ROLES[name].permissions, requires_totp: ROLES[name].requiresTotp })),
    }),
  );

  app.get('/users', requires('users:manage'), async (c) => c.json({ users: (await accounts.store.listUsers()).map((u) => publicUser(u, { admin: true })) }));

  app.post('/users/invite', requires('users:manage'), async (c) => {
    const b = await body(c, INVITE);
    const made = await accounts.createUser({ email: b.email, roles: b.roles as Role[], sites: b.sites }, actorOf(c.get('principal')!));
    return c.json(
      {
        user: publicUser(made, { admin: true }),
        invite_url: `${baseUrl(c, deps.publicUrl)}/#/invite/${made.inviteToken}`,
        expires_at: new Date(made.inviteExpiresAt).toISOString(),
      },
      201,
    );
  });

  app.patch('/users/:id', requires('users:manage'), async (c) => {
    const b = await body(c, PATCH);
    const user = await accounts.updateUser(
      c.req.param('id'),
      { roles: b.roles as Role[] | undefined, sites: b.sites, enabled: b.enabled, resetTotp: b.reset_totp },
      actorOf(c.get('principal')!),
    );
    return c.json({ user: publicUser(user, { admin: true }) });
  });

  app.delete('/users/:id/sessions', requires('users:manage'), async (c) => c.json({ ended: await accounts.endSessionsOf(c.req.param('id'), actorOf(c.get('principal')!)) }));

  app.delete('/users/:id', requires('users:manage'), async (c) => {
    const id = c.req.param('id');
    if (id === c.get('principal')!.user?.id) throw new AuthError(400, 'to delete your own account use "Your account" (it asks for your password)');
    await accounts.deleteUser(id, actorOf(c.get('principal')!));
    return c.json({ deleted: true });
  });

  return app;
}
