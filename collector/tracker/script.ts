// The tracker script as the collector serves it at GET /js/script.js, and the snippet a site
// owner pastes into their pages. tracker.js stays readable in the repo; esbuild (a minifier made
// for the job, already in the toolchain) shrinks it once, when the module loads, so the collector
// needs no build step and nothing runs per request.
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';

const TRACKER_SOURCE = readFileSync(new URL('./tracker.js', import.meta.url), 'utf8');

/** The tracker minified for browsers back to ES2015 (no syntax is raised beyond what tracker.js uses). */
export function minifyTracker(source: string): string {
  return transformSync(source, { minify: true, target: 'es2015', legalComments: 'none' }).code.trim();
}

export const TRACKER_SCRIPT: string = minifyTracker(TRACKER_SOURCE);

/** The copy-paste tag for a site's pages. Attribute values are escaped: both come from configuration. */
export function snippet(collectorOrigin: string, domain: string): string {
  const src = collectorOrigin.replace(/\/+$/, '') + '/js/script.js';
  return `<script defer data-domain="${escapeAttribute(domain)}" src="${escapeAttribute(src)}"></script>`;
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
