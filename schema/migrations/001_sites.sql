-- Registered sites and their settings. The collector reads this table (never writes aggregates
-- for an unknown site); SITES=... seeds it at start.
CREATE TABLE IF NOT EXISTS {db}.sites
(
    domain   String,
    timezone String,
    added_at DateTime('UTC') DEFAULT now(),
    -- ReplacingMergeTree keeps the newest version of a site's settings.
    version  UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY domain;
