// Our source names against Plausible's source-resolution test cases: a request to plausible.io
// with a given Referer or utm_source. Known sites resolve to a canonical name ("Google",
// "X (Twitter)"); unknown ones to the bare host without "www.". The answer comes from the public
// classifyAcquisition, and a case passes when the source name is identical (case included).
import { classifyAcquisition } from '../../../collector/classify/acquisition.js';
import { PLAUSIBLE_CASES, readJsonFixture, suiteResult, type ConformanceSuite, type SuiteResult } from '../framework.js';

const SITE = 'plausible.io';

interface SourceCase {
  referrer: string | null;
  utm_source: string | null;
  expected_source: string;
}

function sourceFor(c: SourceCase): string {
  const pageUrl = new URL(`https://${SITE}/`);
  if (c.utm_source !== null) pageUrl.searchParams.set('utm_source', c.utm_source);
  const result = classifyAcquisition({ referrer: c.referrer, pageUrl, siteDomain: SITE });
  return result.kind === 'spam' ? `(spam ${result.host})` : result.acquisition.source;
}

const suite: ConformanceSuite = {
  name: 'plausible source resolution',
  needs: [PLAUSIBLE_CASES],
  run(peerdata: string): SuiteResult {
    const fixture = readJsonFixture<{ source_resolve_cases: SourceCase[] }>(peerdata, PLAUSIBLE_CASES);
    const cases = fixture.source_resolve_cases;
    const failures: string[] = [];
    let passed = 0;
    for (const c of cases) {
      const got = sourceFor(c);
      if (got === c.expected_source) passed++;
      else failures.push(`${c.referrer ?? `utm_source=${c.utm_source}`}: expected ${c.expected_source}, got ${got || "''"}`);
    }
    return suiteResult({ name: 'plausible source resolution', passed, total: cases.length, target: { minRate: 0.95, label: '>= 95% same source name' }, failures });
  },
};

export default suite;
