-- Who used the security API and the data-subject endpoints, when, on which address, with what
-- result. Written before the action it records (an action that cannot be audited is not done).
-- Never a full IP: ip_truncated is the address cut like the collector cuts it (/24, /48), ip_hash a
-- keyed HMAC-SHA256 of the full address (AUDIT_HASH_KEY), so two entries about one address match.
-- Kept AUDIT_RETENTION_DAYS (synced at every start, like the cubes' retention).
CREATE TABLE IF NOT EXISTS {db}.audit_log
(
    ts           DateTime64(3, 'UTC'),
    -- 'collector-admin' | 'dashboard' | 'privacy-api'
    via          LowCardinality(String),
    -- keyId(key) (a short hash), or 'visitor' for a data-subject request
    key_id       LowCardinality(String),
    action       LowCardinality(String),
    ip_truncated String,
    ip_hash      String,
    outcome      LowCardinality(String),
    status       UInt16
)
ENGINE = MergeTree
ORDER BY ts
TTL toDateTime(ts) + INTERVAL {audit_retention_days} DAY;
