// /api/auth/*: signing in and out, the first admin's setup, invitations, TOTP, and everything a
// person does with their own account (password, sessions, keys, export, deletion). The shapes are
// documented in README.md beside this file.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { parseClientJson } from '../../../schema/text.ts';
import { Accounts, AuthError, publicKey, publicSession, publicUser, type Actor } from './accounts.ts';
import { clientInfo, type ClientIp } from './client.ts';
import { clearSessionCookie, cookieMode, setSessionCookie, type CookiePolicy } from './cookie.ts';
import type { AuthEnv, Principal } from './principal.ts';
import { requires, signedIn } from './principal.ts';
import { permissionsOf, isKeyScope, requiresTotp, type KeyScope } from './roles.ts';
import type { SessionRecord, UserRecord } from './store.ts';

export interface AuthRoutesDeps {
  accounts: Accounts;
  cookies: CookiePolicy;
  clientIp: ClientIp;
}

const str = (max: number) => z.string().max(max);
/** "all", or a list of domains (checked further by Accounts). */
export const sitesSchema = z.union([z.literal('all'), z.array(str(253)).max(1000)]);
const SCHEMAS = {
  login: z.object({ email: str(320), password: str(1024), totp: str(64).optional() }),
  setup: z.object({ token: str(128), email: str(320), password: str(1024) }),
  invite: z.object({ token: str(128), password: str(1024) }),
  code: z.object({ code: str(64) }),
  password: z.object({ password: str(1024) }),
  change: z.object({ current_password: str(1024), new_password: str(1024) }),
  key: z.object({ name: str(200), scopes: z.array(str(32)).max(4), sites: sitesSchema.default('all') }),
};

/** The parsed JSON body, or an AuthError(400) naming the first field that is wrong. */
export async function body<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  let raw: unknown;
  try {
    // Lone surrogates made U+FFFD: ClickHouse refuses them in an insert (schema/text.ts).
    raw = parseClientJson(await c.req.text());
  } catch {
    throw new AuthError(400, 'body is not valid JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AuthError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
  }
  return parsed.data;
}

/** The audit actor of a call. */
export function actorOf(p: Principal): Actor {
  return { userId: p.user?.id ?? '', keyId: p.keyId };
}

