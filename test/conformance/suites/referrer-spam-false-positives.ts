// Our referrer-spam check must never drop a real source. Checked on every host in our own sources
// table ("name.*" rows as name.com) and on the real search engines, social networks and AI
// assistants other projects list (Matomo's CC0 lists) and test against (snowplow, Plausible).
// Target: zero flagged.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isSpamHost } from '../../../collector/classify/spam.js';
import { SOURCES } from '../../../collector/classify/tables/sources.js';
import { PLAUSIBLE_CASES, readJsonFixture, SNOWPLOW_REFERER_TESTS, suiteResult, type ConformanceSuite, type SuiteResult } from '../framework.js';

const MATOMO = 'matomo-searchengine-and-social-list';
const MATOMO_LISTS = ['SearchEngines.yml', 'Socials.yml', 'AIAssistants.yml'].map((f) => `${MATOMO}/${f}`);

/** Every string anywhere in a parsed yml document ("{}" TLD placeholders written as .com). */
function allStrings(doc: unknown, out: string[]): void {
  if (typeof doc === 'string') out.push(doc.replace('{}', 'com'));
  else if (doc && typeof doc === 'object') for (const v of Object.values(doc)) allStrings(v, out);
}

function hostOf(u: string | null): string | null {
  if (!u) return null;
  try {
    return new URL(u).hostname;
  } catch {
    return null;
  }
}

function legitimateHosts(peerdata: string): string[] {
  const hosts: string[] = SOURCES.flatMap((row) => row.hosts.map((h) => h.replace(/\.\*$/, '.com')));
  for (const f of MATOMO_LISTS) {
    const found: string[] = [];
    allStrings(parse(readFileSync(join(peerdata, f), 'utf8')), found);
    // Only host-shaped strings: the search lists also hold query-parameter names, patterns, charsets.
    hosts.push(...found.filter((h) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(h)));
  }
  const snowplow = readJsonFixture<{ uri: string }[]>(peerdata, SNOWPLOW_REFERER_TESTS);
  const plausible = readJsonFixture<{ source_resolve_cases: { referrer: string | null }[] }>(peerdata, PLAUSIBLE_CASES);
  for (const u of [...snowplow.map((c) => c.uri), ...plausible.source_resolve_cases.map((c) => c.referrer)]) {
    const h = hostOf(u);
    if (h) hosts.push(h);
  }
  return [...new Set(hosts.map((h) => h.toLowerCase()))];
}

const suite: ConformanceSuite = {
  name: 'referrer-spam false positives',
  needs: [...MATOMO_LISTS, SNOWPLOW_REFERER_TESTS, PLAUSIBLE_CASES],
  run(peerdata: string): SuiteResult {
    const hosts = legitimateHosts(peerdata);
    const flagged = hosts.filter((h) => isSpamHost(h));
    return suiteResult({
      name: 'referrer-spam false positives (real sources)',
      passed: hosts.length - flagged.length,
      total: hosts.length,
      target: { maxRate: 0, label: '0 real sources flagged' },
      // The false-positive rate.
      rate: hosts.length ? flagged.length / hosts.length : 0,
      failures: flagged,
    });
  },
};

export default suite;
