// Detection rate of botReason on the sample user agents ("instances") of monperrus'
// crawler-user-agents list: an independent list, so this is the honest measure of coverage.
// Some instances are in-app browsers (Instagram, Facebook) or desktop apps that the list files
// as crawlers but that carry people; we keep counting those, and they stay as misses here.
import { detectionResult } from '../bot-fixtures.ts';
import { readJsonFixture, type ConformanceSuite, type SuiteResult } from '../framework.ts';

const FIXTURE = 'crawler-user-agents/crawler-user-agents.json';

interface CrawlerEntry {
  pattern: string;
  instances?: unknown[];
}

const suite: ConformanceSuite = {
  name: 'crawler-user-agents',
  needs: [FIXTURE],
  run(peerdata: string): SuiteResult {
    const entries = readJsonFixture<CrawlerEntry[]>(peerdata, FIXTURE);
    const uas = entries
      .flatMap((e) => e.instances ?? [])
      .filter((ua): ua is string => typeof ua === 'string');
    return detectionResult('crawler-user-agents (detected)', uas);
  },
};

export default suite;
