-- Conversions, revenue and engagement (issue 8).
--
-- 1. The custom-event cube gains the revenue currency as a dimension and the revenue as an exact
--    decimal (Decimal(38, 8): amounts have at most 8 decimals, sums never drift and never overflow
--    in practice). Rows booked before this migration have currency '' and revenue 0.
-- 2. Two more custom-event cubes cross event names with the visit's entry page and with its
--    device, browser and OS, so goals can be broken down by them (aggregates cannot be crossed
--    after the fact).
-- 3. The pages cube gains the engagement counters: scroll_sum and scroll_visits (per visit and
--    page the highest scroll depth, booked as deltas as it rises; scroll depth = sum / visits) and
--    engaged_ms (engaged time summed per page; time on page = engaged_ms / visitors of the page).
-- 4. A props cube: per event name, the values of the prop keys a site allows (redacted, capped per
--    site, key and day). Nothing else of a prop is ever stored.
--
-- Page, scroll and prop-condition goals are booked into the event cubes under a reserved name
-- ("\x01goal:<id>") from the moment they exist; beacon event names can never start with \x01.

ALTER TABLE {db}.ingest_event_names ADD COLUMN IF NOT EXISTS currency LowCardinality(String) AFTER utm_term, ADD COLUMN IF NOT EXISTS revenue Decimal(38, 8);

ALTER TABLE {db}.event_names_minute ADD COLUMN IF NOT EXISTS currency LowCardinality(String) AFTER utm_term, ADD COLUMN IF NOT EXISTS revenue SimpleAggregateFunction(sum, Decimal(38, 8)) AFTER duration, MODIFY ORDER BY (site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency);

ALTER TABLE {db}.event_names_hour ADD COLUMN IF NOT EXISTS currency LowCardinality(String) AFTER utm_term, ADD COLUMN IF NOT EXISTS revenue SimpleAggregateFunction(sum, Decimal(38, 8)) AFTER duration, MODIFY ORDER BY (site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency);

ALTER TABLE {db}.event_names_day ADD COLUMN IF NOT EXISTS currency LowCardinality(String) AFTER utm_term, ADD COLUMN IF NOT EXISTS revenue Decimal(38, 8) AFTER duration, MODIFY ORDER BY (site, day, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency);

DROP VIEW IF EXISTS {db}.event_names_minute_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_names_minute_mv TO {db}.event_names_minute AS
SELECT site, ts AS ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(revenue) AS revenue,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_names
GROUP BY site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency;

DROP VIEW IF EXISTS {db}.event_names_hour_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_names_hour_mv TO {db}.event_names_hour AS
SELECT site, toStartOfHour(ts) AS ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(revenue) AS revenue,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_names
GROUP BY site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency;

-- 2. Custom events and goals by the visit's device, browser and OS.
CREATE TABLE IF NOT EXISTS {db}.ingest_event_tech
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    device LowCardinality(String),
    browser LowCardinality(String),
    os LowCardinality(String),
    currency LowCardinality(String),
    visitor_key UInt64,
    pageviews Int64,
    events Int64,
    visits Int64,
    bounces Int64,
    duration Int64,
    revenue Decimal(38, 8)
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS {db}.event_tech_minute
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    device LowCardinality(String),
    browser LowCardinality(String),
    os LowCardinality(String),
    currency LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events SimpleAggregateFunction(sum, Int64),
    visits SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    duration SimpleAggregateFunction(sum, Int64),
    revenue SimpleAggregateFunction(sum, Decimal(38, 8)),
    visitors AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (site, ts, name, device, browser, os, currency)
TTL ts + INTERVAL 48 HOUR
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_tech_minute_mv TO {db}.event_tech_minute AS
SELECT site, ts AS ts, name, device, browser, os, currency,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(revenue) AS revenue,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_tech
GROUP BY site, ts, name, device, browser, os, currency;

