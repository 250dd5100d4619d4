-- The people who sign in to the dashboard (issue 7): accounts, their login sessions, their API
-- keys, and who did what in the audit log. Small mutable tables: ReplacingMergeTree rows with a
-- version; reads that decide access take the latest row (FINAL). Deleting an account removes its
-- rows (ALTER ... DELETE), so no old version keeps the email or the password hash.
CREATE TABLE IF NOT EXISTS {db}.users
(
    -- opaque and random ("u_" + 16 hex); the audit log keeps only this
    id              String,
    email           String,
    -- argon2id PHC string; '' while an invite is pending
    password_hash   String,
    roles           Array(LowCardinality(String)),
    all_sites       UInt8,
    sites           Array(String),
    enabled         UInt8,
    -- AES-256-GCM sealed base32 secret (AUTH_SECRET_KEY); '' when none
    totp_secret     String,
    totp_enabled    UInt8,
    -- a secret being set up (first enrolment, or a move to a new phone), sealed like totp_secret:
    -- it replaces totp_secret once a code from it is confirmed
    totp_pending    String,
    -- the last accepted TOTP time step: every code is accepted once
    totp_last_step  UInt64,
    -- SHA-256 of each unused recovery code (80-bit random codes)
    recovery_codes  Array(String),
    -- SHA-256 of the one-time invite token, and when it ends; '' once accepted
    invite_hash     String,
    invite_expires_at DateTime64(3, 'UTC'),
    created_at      DateTime64(3, 'UTC'),
    last_login_at   Nullable(DateTime64(3, 'UTC')),
    version         UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id;

-- A login session: only the SHA-256 of its token is stored. `device` is a summary such as
-- "Chrome on Windows", never the user-agent string. Rows outlive no session: 31 days.
CREATE TABLE IF NOT EXISTS {db}.login_sessions
(
    id            String,
    token_hash    String,
    user_id       String,
    -- passed the second factor (or the user has none and needs none)
    mfa           UInt8,
    -- enrolment-only session (first sign-in of a user whose role requires TOTP)
    enrol_only    UInt8,
    device        String,
    created_at    DateTime64(3, 'UTC'),
    last_seen_at  DateTime64(3, 'UTC'),
    ended         UInt8,
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id
TTL toDateTime(created_at) + INTERVAL 31 DAY;

-- API keys users made for themselves: "tmk_<id>_<secret>", stored as the SHA-256 of the secret.
CREATE TABLE IF NOT EXISTS {db}.api_keys
(
    id            String,
    user_id       String,
    name          String,
    secret_hash   String,
    scopes        Array(LowCardinality(String)),
    all_sites     UInt8,
    sites         Array(String),
    created_at    DateTime64(3, 'UTC'),
    last_used_at  Nullable(DateTime64(3, 'UTC')),
    revoked       UInt8,
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY id;

-- The acting user (opaque id) and, for changes to accounts, the user acted upon; `detail` says
-- what changed in words that hold no personal data (role and site names, counts).
ALTER TABLE {db}.audit_log ADD COLUMN IF NOT EXISTS user_id String DEFAULT '' AFTER key_id;
ALTER TABLE {db}.audit_log ADD COLUMN IF NOT EXISTS subject_id String DEFAULT '' AFTER user_id;
ALTER TABLE {db}.audit_log ADD COLUMN IF NOT EXISTS detail String DEFAULT '' AFTER status;
