// Our referrer classification against snowplow referer-parser's referer-tests.json: for each
// referrer URL, do we name the same source and put it in the same medium?
//
// A case passes only when both match. Our answer comes from the public classifyAcquisition (a
// landing page with no tags on a site unrelated to the referrer), so this measures the product.
//
// Mapping our channel to snowplow's medium (they have search/social/email/paid/chatbot/unknown/
// internal; we have GA4 channels):
//   Organic Search -> search      Organic Social, Organic Video -> social (snowplow files video
//   Email -> email                sites under social)
//   AI Assistants -> chatbot      Paid * / Display / Cross-network -> paid
//   internal result -> internal   anything else (Referral, Organic Shopping, ...) -> unknown
//
// Name comparison (in this test only, never in the product): case-insensitive, after removing what
// is spelling rather than identity, so a case fails only when we name a different site:
// - a vertical suffix snowplow adds to an engine's name: "Google Images", "Ask Toolbar" -> the
//   engine (we name the site, not which of its products sent the visitor);
// - a product word after a mail brand: "Orange Webmail", "Proton Mail" -> "orange", "proton";
// - a ".ai"/" AI"/".com" tail: "Claude.ai"/"Claude", "META.ai"/"Meta AI", "Mail.com"/"mail.com";
// - two renames: X was Twitter ("X (Twitter)"), and 1&1 is spelled "1und1" in German URLs.
import { classifyAcquisition } from '../../../collector/classify/acquisition.js';
import type { Channel } from '../../../collector/classify/types.js';
import { readJsonFixture, SNOWPLOW_REFERER_TESTS, suiteResult, type ConformanceSuite, type SuiteResult } from '../framework.js';

const SITE = 'telmark-conformance.example';

interface RefererCase {
  spec: string;
  uri: string;
  medium: string;
  source: string | null;
}

const MEDIUM_OF_CHANNEL: Partial<Record<Channel, string>> = {
  'Organic Search': 'search',
  'Organic Social': 'social',
  'Organic Video': 'social',
  Email: 'email',
  'AI Assistants': 'chatbot',
  'Paid Search': 'paid',
  'Paid Social': 'paid',
  'Paid Video': 'paid',
  'Paid Shopping': 'paid',
  'Paid Other': 'paid',
  Display: 'paid',
  'Cross-network': 'paid',
};

const RENAMES: ReadonlyMap<string, string> = new Map([
  ['x (twitter)', 'twitter'],
  ['1&1', '1und1'],
]);
const VERTICAL_SUFFIX = / (?:images|toolbar|webmail|mail|email)$/;
const AI_OR_COM_TAIL = /(?:\.ai| ai|\.com)$/;

function normalizeName(name: string): string {
  const n = name.trim().toLowerCase();
  const renamed = RENAMES.get(n) ?? n;
  return renamed.replace(VERTICAL_SUFFIX, '').replace(AI_OR_COM_TAIL, '');
}

function classify(uri: string): { medium: string; source: string } {
  const result = classifyAcquisition({ referrer: uri, pageUrl: new URL(`https://${SITE}/`), siteDomain: SITE });
  if (result.kind === 'internal') return { medium: 'internal', source: '' };
  if (result.kind === 'spam') return { medium: 'spam', source: result.host };
  const a = result.acquisition;
  return { medium: MEDIUM_OF_CHANNEL[a.channel] ?? 'unknown', source: a.source };
}

const suite: ConformanceSuite = {
  name: 'snowplow referer-tests',
  needs: [SNOWPLOW_REFERER_TESTS],
  run(peerdata: string): SuiteResult {
    const cases = readJsonFixture<RefererCase[]>(peerdata, SNOWPLOW_REFERER_TESTS);
    const failures: string[] = [];
    let passed = 0;
    for (const c of cases) {
      const got = classify(c.uri);
      const sourceOk = normalizeName(got.source) === normalizeName(c.source ?? '');
      if (sourceOk && got.medium === c.medium) passed++;
      else failures.push(`${c.spec}: expected ${c.source}/${c.medium}, got ${got.source || "''"}/${got.medium}`);
    }
    return suiteResult({ name: 'snowplow referer-tests (source + medium)', passed, total: cases.length, target: { minRate: 0.95, label: '>= 95% source and medium' }, failures });
  },
};

export default suite;
