// /api/v1/sites/{site}/shared-links: admins and marketers (`site-settings:write`, by session or
// key, on their own sites) make, list and revoke a site's shared links. Every change is audited
// before it is made, like the other site settings.
import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditEntry } from '../../../schema/audit-log.ts';
import type { Site } from '../../../schema/sites.ts';
import { AuthError, auditOrRefuse, oneAtATime } from '../auth/accounts.ts';
import { MAX_PASSWORD_LENGTH } from '../auth/passwords.ts';
import { requires, siteOfRequest, type AuthEnv } from '../auth/principal.ts';
import { actorOf, body } from '../auth/routes.ts';
import type { AccountStore } from '../auth/store.ts';
import type { SharedLink, SharedLinks } from './links.ts';

export interface SharedLinksRoutesDeps {
  links: SharedLinks;
  sites: () => Promise<Site[]>;
  /** To show who made a link (their email while the account exists). */
  accounts: AccountStore;
  audit: (entry: AuditEntry) => Promise<void>;
  log: (line: string) => void;
  /** DASHBOARD_PUBLIC_URL: the links' base (else the origin the request came to). */
  publicUrl?: string;
}

const NEW_LINK = z.object({
  label: z.string().trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters'),
  // Checked by passwords.ts (length, strength); the cap here only bounds what is parsed.
  password: z.string().max(MAX_PASSWORD_LENGTH * 4).optional(),
  expires_at: z.iso.datetime({ offset: true, error: 'an ISO 8601 date and time, e.g. 2026-12-31T23:59:00Z' }).optional(),
});

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function sharedLinksRoutes(deps: SharedLinksRoutesDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  const siteOf = siteOfRequest(deps.sites);
  const audit = (entry: AuditEntry) => auditOrRefuse(deps.audit, entry, (line) => deps.log(`share: ${line}`));
  /** Creations one at a time, so two at once cannot both pass the per-site limit. */
  const creating = oneAtATime();

  const publicLink = async (link: SharedLink, lastUsedAt: number | null) => ({
    id: link.id,
    label: link.label,
    created_by: (await deps.accounts.getUser(link.createdBy))?.email ?? null,
    created_at: iso(link.createdAt),
    expires_at: iso(link.expiresAt),
    password: link.passwordHash !== '',
    last_used_at: iso(lastUsedAt),
    revoked_at: iso(link.revokedAt),
    status: deps.links.stateOf(link),
  });

  app.get('/:site/shared-links', requires('site-settings:write'), async (c) => {
    const site = await siteOf(c);
    const links = await deps.links.list(site.domain);
    return c.json({ links: await Promise.all(links.map((l) => publicLink(l.link, l.lastUsedAt))) });
  });

  app.post('/:site/shared-links', requires('site-settings:write'), async (c) => {
    const site = await siteOf(c);
    const input = await body(c, NEW_LINK);
    const p = c.get('principal')!;
    const expiresAt = input.expires_at === undefined ? undefined : Date.parse(input.expires_at);
    // Audited before it is stored: an act that cannot be audited is refused (503) and nothing is made.
    const auditCreate = (link: SharedLink) =>
      audit({ ...actorOf(p), action: 'share.create', outcome: 'ok', status: 201, detail: `shared link ${link.id} on ${site.domain} (password: ${link.passwordHash ? 'yes' : 'no'}, expires: ${iso(link.expiresAt) ?? 'never'})` });
    const made = await creating(() => deps.links.create(site.domain, { label: input.label, password: input.password, expiresAt }, p.user?.id ?? '', auditCreate));
    const base = deps.publicUrl ?? new URL(c.req.url).origin;
    // The token is shown this once (only its hash is kept): the URL is to be copied now.
    return c.json({ link: await publicLink(made.link, null), url: `${base.replace(/\/$/, '')}/share/${made.token}`, token: made.token }, 201);
  });

  app.delete('/:site/shared-links/:id', requires('site-settings:write'), async (c) => {
    const site = await siteOf(c);
    const link = await deps.links.find(site.domain, c.req.param('id'));
    if (!link) throw new AuthError(404, 'no such shared link on this site');
    if (link.revokedAt !== null) return c.json({ revoked: true });
    await audit({ ...actorOf(c.get('principal')!), action: 'share.revoke', outcome: 'ok', status: 200, detail: `shared link ${link.id} on ${site.domain}` });
    await deps.links.revoke(link);
    return c.json({ revoked: true });
  });

  return app;
}
