// Detection rate of botReason on isbot's own crawler fixtures (every user agent in crawlers.yml).
// isbot is built against this file, so a high score mostly proves we wire isbot in without
// losing anything; the target leaves room for fixture updates that land before a library release.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { botReason } from '../../../collector/classify/bot.ts';
import type { ConformanceSuite, SuiteResult } from '../framework.ts';

const FIXTURE = 'isbot/crawlers.yml';

/** crawlers.yml maps a crawler's name to a list of its user agents. */
function userAgents(file: string): string[] {
  const byName = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return Object.values(byName)
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .filter((ua): ua is string => typeof ua === 'string');
}

const suite: ConformanceSuite = {
  name: 'isbot crawlers',
  needs: [FIXTURE],
  run(peerdata: string): SuiteResult {
    const uas = userAgents(join(peerdata, FIXTURE));
    const missed = uas.filter((ua) => botReason(ua) === null);
    const passed = uas.length - missed.length;
    return {
      name: 'isbot crawlers (detected)',
      passed,
      total: uas.length,
      target: { minRate: 0.99, label: '>= 99% detected' },
      rate: uas.length ? passed / uas.length : 0,
      failures: missed.slice(0, 10),
    };
  },
};

export default suite;
