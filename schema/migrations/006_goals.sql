-- Site settings for conversions (issue 8): goals, and the prop keys a site allows to be
-- aggregated. Small mutable tables, ReplacingMergeTree with a version, read with FINAL; the
-- dashboard writes them, the collector reads them (cached, off the hot path).
CREATE TABLE IF NOT EXISTS {db}.goals
(
    site          String,
    -- opaque and random ("g_" + 16 hex)
    id            String,
    -- 'event' | 'page' | 'scroll'
    type          LowCardinality(String),
    -- unique per site among goals that are not deleted
    display_name  String,
    -- event goals: the custom event's name, and up to 3 prop conditions (key = value)
    event_name    String,
    prop_keys     Array(String),
    prop_values   Array(String),
    -- page and scroll goals: a path pattern (* within one segment, ** across segments)
    path          String,
    -- scroll goals: the scroll depth (1-100) that meets the goal
    threshold     UInt8,
    -- event goals: the revenue currency (ISO 4217), '' for none
    currency      String,
    created_at    DateTime64(3, 'UTC'),
    deleted       UInt8,
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (site, id);

-- The prop keys a site allows to be aggregated; every other prop is dropped at the collector.
CREATE TABLE IF NOT EXISTS {db}.site_props
(
    site        String,
    allowed     Array(String),
    updated_at  DateTime64(3, 'UTC'),
    version     UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY site;