CREATE TABLE IF NOT EXISTS {db}.event_tech_hour
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    device LowCardinality(String),
    browser LowCardinality(String),
    os LowCardinality(String),
    currency LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events SimpleAggregateFunction(sum, Int64),
    visits SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    duration SimpleAggregateFunction(sum, Int64),
    revenue SimpleAggregateFunction(sum, Decimal(38, 8)),
    visitors AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (site, ts, name, device, browser, os, currency)
TTL ts + INTERVAL {retention_months} MONTH
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_tech_hour_mv TO {db}.event_tech_hour AS
SELECT site, toStartOfHour(ts) AS ts, name, device, browser, os, currency,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(revenue) AS revenue,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_tech
GROUP BY site, ts, name, device, browser, os, currency;

CREATE TABLE IF NOT EXISTS {db}.event_tech_day
(
    site LowCardinality(String),
    -- The site's local date (its time zone when the day was closed).
    day Date,
    name LowCardinality(String),
    device LowCardinality(String),
    browser LowCardinality(String),
    os LowCardinality(String),
    currency LowCardinality(String),
    pageviews Int64,
    events Int64,
    visits Int64,
    bounces Int64,
    duration Int64,
    revenue Decimal(38, 8),
    visitors UInt64,
    closed_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(closed_at)
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, name, device, browser, os, currency)
TTL day + INTERVAL {retention_months} MONTH;

-- 2. Custom events and goals by the visit's entry page.
CREATE TABLE IF NOT EXISTS {db}.ingest_event_entry_pages
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    entry_page LowCardinality(String),
    currency LowCardinality(String),
    visitor_key UInt64,
    pageviews Int64,
    events Int64,
    visits Int64,
    bounces Int64,
    duration Int64,
    revenue Decimal(38, 8)
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS {db}.event_entry_pages_minute
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    entry_page LowCardinality(String),
    currency LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events SimpleAggregateFunction(sum, Int64),
    visits SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    duration SimpleAggregateFunction(sum, Int64),
    revenue SimpleAggregateFunction(sum, Decimal(38, 8)),
    visitors AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (site, ts, name, entry_page, currency)
TTL ts + INTERVAL 48 HOUR
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_entry_pages_minute_mv TO {db}.event_entry_pages_minute AS
SELECT site, ts AS ts, name, entry_page, currency,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(revenue) AS revenue,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_entry_pages
GROUP BY site, ts, name, entry_page, currency;

CREATE TABLE IF NOT EXISTS {db}.event_entry_pages_hour
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    entry_page LowCardinality(String),
    currency LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events SimpleAggregateFunction(sum, Int64),
    visits SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    duration SimpleAggregateFunction(sum, Int64),
    revenue SimpleAggregateFunction(sum, Decimal(38, 8)),
    visitors AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (site, ts, name, entry_page, currency)
TTL ts + INTERVAL {retention_months} MONTH
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_entry_pages_hour_mv TO {db}.event_entry_pages_hour AS
SELECT site, toStartOfHour(ts) AS ts, name, entry_page, currency,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(revenue) AS revenue,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_entry_pages
GROUP BY site, ts, name, entry_page, currency;

CREATE TABLE IF NOT EXISTS {db}.event_entry_pages_day
(
    site LowCardinality(String),
    -- The site's local date (its time zone when the day was closed).
    day Date,
    name LowCardinality(String),
    entry_page LowCardinality(String),
    currency LowCardinality(String),
    pageviews Int64,
    events Int64,
    visits Int64,
    bounces Int64,
    duration Int64,
    revenue Decimal(38, 8),
    visitors UInt64,
    closed_at DateTime('UTC')
)
ENGINE = ReplacingMergeTree(closed_at)
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, name, entry_page, currency)
TTL day + INTERVAL {retention_months} MONTH;

-- 3. Engagement counters on the pages cube.
ALTER TABLE {db}.ingest_pages ADD COLUMN IF NOT EXISTS scroll_sum Int64, ADD COLUMN IF NOT EXISTS scroll_visits Int64, ADD COLUMN IF NOT EXISTS engaged_ms Int64;

