-- Day cubes: the long-term store. Once a site's local day is over, the collector's day closer
-- folds that day's hour-cube rows into one row per dimension combination, with the visitors
-- sketch finalised into a plain count. Visitor keys are salted per UTC day, so a person is a new
-- visitor every day anyway, and visitors over several days are the sum of daily visitors (as in
-- Plausible). In a zone other than UTC, someone active across local midnight counts on both days.
-- Without sketches the day cubes are small and a 90-day query reads a few thousand rows.
-- Closing a day again (a late spool replay) replaces its rows: ReplacingMergeTree on closed_at.

CREATE TABLE IF NOT EXISTS {db}.acquisition_day
(
    site LowCardinality(String),
    -- The site's local date (its time zone when the day was closed).
    day Date,
    source LowCardinality(String),
    channel LowCardinality(String),
    referrer_host LowCardinality(String),
    utm_source LowCardinality(String),
    utm_medium LowCardinality(String),
    utm_campaign LowCardinality(String),
    utm_content LowCardinality(String),
    utm_term LowCardinality(String),
    pageviews Int64,
    events    Int64,
    visits    Int64,
    bounces   Int64,
    duration  Int64,
    visitors  UInt64,
    closed_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(closed_at)
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term)
TTL day + INTERVAL {retention_months} MONTH;

CREATE TABLE IF NOT EXISTS {db}.pages_day
(
    site LowCardinality(String),
    -- The site's local date (its time zone when the day was closed).
    day Date,
    path LowCardinality(String),
    pageviews Int64,
    events    Int64,
    visits    Int64,
    bounces   Int64,
    duration  Int64,
    visitors  UInt64,
    closed_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(closed_at)
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, path)
TTL day + INTERVAL {retention_months} MONTH;

CREATE TABLE IF NOT EXISTS {db}.entry_pages_day
(
    site LowCardinality(String),
    -- The site's local date (its time zone when the day was closed).
    day Date,
    entry_page LowCardinality(String),
    pageviews Int64,
    events    Int64,
    visits    Int64,
    bounces   Int64,
    duration  Int64,
    visitors  UInt64,
    closed_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(closed_at)
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, entry_page)
TTL day + INTERVAL {retention_months} MONTH;

CREATE TABLE IF NOT EXISTS {db}.tech_day
(
    site LowCardinality(String),
    -- The site's local date (its time zone when the day was closed).
    day Date,
    device LowCardinality(String),
    browser LowCardinality(String),
    os LowCardinality(String),
    pageviews Int64,
    events    Int64,
    visits    Int64,
    bounces   Int64,
    duration  Int64,
    visitors  UInt64,
    closed_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(closed_at)
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, device, browser, os)
TTL day + INTERVAL {retention_months} MONTH;

-- Which local days of which site are closed, so the Stats API knows where day cubes end.
CREATE TABLE IF NOT EXISTS {db}.day_closings
(
    site LowCardinality(String),
    day Date,
    closed_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(closed_at)
ORDER BY (site, day)
TTL day + INTERVAL {retention_months} MONTH;
