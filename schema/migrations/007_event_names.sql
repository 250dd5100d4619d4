-- Custom events by name and by the acquisition of the visit they belong to (issue 8): the heart
-- of "which campaign converts". One row per (site, minute/hour/day, event name, source, channel,
-- referrer host, the five UTM fields): the events count and a sketch of the visitors who sent it.
-- Counted from the day events arrive, so a goal made later for an event shows its history.
-- Names go through the same identifier redaction as paths (an e-mail in an event name never
-- reaches the store); the collector keeps at most 1,000 names per site and UTC day, later new
-- names count as "(other)". The acquisition is the visit's, or, for a Direct visit of someone who
-- came from elsewhere earlier that day, that earlier source (collector/goals/attribution.ts).
CREATE TABLE IF NOT EXISTS {db}.ingest_event_names
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    source LowCardinality(String),
    channel LowCardinality(String),
    referrer_host LowCardinality(String),
    utm_source LowCardinality(String),
    utm_medium LowCardinality(String),
    utm_campaign LowCardinality(String),
    utm_content LowCardinality(String),
    utm_term LowCardinality(String),
    visitor_key UInt64,
    pageviews   Int64,
    events      Int64,
    visits      Int64,
    bounces     Int64,
    duration    Int64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS {db}.event_names_minute
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    source LowCardinality(String),
    channel LowCardinality(String),
    referrer_host LowCardinality(String),
    utm_source LowCardinality(String),
    utm_medium LowCardinality(String),
    utm_campaign LowCardinality(String),
    utm_content LowCardinality(String),
    utm_term LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events    SimpleAggregateFunction(sum, Int64),
    visits    SimpleAggregateFunction(sum, Int64),
    bounces   SimpleAggregateFunction(sum, Int64),
    duration  SimpleAggregateFunction(sum, Int64),
    visitors  AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term)
TTL ts + INTERVAL 48 HOUR
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_names_minute_mv TO {db}.event_names_minute AS
SELECT site, ts AS ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_names
GROUP BY site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term;

CREATE TABLE IF NOT EXISTS {db}.event_names_hour
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    source LowCardinality(String),
    channel LowCardinality(String),
    referrer_host LowCardinality(String),
    utm_source LowCardinality(String),
    utm_medium LowCardinality(String),
    utm_campaign LowCardinality(String),
    utm_content LowCardinality(String),
    utm_term LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events    SimpleAggregateFunction(sum, Int64),
    visits    SimpleAggregateFunction(sum, Int64),
    bounces   SimpleAggregateFunction(sum, Int64),
    duration  SimpleAggregateFunction(sum, Int64),
    visitors  AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term)
TTL ts + INTERVAL {retention_months} MONTH
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_names_hour_mv TO {db}.event_names_hour AS
SELECT site, toStartOfHour(ts) AS ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_names
GROUP BY site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term;

CREATE TABLE IF NOT EXISTS {db}.event_names_day
(
    site LowCardinality(String),
    -- The site's local date (its time zone when the day was closed).
    day Date,
    name LowCardinality(String),
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
ORDER BY (site, day, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term)
TTL day + INTERVAL {retention_months} MONTH;