ALTER TABLE {db}.pages_minute ADD COLUMN IF NOT EXISTS scroll_sum SimpleAggregateFunction(sum, Int64) AFTER duration, ADD COLUMN IF NOT EXISTS scroll_visits SimpleAggregateFunction(sum, Int64) AFTER scroll_sum, ADD COLUMN IF NOT EXISTS engaged_ms SimpleAggregateFunction(sum, Int64) AFTER scroll_visits;

ALTER TABLE {db}.pages_hour ADD COLUMN IF NOT EXISTS scroll_sum SimpleAggregateFunction(sum, Int64) AFTER duration, ADD COLUMN IF NOT EXISTS scroll_visits SimpleAggregateFunction(sum, Int64) AFTER scroll_sum, ADD COLUMN IF NOT EXISTS engaged_ms SimpleAggregateFunction(sum, Int64) AFTER scroll_visits;

ALTER TABLE {db}.pages_day ADD COLUMN IF NOT EXISTS scroll_sum Int64 AFTER duration, ADD COLUMN IF NOT EXISTS scroll_visits Int64 AFTER scroll_sum, ADD COLUMN IF NOT EXISTS engaged_ms Int64 AFTER scroll_visits;

DROP VIEW IF EXISTS {db}.pages_minute_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.pages_minute_mv TO {db}.pages_minute AS
SELECT site, ts AS ts, path,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(scroll_sum) AS scroll_sum, sum(scroll_visits) AS scroll_visits, sum(engaged_ms) AS engaged_ms,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_pages
GROUP BY site, ts, path;

DROP VIEW IF EXISTS {db}.pages_hour_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.pages_hour_mv TO {db}.pages_hour AS
SELECT site, toStartOfHour(ts) AS ts, path,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(scroll_sum) AS scroll_sum, sum(scroll_visits) AS scroll_visits, sum(engaged_ms) AS engaged_ms,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_pages
GROUP BY site, ts, path;

-- 4. Allowed prop values per event name.
CREATE TABLE IF NOT EXISTS {db}.ingest_event_props
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    prop_key LowCardinality(String),
    prop_value LowCardinality(String),
    visitor_key UInt64,
    pageviews Int64,
    events Int64,
    visits Int64,
    bounces Int64,
    duration Int64,

)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS {db}.event_props_minute
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    prop_key LowCardinality(String),
    prop_value LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events SimpleAggregateFunction(sum, Int64),
    visits SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    duration SimpleAggregateFunction(sum, Int64),

    visitors AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (site, ts, name, prop_key, prop_value)
TTL ts + INTERVAL 48 HOUR
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_props_minute_mv TO {db}.event_props_minute AS
SELECT site, ts AS ts, name, prop_key, prop_value,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_props
GROUP BY site, ts, name, prop_key, prop_value;

CREATE TABLE IF NOT EXISTS {db}.event_props_hour
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    name LowCardinality(String),
    prop_key LowCardinality(String),
    prop_value LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events SimpleAggregateFunction(sum, Int64),
    visits SimpleAggregateFunction(sum, Int64),
    bounces SimpleAggregateFunction(sum, Int64),
    duration SimpleAggregateFunction(sum, Int64),

    visitors AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (site, ts, name, prop_key, prop_value)
TTL ts + INTERVAL {retention_months} MONTH
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_props_hour_mv TO {db}.event_props_hour AS
SELECT site, toStartOfHour(ts) AS ts, name, prop_key, prop_value,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_props
GROUP BY site, ts, name, prop_key, prop_value;

CREATE TABLE IF NOT EXISTS {db}.event_props_day
(
    site LowCardinality(String),
    -- The site's local date (its time zone when the day was closed).
    day Date,
    name LowCardinality(String),
    prop_key LowCardinality(String),
    prop_value LowCardinality(String),
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
ORDER BY (site, day, name, prop_key, prop_value)
TTL day + INTERVAL {retention_months} MONTH;

