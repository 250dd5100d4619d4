// The share cookie: what a browser holds after opening a shared link, so the token can leave the
// address bar at once. Its value names the link, when the cookie ends and whether the link's
// password was given ("open") or is still asked for ("locked"), signed with HMAC-SHA256 (Hono's
// signed cookies; the signature is checked with WebCrypto's verify, in constant time). Nothing
// is kept per cookie on the server, so no map to bound; revoking or expiring the link ends every
// cookie of it, because each request looks the link up.
//
// HttpOnly; SameSite=Strict (it is only ever needed by the share page's own requests); Path is
// the share pages' folder, so the staff's dashboard under /api never receives it; Secure (with
// the __Secure- prefix) over HTTPS. The key is derived from AUTH_SECRET_KEY (HKDF), so every
// dashboard process with the same key accepts it.
import { hkdfSync, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';

export const SHARE_COOKIE = 'telmark_share';
/** A share cookie lives at most this long (and never past its link's expiry); then the link is opened again. */
export const SHARE_COOKIE_MS = 4 * 60 * 60_000;

export type ShareAccess = 'open' | 'locked';

export interface ShareGrant {
  linkId: string;
  access: ShareAccess;
  expiresAt: number;
}

export function shareCookieKey(authSecretKey?: string): ArrayBuffer {
  // Without a configured key (an app built for a test), a random one: cookies then work in this process only.
  const ikm = authSecretKey ?? randomBytes(32).toString('hex');
  return hkdfSync('sha256', ikm, 'telmark', 'share-cookie', 32);
}

export interface ShareCookieOptions {
  key: ArrayBuffer;
  /** The share pages' folder as the browser sees it, e.g. "/share/" (or "/stats/share/" behind a proxy's sub-path). */
  path: string;
  now: () => number;
}

export async function setShareCookie(c: Context, grant: ShareGrant, secure: boolean, opts: ShareCookieOptions): Promise<void> {
  const maxAge = Math.max(1, Math.floor((grant.expiresAt - opts.now()) / 1000));
  const value = `${grant.linkId}.${grant.expiresAt}.${grant.access}`;
  await setSignedCookie(c, SHARE_COOKIE, value, opts.key, {
    httpOnly: true,
    sameSite: 'Strict',
    path: opts.path,
    maxAge,
    ...(secure ? { secure: true, prefix: 'secure' as const } : {}),
  });
}

/** The grant of a valid, unexpired share cookie; undefined for none, a forged one or an old one. */
export async function readShareCookie(c: Context, opts: ShareCookieOptions): Promise<ShareGrant | undefined> {
  for (const prefix of ['secure', undefined] as const) {
    const value = await getSignedCookie(c, opts.key, SHARE_COOKIE, prefix);
    if (typeof value !== 'string') continue;
    const m = /^(sl_[0-9a-f]{16})\.(\d{1,15})\.(open|locked)$/.exec(value);
    if (!m) continue;
    const expiresAt = Number(m[2]);
    if (opts.now() >= expiresAt) continue;
    return { linkId: m[1]!, expiresAt, access: m[3] as ShareAccess };
  }
  return undefined;
}

export function clearShareCookie(c: Context, secure: boolean, opts: ShareCookieOptions): void {
  if (secure) deleteCookie(c, SHARE_COOKIE, { path: opts.path, secure: true, prefix: 'secure' });
  deleteCookie(c, SHARE_COOKIE, { path: opts.path });
}
