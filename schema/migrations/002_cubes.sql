-- Aggregate-only storage. The flusher inserts pre-aggregated rows (one per cube key, minute and
-- daily-salted visitor key) into Null-engine ingest tables, which store nothing; materialized views
-- fold them into AggregatingMergeTree cubes: sums for counts, uniqCombined64 states for visitors.
-- Minute cubes live 48 hours (recent/realtime views); hour cubes live RETENTION_MONTHS.
-- non_replicated_deduplication_window lets a retried flush (same insert_deduplication_token) count once.

CREATE TABLE IF NOT EXISTS {db}.ingest_acquisition
(
    site LowCardinality(String),
    ts DateTime('UTC'),
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

CREATE TABLE IF NOT EXISTS {db}.acquisition_minute
(
    site LowCardinality(String),
    ts DateTime('UTC'),
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
ORDER BY (site, ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term)
TTL ts + INTERVAL 48 HOUR
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.acquisition_minute_mv TO {db}.acquisition_minute AS
SELECT site, ts AS ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_acquisition
GROUP BY site, ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term;

CREATE TABLE IF NOT EXISTS {db}.acquisition_hour
(
    site LowCardinality(String),
    ts DateTime('UTC'),
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
ORDER BY (site, ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term)
TTL ts + INTERVAL {retention_months} MONTH
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.acquisition_hour_mv TO {db}.acquisition_hour AS
SELECT site, toStartOfHour(ts) AS ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_acquisition
GROUP BY site, ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term;

CREATE TABLE IF NOT EXISTS {db}.ingest_pages
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    path LowCardinality(String),
    visitor_key UInt64,
    pageviews   Int64,
    events      Int64,
    visits      Int64,
    bounces     Int64,
    duration    Int64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS {db}.pages_minute
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    path LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events    SimpleAggregateFunction(sum, Int64),
    visits    SimpleAggregateFunction(sum, Int64),
    bounces   SimpleAggregateFunction(sum, Int64),
    duration  SimpleAggregateFunction(sum, Int64),
    visitors  AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (site, ts, path)
TTL ts + INTERVAL 48 HOUR
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.pages_minute_mv TO {db}.pages_minute AS
SELECT site, ts AS ts, path,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_pages
GROUP BY site, ts, path;

CREATE TABLE IF NOT EXISTS {db}.pages_hour
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    path LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events    SimpleAggregateFunction(sum, Int64),
    visits    SimpleAggregateFunction(sum, Int64),
    bounces   SimpleAggregateFunction(sum, Int64),
    duration  SimpleAggregateFunction(sum, Int64),
    visitors  AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (site, ts, path)
TTL ts + INTERVAL {retention_months} MONTH
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.pages_hour_mv TO {db}.pages_hour AS
SELECT site, toStartOfHour(ts) AS ts, path,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_pages
GROUP BY site, ts, path;

CREATE TABLE IF NOT EXISTS {db}.ingest_entry_pages
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    entry_page LowCardinality(String),
    visitor_key UInt64,
    pageviews   Int64,
    events      Int64,
    visits      Int64,
    bounces     Int64,
    duration    Int64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS {db}.entry_pages_minute
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    entry_page LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events    SimpleAggregateFunction(sum, Int64),
    visits    SimpleAggregateFunction(sum, Int64),
    bounces   SimpleAggregateFunction(sum, Int64),
    duration  SimpleAggregateFunction(sum, Int64),
    visitors  AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (site, ts, entry_page)
TTL ts + INTERVAL 48 HOUR
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.entry_pages_minute_mv TO {db}.entry_pages_minute AS
SELECT site, ts AS ts, entry_page,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_entry_pages
GROUP BY site, ts, entry_page;

CREATE TABLE IF NOT EXISTS {db}.entry_pages_hour
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    entry_page LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events    SimpleAggregateFunction(sum, Int64),
    visits    SimpleAggregateFunction(sum, Int64),
    bounces   SimpleAggregateFunction(sum, Int64),
    duration  SimpleAggregateFunction(sum, Int64),
    visitors  AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (site, ts, entry_page)
TTL ts + INTERVAL {retention_months} MONTH
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.entry_pages_hour_mv TO {db}.entry_pages_hour AS
SELECT site, toStartOfHour(ts) AS ts, entry_page,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_entry_pages
GROUP BY site, ts, entry_page;

CREATE TABLE IF NOT EXISTS {db}.ingest_tech
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    device LowCardinality(String),
    browser LowCardinality(String),
    os LowCardinality(String),
    visitor_key UInt64,
    pageviews   Int64,
    events      Int64,
    visits      Int64,
    bounces     Int64,
    duration    Int64
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS {db}.tech_minute
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    device LowCardinality(String),
    browser LowCardinality(String),
    os LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events    SimpleAggregateFunction(sum, Int64),
    visits    SimpleAggregateFunction(sum, Int64),
    bounces   SimpleAggregateFunction(sum, Int64),
    duration  SimpleAggregateFunction(sum, Int64),
    visitors  AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMMDD(ts)
ORDER BY (site, ts, device, browser, os)
TTL ts + INTERVAL 48 HOUR
SETTINGS non_replicated_deduplication_window = 10000, ttl_only_drop_parts = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.tech_minute_mv TO {db}.tech_minute AS
SELECT site, ts AS ts, device, browser, os,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_tech
GROUP BY site, ts, device, browser, os;

CREATE TABLE IF NOT EXISTS {db}.tech_hour
(
    site LowCardinality(String),
    ts DateTime('UTC'),
    device LowCardinality(String),
    browser LowCardinality(String),
    os LowCardinality(String),
    pageviews SimpleAggregateFunction(sum, Int64),
    events    SimpleAggregateFunction(sum, Int64),
    visits    SimpleAggregateFunction(sum, Int64),
    bounces   SimpleAggregateFunction(sum, Int64),
    duration  SimpleAggregateFunction(sum, Int64),
    visitors  AggregateFunction(uniqCombined64, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (site, ts, device, browser, os)
TTL ts + INTERVAL {retention_months} MONTH
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.tech_hour_mv TO {db}.tech_hour AS
SELECT site, toStartOfHour(ts) AS ts, device, browser, os,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_tech
GROUP BY site, ts, device, browser, os;
