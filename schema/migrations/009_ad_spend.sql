-- Ad spend (issue 9): what a marketer paid per campaign and day, imported from their ad
-- platforms' exports (CSV or JSON). The marketer's own numbers, not about visitors: nothing here
-- comes from a beacon. One row per (site, local day, utm_source, utm_campaign, utm_medium); a
-- re-import of the same key writes a new version that replaces it (a corrected export must not
-- double the spend), a deletion writes a version with deleted = 1. Read with FINAL. Campaigns
-- meet visits case-insensitively (ad platforms capitalise differently than the tags), so the key
-- holds the campaign lower-cased: "Spring" re-imported as "spring" replaces it, never adds to it.
CREATE TABLE IF NOT EXISTS {db}.ad_spend
(
    site          String,
    -- the site's local day the spend is for
    day           Date,
    -- cleaned exactly as the collector cleans UTM values (collector/classify/utm.ts)
    utm_source    String,
    utm_campaign  String,
    -- lower(utm_campaign): the key a re-import replaces
    campaign_key  String,
    utm_medium    String,
    -- exact decimal, as revenue
    amount        Decimal(38, 8),
    -- ISO 4217
    currency      LowCardinality(String),
    -- as the ad platform counted them; NULL when the export has none
    clicks        Nullable(UInt64),
    impressions   Nullable(UInt64),
    imported_at   DateTime64(3, 'UTC'),
    deleted       UInt8,
    version       UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, utm_source, campaign_key, utm_medium);
