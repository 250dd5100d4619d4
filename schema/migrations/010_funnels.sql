-- Funnels (issue 9 §3). A funnel is 2-8 ordered steps, each a goal of the site; a site setting
-- like the goals (the dashboard writes it, the collector reads it, latest version wins: FINAL).
--
-- Progress through a funnel is worked out by the collector at ingestion, in memory, per site and
-- daily visitor key (collector/goals/funnels.ts), and booked here as aggregate deltas: one
-- increment of `events` (with the daily visitor key as the sketch's visitor) under the step a
-- visitor has just reached, by the acquisition (source, channel, utm_campaign) they had when they
-- reached step 1. No per-visitor path is ever stored; `visitors` per step is the unique visitors
-- who reached that step in order the same (UTC) day.
CREATE TABLE IF NOT EXISTS {db}.funnels
(
    site           String,
    -- opaque and random ("f_" + 16 hex)
    id             String,
    -- unique per site among funnels that are not deleted
    name           String,
    -- the goals of the steps, in order (2-8)
    step_goal_ids  Array(String),
    created_at     DateTime64(3, 'UTC'),
    deleted        UInt8,
    version        UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (site, id);

-- The funnel cube: per funnel, step ('1'..'8') and acquisition at step 1.
CREATE TABLE IF NOT EXISTS {db}.ingest_funnel_steps
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    funnel_id LowCardinality(String),
    step LowCardinality(String),
    source LowCardinality(String),
    channel LowCardinality(String),
    utm_campaign LowCardinality(String),
    visitor_key UInt64,
    pageviews Int64,
    events Int64,
    visits Int64,
    bounces Int64,
    duration Int64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS {db}.funnel_steps_minute
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    funnel_id LowCardinality(String),
    step LowCardinality(String),
    source LowCardinality(String),
    channel LowCardinality(String),
    utm_campaign LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events SimpleAggregateFunction(sum, Int64),
    visits SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    duration SimpleAggregateFunction(sum, Int64),
    visitors AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (site, ts, funnel_id, step, source, channel, utm_campaign)
TTL ts + INTERVAL 48 HOUR
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.funnel_steps_minute_mv TO {db}.funnel_steps_minute AS
SELECT site, ts AS ts, funnel_id, step, source, channel, utm_campaign,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_funnel_steps
GROUP BY site, ts, funnel_id, step, source, channel, utm_campaign;

CREATE TABLE IF NOT EXISTS {db}.funnel_steps_hour
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    funnel_id LowCardinality(String),
    step LowCardinality(String),
    source LowCardinality(String),
    channel LowCardinality(String),
    utm_campaign LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events SimpleAggregateFunction(sum, Int64),
    visits SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    duration SimpleAggregateFunction(sum, Int64),
    visitors AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (site, ts, funnel_id, step, source, channel, utm_campaign)
TTL ts + INTERVAL {retention_months} MONTH
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.funnel_steps_hour_mv TO {db}.funnel_steps_hour AS
SELECT site, toStartOfHour(ts) AS ts, funnel_id, step, source, channel, utm_campaign,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_funnel_steps
GROUP BY site, ts, funnel_id, step, source, channel, utm_campaign;

CREATE TABLE IF NOT EXISTS {db}.funnel_steps_day
(
    site LowCardinality(String),
    -- The site's local date (its time zone when the day was closed).
    day Date,
    funnel_id LowCardinality(String),
    step LowCardinality(String),
    source LowCardinality(String),
    channel LowCardinality(String),
    utm_campaign LowCardinality(String),
    pageviews Int64,
    events Int64,
    visits Int64,
    bounces Int64,
    duration Int64,
    visitors UInt64,
    closed_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(closed_at)
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, funnel_id, step, source, channel, utm_campaign)
TTL day + INTERVAL {retention_months} MONTH;
