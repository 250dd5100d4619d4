-- Exit pages (issue 10, section 6).
--
-- The pages cube gains `exits`: how many of a page's pageviews were the last of their visit.
-- The collector books it as deltas as a visit moves on (collector/exit-pages.ts): a pageview adds
-- +1 to its own page in its own minute, and takes the exit back (-1) from the visit's previous
-- last pageview, in that pageview's minute and under that page. So every minute row holds
-- 0 <= exits <= pageviews, over any range exits / pageviews is the exit rate, and over a range
-- that holds whole visits the exits add up to the visits with a pageview. A visit that ends (idle,
-- or evicted) simply keeps its last page. Rows booked before this migration have exits 0.
--
-- The visitor sketches are unchanged: a -1 row carries the visitor key of the pageview it
-- corrects, which that minute and page already hold.

ALTER TABLE {db}.ingest_pages ADD COLUMN IF NOT EXISTS exits Int64;

ALTER TABLE {db}.pages_minute ADD COLUMN IF NOT EXISTS exits SimpleAggregateFunction(sum, Int64) AFTER engaged_ms;

ALTER TABLE {db}.pages_hour ADD COLUMN IF NOT EXISTS exits SimpleAggregateFunction(sum, Int64) AFTER engaged_ms;

ALTER TABLE {db}.pages_day ADD COLUMN IF NOT EXISTS exits Int64 AFTER engaged_ms;

DROP VIEW IF EXISTS {db}.pages_minute_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.pages_minute_mv TO {db}.pages_minute AS
SELECT site, ts AS ts, path,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(scroll_sum) AS scroll_sum, sum(scroll_visits) AS scroll_visits, sum(engaged_ms) AS engaged_ms,
       sum(exits) AS exits,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_pages
GROUP BY site, ts, path;

DROP VIEW IF EXISTS {db}.pages_hour_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.pages_hour_mv TO {db}.pages_hour AS
SELECT site, toStartOfHour(ts) AS ts, path,
       sum(pageviews) AS pageviews, sum(events) AS events, sum(visits) AS visits,
       sum(bounces) AS bounces, sum(duration) AS duration, sum(scroll_sum) AS scroll_sum, sum(scroll_visits) AS scroll_visits, sum(engaged_ms) AS engaged_ms,
       sum(exits) AS exits,
       uniqCombined64State(visitor_key) AS visitors
FROM {db}.ingest_pages
GROUP BY site, ts, path;
