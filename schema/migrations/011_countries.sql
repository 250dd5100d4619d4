-- Countries (issue 10). The collector looks the full client address up in a country database
-- before truncating it and keeps only the ISO 3166-1 alpha-2 code ('' when unknown: private,
-- loopback, documentation addresses, or none in the database). Nothing else of the look-up is kept.
--
-- Which cubes hold `country`: aggregates cannot be crossed after the fact, so the column goes
-- where marketers combine it:
-- 1. the acquisition cube: countries by source, channel, referrer and the five UTM fields (and a
--    country filter on the headline numbers and time chart, which read this cube);
-- 2. the tech cube: countries by device, browser and OS;
-- 3. the custom-event cube by acquisition (event_names): goal conversions, conversion rates and
--    revenue per country, so a country filter still works with a goal picked.
-- Not the pages, entry-page, event-tech, event-entry-page, props or funnel cubes: a country column
-- there would multiply their rows for crossings nobody asked for.
--
-- Cost: a visit has one country, so each cube row splits by the countries of the visits behind it.
-- A site with visitors from ~50 countries has at most ~50x the rows per (minute, source, ...)
-- combination in these three cubes, in practice far fewer (most long-tail sources come from one
-- or two countries); LowCardinality keeps the column itself to a byte or two per row.
-- Rows booked before this migration have country '' ("(not set)").

ALTER TABLE {db}.ingest_acquisition ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER utm_term;

ALTER TABLE {db}.acquisition_minute ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER utm_term, MODIFY ORDER BY (site, ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country);

ALTER TABLE {db}.acquisition_hour ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER utm_term, MODIFY ORDER BY (site, ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country);

ALTER TABLE {db}.acquisition_day ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER utm_term, MODIFY ORDER BY (site, day, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country);

DROP VIEW IF EXISTS {db}.acquisition_minute_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.acquisition_minute_mv TO {db}.acquisition_minute AS
SELECT site, ts AS ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_acquisition
GROUP BY site, ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country;

DROP VIEW IF EXISTS {db}.acquisition_hour_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.acquisition_hour_mv TO {db}.acquisition_hour AS
SELECT site, toStartOfHour(ts) AS ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_acquisition
GROUP BY site, ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country;

-- 2. The tech cube.
ALTER TABLE {db}.ingest_tech ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER os;

ALTER TABLE {db}.tech_minute ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER os, MODIFY ORDER BY (site, ts, device, browser, os, country);

ALTER TABLE {db}.tech_hour ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER os, MODIFY ORDER BY (site, ts, device, browser, os, country);

ALTER TABLE {db}.tech_day ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER os, MODIFY ORDER BY (site, day, device, browser, os, country);

DROP VIEW IF EXISTS {db}.tech_minute_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.tech_minute_mv TO {db}.tech_minute AS
SELECT site, ts AS ts, device, browser, os, country,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_tech
GROUP BY site, ts, device, browser, os, country;

DROP VIEW IF EXISTS {db}.tech_hour_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.tech_hour_mv TO {db}.tech_hour AS
SELECT site, toStartOfHour(ts) AS ts, device, browser, os, country,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_tech
GROUP BY site, ts, device, browser, os, country;

-- 3. The custom-event cube by acquisition: the visit's country beside its credited acquisition.
ALTER TABLE {db}.ingest_event_names ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER utm_term;

ALTER TABLE {db}.event_names_minute ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER utm_term, MODIFY ORDER BY (site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency, country);

ALTER TABLE {db}.event_names_hour ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER utm_term, MODIFY ORDER BY (site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency, country);

ALTER TABLE {db}.event_names_day ADD COLUMN IF NOT EXISTS country LowCardinality(String) AFTER utm_term, MODIFY ORDER BY (site, day, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, currency, country);

DROP VIEW IF EXISTS {db}.event_names_minute_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_names_minute_mv TO {db}.event_names_minute AS
SELECT site, ts AS ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country, currency,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(revenue) AS revenue,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_names
GROUP BY site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country, currency;

DROP VIEW IF EXISTS {db}.event_names_hour_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.event_names_hour_mv TO {db}.event_names_hour AS
SELECT site, toStartOfHour(ts) AS ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country, currency,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(revenue) AS revenue,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_event_names
GROUP BY site, ts, name, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, country, currency;
