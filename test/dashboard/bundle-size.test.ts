// The dashboard's first page stays under its budget (issue 10 §8: 150 KB gzip). What a browser
// loads before anything is shown: the scripts and styles dashboard/dist/index.html names (the
// entry and the chunks it preloads). The other views and the world map are separate chunks,
// loaded when first shown; they must stay out of the first page. The vitest globalSetup has
// built dashboard/dist from the current source.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const DIST = 'dashboard/dist';
export const FIRST_PAGE_BUDGET_BYTES = 150 * 1024;

const gzipped = (file: string) => gzipSync(readFileSync(`${DIST}/${file}`), { level: 9 }).length;

describe('dashboard bundle', () => {
  const index = readFileSync(`${DIST}/index.html`, 'utf8');
  const firstPage = [...index.matchAll(/(?:src|href)="\.\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);

  it(`the first page (entry, preloaded chunks, styles) is under ${FIRST_PAGE_BUDGET_BYTES / 1024} KB gzip`, () => {
    expect(firstPage.some((f) => f.endsWith('.js'))).toBe(true);
    expect(firstPage.some((f) => f.endsWith('.css'))).toBe(true);
    const total = firstPage.reduce((n, f) => n + gzipped(f), 0);
    console.log(`dashboard first page: ${firstPage.length} files, ${(total / 1024).toFixed(1)} KB gzip`);
    expect(total).toBeLessThan(FIRST_PAGE_BUDGET_BYTES);
  });

  it('the world map and the views other than sign-in and the Overview are chunks of their own, not in the first page', () => {
    const assets = readdirSync(`${DIST}/assets`);
    for (const lazy of ['worldMap', 'countries-110m', 'Campaigns', 'Goals', 'Security', 'Users', 'Account', 'Realtime']) {
      const chunk = assets.find((a) => a.startsWith(`${lazy}-`) && a.endsWith('.js'));
      expect(chunk, lazy).toBeDefined();
      expect(firstPage, lazy).not.toContain(`assets/${chunk}`);
    }
  });
});
