// Our channel grouping against Plausible's acquisition test cases (GA4 default channel grouping
// plus Plausible's "AI Assistants").
//
// The fixture's inputs are Plausible's *already resolved* referrer source ("Google", "X (Twitter)",
// "shopify.com") plus raw utm_* values and the name of a click-id parameter. We run them through
// the same steps the product runs after a referrer is resolved: the referrer source is looked up in
// our own tables by name or host (as if our referrer lookup had produced it), the UTM values go
// through parseUtm (trim, cap, lower-case), the click-id name through our click-id table, and
// resolveSource + classifyChannel decide. A case passes when the channel label is identical.
import { resolveSource } from '../../../collector/classify/acquisition.js';
import { classifyChannel } from '../../../collector/classify/channel.js';
import { clickIdRule } from '../../../collector/classify/click-id.js';
import { sourceForHost, sourceForName } from '../../../collector/classify/source.js';
import { parseUtm } from '../../../collector/classify/utm.js';
import { PLAUSIBLE_CASES, readJsonFixture, suiteResult, type ConformanceSuite, type SuiteResult } from '../framework.js';

interface ChannelCase {
  referrer_source: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  click_id_param: string | null;
  expected: string;
}

function landingPage(c: ChannelCase): URL {
  const url = new URL('https://plausible.io/');
  if (c.utm_source !== null) url.searchParams.set('utm_source', c.utm_source);
  if (c.utm_medium !== null) url.searchParams.set('utm_medium', c.utm_medium);
  if (c.utm_campaign !== null) url.searchParams.set('utm_campaign', c.utm_campaign);
  return url;
}

function channelFor(c: ChannelCase): string {
  const entry = c.referrer_source === null ? null : (sourceForName(c.referrer_source) ?? sourceForHost(c.referrer_source));
  const referrer =
    c.referrer_source === null ? null : { name: entry?.name ?? c.referrer_source, category: entry?.category ?? null };
  const utm = parseUtm(landingPage(c));
  const clickId = c.click_id_param === null ? null : clickIdRule(c.click_id_param);
  const { source, category, paidSource } = resolveSource(referrer, utm, clickId);
  return classifyChannel({ source, category, paidSource, hasReferrer: referrer !== null, utm, clickId });
}

const suite: ConformanceSuite = {
  name: 'plausible acquisition channels',
  needs: [PLAUSIBLE_CASES],
  run(peerdata: string): SuiteResult {
    const fixture = readJsonFixture<{ acquisition_channel_cases: ChannelCase[] }>(peerdata, PLAUSIBLE_CASES);
    const cases = fixture.acquisition_channel_cases;
    const failures: string[] = [];
    let passed = 0;
    for (const c of cases) {
      const got = channelFor(c);
      if (got === c.expected) passed++;
      else {
        const input = [c.referrer_source, c.utm_source, c.utm_medium, c.utm_campaign, c.click_id_param].map((v) => v ?? '-');
        failures.push(`[${input.join(', ')}] expected ${c.expected}, got ${got}`);
      }
    }
    return suiteResult({ name: 'plausible acquisition channels', passed, total: cases.length, target: { minRate: 0.95, label: '>= 95% same channel' }, failures });
  },
};

export default suite;
