// Detection rate of botReason on the sample user agents ("instances") of monperrus'
// crawler-user-agents list: an independent list, so this is the honest measure of coverage.
// Some instances are in-app browsers (Instagram, Facebook) or desktop apps that the list files
// as crawlers but that carry people; we keep counting those, and they stay as misses here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { botReason } from '../../../collector/classify/bot.ts';
import type { ConformanceSuite, SuiteResult } from '../framework.ts';

const FIXTURE = 'crawler-user-agents/crawler-user-agents.json';

interface CrawlerEntry {
  pattern: string;
  instances?: unknown[];
}

const suite: ConformanceSuite = {
  name: 'crawler-user-agents',
  needs: [FIXTURE],
  run(peerdata: string): SuiteResult {
    const entries = JSON.parse(readFileSync(join(peerdata, FIXTURE), 'utf8')) as CrawlerEntry[];
    const uas = entries
      .flatMap((e) => e.instances ?? [])
      .filter((ua): ua is string => typeof ua === 'string');
    const missed = uas.filter((ua) => botReason(ua) === null);
    const passed = uas.length - missed.length;
    return {
      name: 'crawler-user-agents (detected)',
      passed,
      total: uas.length,
      target: { minRate: 0.99, label: '>= 99% detected' },
      rate: uas.length ? passed / uas.length : 0,
      failures: missed.slice(0, 10),
    };
  },
};

export default suite;
