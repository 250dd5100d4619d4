// A cardinality flood (issue 11 §1): beacons with a unique value on every free-text dimension,
// from many addresses (each far under every default abuse limit), over real HTTP into a real
// collector on embedded ClickHouse, through scripts/faults/flood.ts (`npm run faults -- --only=flood`
// sends 200,000 the same way; the README has its figures). Here FLOOD_QUICK: enough beacons to
// pass the largest limit (paths, 10,000), so every dimension folds.
import { describe, expect, it } from 'vitest';
import { CAPPED_DIMENSIONS, CARDINALITY_LIMITS } from '../../collector/cardinality/limits.ts';
import { FLOOD_QUICK, run, type FloodFigures } from '../../scripts/faults/flood.ts';

describe('a flood of unique values on every dimension', () => {
  let f: FloodFigures;

  it('is accepted and counted: every accepted event is counted once in every cube (totals conserved)', async () => {
    f = await run(FLOOD_QUICK);
    expect(FLOOD_QUICK.beacons).toBeGreaterThan(CARDINALITY_LIMITS.path.perDay);
    expect(f.accepted).toBe(FLOOD_QUICK.beacons);
    expect(f.countedMetric).toBe(f.accepted);
    expect(f.storedTotals).toEqual({ acquisition: f.accepted, pages: f.accepted, entry_pages: f.accepted, tech: f.accepted, event_props: f.accepted });
    expect(f.customEventsAccepted).toBe(FLOOD_QUICK.beacons / 2);
    expect(f.storedCustomEvents).toBe(f.customEventsAccepted);
  }, 120_000);

  it('each dimension keeps at most its limit + "(other)"; the fold counter equals the events stored under "(other)" and the limit predicts it', () => {
    expect(Object.keys(f.dimensions).sort()).toEqual([...CAPPED_DIMENSIONS, 'path (entry pages)'].sort());
    for (const [dimension, d] of Object.entries(f.dimensions)) {
      // Every dimension was flooded past its limit, so exactly limit values + "(other)" remain.
      expect(d.sent, dimension).toBeGreaterThan(d.limit);
      expect(d.distinct, dimension).toBe(d.limit + 1);
      if (d.unique) expect(d.foldedExpected, dimension).toBe(d.sent - d.limit);
      else expect(d.foldedExpected, dimension).toBeGreaterThan(0);
      expect(d.foldedMetric, dimension).toBe(d.foldedExpected);
      expect(d.foldedStored, dimension).toBe(d.foldedExpected);
    }
    expect(f.dimensions.browser!.unique).toBe(false);
    // The exact numbers for this traffic: 10,500 beacons, 5,250 of them custom events.
    expect(f.dimensions.utm_campaign!.foldedMetric).toBe(9_500);
    expect(f.dimensions.event_name!.foldedMetric).toBe(4_250);
    expect(f.dimensions.path!.foldedMetric).toBe(500);
  });

  it('the cap sets hold no more than the limits allow, and the store holds a bounded number of rows', () => {
    // Every set is full, and holds no more.
    expect(f.capValuesHeld).toBe(CAPPED_DIMENSIONS.reduce((n, d) => n + CARDINALITY_LIMITS[d].perDay, 0));
    // Without the caps each of the 10,500 visits would be a row of its own in every cube. With
    // them, once the largest acquisition limit (2,000) is reached, every later visit lands in an
    // all-"(other)" row (one per channel, a fixed list of 20, worked out from the raw values).
    expect(f.rowsByTable.acquisition_hour).toBeGreaterThan(CARDINALITY_LIMITS.referrer_host.perDay);
    expect(f.rowsByTable.acquisition_hour).toBeLessThanOrEqual(CARDINALITY_LIMITS.referrer_host.perDay + 20);
    expect(f.rowsByTable.pages_hour).toBe(CARDINALITY_LIMITS.path.perDay + 1);
    expect(f.rssAfterBytes).toBeGreaterThan(0);
  });
});
