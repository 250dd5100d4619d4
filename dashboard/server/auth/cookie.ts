// The session cookie. `__Host-telmark_session` with Secure over HTTPS (a TLS listener, or a
// trusted proxy that says X-Forwarded-Proto: https); plain `telmark_session` without Secure only
// when the browser reaches the dashboard on a loopback address (where no one else is on the wire)
// or the operator set DASHBOARD_INSECURE_HTTP=true (with a warning at start). Otherwise signing in
// is refused with a sentence that says why: a Secure cookie over plain HTTP would be dropped by
// the browser, and a cookie without Secure could be read on the network.
// HttpOnly, SameSite=Lax (Strict would sign people out when they follow a link into the
// dashboard from mail), Path=/.
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';

export const COOKIE_NAME = 'telmark_session';

export interface CookiePolicy {
  insecureHttp: boolean;
  /** True when this request reached us over HTTPS (directly or via a trusted proxy). */
  isHttps: (c: Context) => boolean;
}

export type CookieMode = { secure: boolean } | { refused: string };

const LOOPBACK_HOST = /^(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?$/i;

export function cookieMode(c: Context, policy: CookiePolicy): CookieMode {
  if (policy.isHttps(c)) return { secure: true };
  const host = c.req.header('host') ?? '';
  if (LOOPBACK_HOST.test(host) || policy.insecureHttp) return { secure: false };
  return {
    refused:
      'signing in needs HTTPS here: serve the dashboard over TLS (TLS_CERT and TLS_KEY, or a TLS proxy that sets X-Forwarded-Proto and is listed in TRUSTED_PROXIES), or set DASHBOARD_INSECURE_HTTP=true on a network you trust',
  };
}

export function setSessionCookie(c: Context, token: string, secure: boolean, maxAgeS: number): void {
  const options = { httpOnly: true, sameSite: 'Lax' as const, path: '/', maxAge: Math.max(1, Math.floor(maxAgeS)) };
  if (secure) setCookie(c, COOKIE_NAME, token, { ...options, secure: true, prefix: 'host' });
  else setCookie(c, COOKIE_NAME, token, options);
}

/** The session token of the request, from whichever cookie it carries (the __Host- one first). */
export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, COOKIE_NAME, 'host') ?? getCookie(c, COOKIE_NAME);
}

export function clearSessionCookie(c: Context, secure: boolean): void {
  if (secure) deleteCookie(c, COOKIE_NAME, { path: '/', secure: true, prefix: 'host' });
  deleteCookie(c, COOKIE_NAME, { path: '/' });
}
