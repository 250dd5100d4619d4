-- Shared links (issue 10 §7): a read-only view of one site's statistics for people without an
-- account. The link's token is a bearer secret (256 random bits): only its SHA-256 is stored. An
-- optional password is stored as an argon2id PHC string, like the staff's passwords. A revocation
-- writes a new version with revoked_at set. Read with FINAL.
CREATE TABLE IF NOT EXISTS {db}.shared_links
(
    site           String,
    -- opaque and random ("sl_" + 16 hex)
    id             String,
    label          String,
    -- SHA-256 (hex) of the link's token; the token itself is shown once, at creation
    token_hash     String,
    -- argon2id PHC string; '' for a link without a password
    password_hash  String,
    -- the user who made it (opaque id, as in the audit log)
    created_by     String,
    created_at     DateTime64(3, 'UTC'),
    expires_at     Nullable(DateTime64(3, 'UTC')),
    revoked_at     Nullable(DateTime64(3, 'UTC')),
    version        UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (site, id);

-- When each link was last used, in a table of its own: a use (written at most once a minute per
-- link) must never write a version of the link itself, which could race a revocation and undo it.
CREATE TABLE IF NOT EXISTS {db}.shared_link_uses
(
    site          String,
    id            String,
    last_used_at  DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(last_used_at)
ORDER BY (site, id);
