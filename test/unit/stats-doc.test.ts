// The Stats API's metrics and dimensions are declared once (dashboard/server/stats/dimensions.ts);
// the README's metric table and dimension lists must name exactly those.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIMENSIONS, METRICS, PROP_PREFIX, TIME_DIMENSIONS } from '../../dashboard/server/stats/dimensions.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const statsSection = readme.slice(readme.indexOf('### Stats API (dashboard server)'), readme.indexOf('## Running at scale'));

describe('the Stats API registry and its docs', () => {
  it('the README\'s metric table lists every metric, and only those', () => {
    const documented = statsSection
      .split('\n')
      .filter((l) => /^\s*\| `/.test(l))
      .flatMap((l) => [...l.split('|')[1]!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1]!));
    expect([...documented].sort()).toEqual([...METRICS].sort());
  });

  it('the README names every dimension', () => {
    for (const d of [...Object.keys(DIMENSIONS), ...TIME_DIMENSIONS, `${PROP_PREFIX}<key>`]) {
      const named = d.startsWith('visit:utm_') ? statsSection.includes(d) || statsSection.includes('`visit:utm_*`') : statsSection.includes(`\`${d}\``);
      expect(named, d).toBe(true);
    }
  });
});