export function authRoutes(deps: AuthRoutesDeps): Hono<AuthEnv> {
  const { accounts } = deps;
  const app = new Hono<AuthEnv>();
  const client = (c: Context) => clientInfo(c, deps.clientIp);

  /**
   * Sets the cookie for a new session. It lives as long as the session may at most: the idle
   * limit is the server's to enforce (it slides with every request, the cookie's Max-Age cannot).
   */
  const startCookie = (c: Context, token: string, session: SessionRecord, user: UserRecord, secure: boolean) => {
    const { maxAt } = accounts.sessions.expiry(session, user);
    setSessionCookie(c, token, secure, (maxAt - accounts.now()) / 1000);
  };
  const secureOrRefuse = (c: Context): boolean => {
    const mode = cookieMode(c, deps.cookies);
    if ('refused' in mode) throw new AuthError(403, mode.refused);
    return mode.secure;
  };
  const clearCookie = (c: Context) => {
    const mode = cookieMode(c, deps.cookies);
    clearSessionCookie(c, 'secure' in mode && mode.secure);
  };
  const sessionUser = (c: Context<AuthEnv>) => {
    const p = c.get('principal');
    if (p?.kind !== 'session') throw new AuthError(403, 'this needs a signed-in session, not an API key');
    return p;
  };

  app.get('/setup', async (c) => c.json({ setup_required: await accounts.setupRequired() }));

  app.post('/setup', async (c) => {
    const b = await body(c, SCHEMAS.setup);
    const user = await accounts.completeSetup(b.token, b.email, b.password, client(c));
    return c.json({ user: publicUser(user) }, 201);
  });

  app.post('/invite/accept', async (c) => {
    const b = await body(c, SCHEMAS.invite);
    const user = await accounts.acceptInvite(b.token, b.password, client(c));
    return c.json({ user: { email: user.email } });
  });

  app.post('/login', async (c) => {
    const secure = secureOrRefuse(c);
    const b = await body(c, SCHEMAS.login);
    const result = await accounts.login(b, client(c));
    startCookie(c, result.token, result.session, result.user, secure);
    if (result.kind === 'totp-setup') return c.json({ totp_setup_required: true, otpauth_uri: result.otpauthUri });
    return c.json({ user: { id: result.user.id, email: result.user.email, roles: result.user.roles, sites: result.user.sites } });
  });

  app.post('/totp/confirm', signedIn, async (c) => {
    const p = sessionUser(c);
    const secure = secureOrRefuse(c);
    const b = await body(c, SCHEMAS.code);
    const done = await accounts.confirmTotp(p.user, p.session, b.code, client(c));
    startCookie(c, done.token, done.session, done.user, secure);
    return c.json({ recovery_codes: done.recoveryCodes, user: publicUser(done.user) });
  });

  app.post('/logout', signedIn, async (c) => {
    const p = sessionUser(c);
    await accounts.logout(p.user, p.session, client(c));
    clearCookie(c);
    return c.json({ ok: true });
  });

  app.get('/me', signedIn, async (c) => {
    const p = c.get('principal')!;
    if (p.kind !== 'session') return c.json({ error: 'this needs a signed-in session, not an API key' }, 403);
    const expiry = accounts.sessions.expiry(p.session, p.user);
    return c.json({
      user: publicUser(p.user),
      permissions: [...permissionsOf(p.user.roles)].filter(() => !p.session.enrolOnly),
      totp_setup_required: p.session.enrolOnly || (requiresTotp(p.user.roles) && !p.user.totpEnabled),
      session: { id: p.session.id, expires_at: new Date(expiry.at).toISOString() },
      // So a page reloaded half-way through enrolment can show the QR code again.
      ...(p.session.enrolOnly ? { otpauth_uri: accounts.pendingOtpauthUri(p.user) } : {}),
    });
  });

  app.get('/sessions', requires('account'), async (c) => {
    const p = sessionUser(c);
    const sessions = await accounts.store.listSessions(p.user.id);
    const live = sessions.filter((s) => accounts.sessions.expiry(s, p.user).at > accounts.now() || s.id === p.session.id);
    return c.json({ sessions: live.map((s) => publicSession(s, { currentId: p.session.id, expiresAt: accounts.sessions.expiry(s, p.user).at })) });
  });

  app.delete('/sessions/:id', requires('account'), async (c) => {
    const p = sessionUser(c);
    await accounts.endOwnSession(p.user, c.req.param('id'));
    if (c.req.param('id') === p.session.id) clearCookie(c);
    return c.json({ ended: 1 });
  });

  app.delete('/sessions', requires('account'), async (c) => {
    const p = sessionUser(c);
    const ended = await accounts.sessions.endAll(p.user.id, p.session.id);
    return c.json({ ended });
  });

  app.post('/password', requires('account'), async (c) => {
    const p = sessionUser(c);
    const b = await body(c, SCHEMAS.change);
    const ended = await accounts.changePassword(p.user, p.session, b.current_password, b.new_password, client(c));
    return c.json({ ok: true, ended_sessions: ended });
  });

  app.post('/totp/setup', requires('account'), async (c) => {
    const p = sessionUser(c);
    const b = await body(c, SCHEMAS.password);
    return c.json({ otpauth_uri: await accounts.startTotp(p.user, b.password) });
  });

  app.post('/totp/disable', requires('account'), async (c) => {
    const p = sessionUser(c);
    const b = await body(c, SCHEMAS.password);
    await accounts.disableTotp(p.user, b.password, client(c));
    return c.json({ ok: true });
  });

  app.post('/recovery-codes', requires('account'), async (c) => {
    const p = sessionUser(c);
    const b = await body(c, SCHEMAS.password);
    return c.json({ recovery_codes: await accounts.newRecoveryCodes(p.user, b.password, client(c)) });
  });

  app.get('/export', requires('account'), async (c) => {
    const p = sessionUser(c);
    c.header('content-disposition', 'attachment; filename="telmark-account.json"');
    c.header('cache-control', 'no-store');
    return c.json(await accounts.exportAccount(p.user));
  });

  app.delete('/account', requires('account'), async (c) => {
    const p = sessionUser(c);
    const b = await body(c, SCHEMAS.password);
    await accounts.deleteOwnAccount(p.user, b.password, actorOf(p));
    clearCookie(c);
    return c.json({ deleted: true });
  });

  app.get('/keys', requires('account'), async (c) => {
    const p = sessionUser(c);
    return c.json({ keys: (await accounts.store.listKeys(p.user.id)).map(publicKey) });
  });

  app.post('/keys', requires('account'), async (c) => {
    const p = sessionUser(c);
    const b = await body(c, SCHEMAS.key);
    const bad = b.scopes.find((s) => !isKeyScope(s));
    if (bad !== undefined) throw new AuthError(400, `scopes: "${bad.slice(0, 32)}" is not a scope; use stats:read and/or security`);
    const made = await accounts.createKey(p.user, { name: b.name, scopes: b.scopes as KeyScope[], sites: b.sites }, actorOf(p));
    return c.json({ key: publicKey(made.key), secret: made.secret }, 201);
  });

  app.delete('/keys/:id', requires('account'), async (c) => {
    const p = sessionUser(c);
    await accounts.revokeKey(p.user, c.req.param('id'), actorOf(p));
    return c.json({ revoked: true });
  });

  return app;
}
