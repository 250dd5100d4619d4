// Migration 011 on a store that already holds aggregates (an upgrade, not a fresh start): rows
// booked before it read country '' ("(not set)"), nothing is lost, new rows carry their country,
// and the cubes' sorting keys end with it (so rows of different countries never merge).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStore, type Store } from '../../schema/client.ts';
import { loadMigrations } from '../../schema/migrate.ts';
import { tempDir, type TempDir } from '../helpers/telmark.ts';

let dir: TempDir;
let store: Store;
beforeAll(() => {
  dir = tempDir('telmark-countries-migration-');
  store = openStore({ mode: 'embedded', dataDir: dir.path, database: 'tm' });
});
afterAll(async () => {
  await store.close();
  dir.remove();
});

const run = (sql: string) =>
  store.client.command({ query: sql.replaceAll('{db}', 'tm').replaceAll('{retention_months}', '25').replaceAll('{audit_retention_days}', '400') });
/** Rows with counts as numbers, whichever way the client quotes 64-bit integers. */
const rows = async (query: string) =>
  (await (await store.client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>()).map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, k === 'pv' || k === 'v' ? Number(v) : v])),
  );
const ACQ = 'site, ts, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term';
const COUNTERS = 'pageviews, events, visits, bounces, duration';

it('keeps what was booked before it (as country "") and books new rows with their country', async () => {
  await run('CREATE DATABASE IF NOT EXISTS tm');
  const migrations = loadMigrations();
  for (const m of migrations.filter((m) => m.version < 11)) for (const s of m.statements) await run(s);
  // Before 011: two visitors from Google in the hour cubes, a closed day, a conversion with revenue.
  await run(`INSERT INTO tm.ingest_acquisition (${ACQ}, visitor_key, ${COUNTERS}) VALUES
    ('s', '2026-11-20 10:00:00', 'Google', 'Organic Search', 'google.com', '', '', '', '', '', 1, 1, 0, 1, 1, 0),
    ('s', '2026-11-20 10:00:00', 'Google', 'Organic Search', 'google.com', '', '', '', '', '', 2, 1, 0, 1, 1, 0)`);
  await run(`INSERT INTO tm.acquisition_day (site, day, source, channel, referrer_host, utm_source, utm_medium, utm_campaign, utm_content, utm_term, ${COUNTERS}, visitors, closed_at)
    VALUES ('s', '2026-11-19', 'Google', 'Organic Search', 'google.com', '', '', '', '', '', 5, 0, 5, 5, 0, 5, now())`);
  await run(`INSERT INTO tm.ingest_tech (site, ts, device, browser, os, visitor_key, ${COUNTERS}) VALUES ('s', '2026-11-20 10:00:00', 'desktop', 'Chrome', 'Windows', 1, 1, 0, 1, 1, 0)`);
  await run(`INSERT INTO tm.ingest_event_names (${ACQ.replace('ts, ', 'ts, name, ')}, currency, visitor_key, ${COUNTERS}, revenue)
    VALUES ('s', '2026-11-20 10:00:00', 'Signup', 'Google', 'Organic Search', 'google.com', '', '', '', '', '', 'EUR', 1, 0, 1, 0, 0, 0, 1.5)`);

  const m011 = migrations.find((m) => m.version === 11)!;
  expect(m011.name).toBe('011_countries');
  for (const s of m011.statements) await run(s);
  await run(`INSERT INTO tm.ingest_acquisition (${ACQ}, country, visitor_key, ${COUNTERS}) VALUES ('s', '2026-11-20 10:05:00', 'Google', 'Organic Search', 'google.com', '', '', '', '', '', 'DE', 3, 1, 0, 1, 1, 0)`);
  await run(`INSERT INTO tm.ingest_tech (site, ts, device, browser, os, country, visitor_key, ${COUNTERS}) VALUES ('s', '2026-11-20 10:05:00', 'desktop', 'Chrome', 'Windows', 'DE', 3, 1, 0, 1, 1, 0)`);
  await run('OPTIMIZE TABLE tm.acquisition_hour FINAL');

  expect(await rows('SELECT country, sum(pageviews) AS pv, uniqCombined64Merge(visitors) AS v FROM tm.acquisition_hour GROUP BY country ORDER BY country')).toEqual([
    { country: '', pv: 2, v: 2 },
    { country: 'DE', pv: 1, v: 1 },
  ]);
  expect(await rows('SELECT country, sum(visitors) AS v FROM tm.acquisition_day FINAL GROUP BY country')).toEqual([{ country: '', v: 5 }]);
  expect(await rows('SELECT country, uniqCombined64Merge(visitors) AS v FROM tm.tech_hour GROUP BY country ORDER BY country')).toEqual([
    { country: '', v: 1 },
    { country: 'DE', v: 1 },
  ]);
  expect(await rows('SELECT name, country, currency, toString(sum(revenue)) AS r FROM tm.event_names_hour GROUP BY name, country, currency')).toEqual([
    { name: 'Signup', country: '', currency: 'EUR', r: '1.5' },
  ]);
  const keys = await rows("SELECT name, sorting_key FROM system.tables WHERE database = 'tm' AND sorting_key LIKE '%country%' ORDER BY name");
  expect(keys.map((k) => k.name)).toEqual([
    'acquisition_day', 'acquisition_hour', 'acquisition_minute', 'event_names_day', 'event_names_hour', 'event_names_minute', 'tech_day', 'tech_hour', 'tech_minute',
  ]);
  for (const k of keys) expect(String(k.sorting_key).endsWith('country'), String(k.name)).toBe(true);
});
