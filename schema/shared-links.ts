// Shared links of a site (migration 013): written and read by the dashboard only
// (dashboard/server/share). Latest row wins (FINAL); last use lives in a table of its own.
import type { Store } from './client.ts';
import { SHARED_LINK_USES_TABLE, SHARED_LINKS_TABLE } from './cubes.ts';
import { fromChTime, nextRowVersion, toChTime } from './settings-rows.ts';

export interface SharedLink {
  site: string;
  id: string;
  label: string;
  /** SHA-256 (hex) of the token. */
  tokenHash: string;
  /** argon2id PHC string, '' without a password. */
  passwordHash: string;
  createdBy: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

interface LinkRow {
  site: string;
  id: string;
  label: string;
  token_hash: string;
  password_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

const COLUMNS = `site, id, label, token_hash, password_hash, created_by, toString(created_at) AS created_at,
  if(isNull(expires_at), NULL, toString(expires_at)) AS expires_at, if(isNull(revoked_at), NULL, toString(revoked_at)) AS revoked_at`;

function fromRow(r: LinkRow): SharedLink {
  return {
    site: r.site,
    id: r.id,
    label: r.label,
    tokenHash: r.token_hash,
    passwordHash: r.password_hash,
    createdBy: r.created_by,
    createdAt: fromChTime(r.created_at),
    expiresAt: r.expires_at === null ? null : fromChTime(r.expires_at),
    revokedAt: r.revoked_at === null ? null : fromChTime(r.revoked_at),
  };
}

async function select(store: Store, where: string, params: Record<string, string>): Promise<SharedLink[]> {
  const rs = await store.client.query({
    query: `SELECT ${COLUMNS} FROM ${store.table(SHARED_LINKS_TABLE)} FINAL WHERE ${where} ORDER BY created_at, id`,
    query_params: params,
    format: 'JSONEachRow',
  });
  return (await rs.json<LinkRow>()).map(fromRow);
}

/** Every link of a site, revoked ones included, oldest first. */
export function listSharedLinks(store: Store, site: string): Promise<SharedLink[]> {
  return select(store, 'site = {site:String}', { site });
}

export async function getSharedLink(store: Store, id: string): Promise<SharedLink | undefined> {
  return (await select(store, 'id = {id:String}', { id }))[0];
}

export async function findSharedLinkByTokenHash(store: Store, tokenHash: string): Promise<SharedLink | undefined> {
  return (await select(store, 'token_hash = {h:String}', { h: tokenHash }))[0];
}

export async function saveSharedLink(store: Store, link: SharedLink): Promise<void> {
  await store.client.insert({
    table: store.table(SHARED_LINKS_TABLE),
    values: [
      {
        site: link.site,
        id: link.id,
        label: link.label,
        token_hash: link.tokenHash,
        password_hash: link.passwordHash,
        created_by: link.createdBy,
        created_at: toChTime(link.createdAt),
        expires_at: link.expiresAt === null ? null : toChTime(link.expiresAt),
        revoked_at: link.revokedAt === null ? null : toChTime(link.revokedAt),
        version: nextRowVersion(),
      },
    ],
    format: 'JSONEachRow',
  });
}

/** When each link of a site was last used (ms), by id. */
export async function sharedLinkUses(store: Store, site: string): Promise<Map<string, number>> {
  const rs = await store.client.query({
    query: `SELECT id, toString(max(last_used_at)) AS at FROM ${store.table(SHARED_LINK_USES_TABLE)} WHERE site = {site:String} GROUP BY id`,
    query_params: { site },
    format: 'JSONEachRow',
  });
  return new Map((await rs.json<{ id: string; at: string }>()).map((r) => [r.id, fromChTime(r.at)]));
}

export async function recordSharedLinkUse(store: Store, site: string, id: string, at: number): Promise<void> {
  await store.client.insert({ table: store.table(SHARED_LINK_USES_TABLE), values: [{ site, id, last_used_at: toChTime(at) }], format: 'JSONEachRow' });
}
