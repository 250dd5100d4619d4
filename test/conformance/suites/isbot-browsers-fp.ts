// False positives of botReason on isbot's real-browser fixtures (every user agent in browsers.yml):
// a browser we take for a robot is a person we fail to count. `rate` is the false-positive rate.
import { join } from 'node:path';
import { botReason } from '../../../collector/classify/bot.ts';
import { userAgentsOfYaml } from '../bot-fixtures.ts';
import { suiteResult, type ConformanceSuite, type SuiteResult } from '../framework.ts';

const FIXTURE = 'isbot/browsers.yml';

const suite: ConformanceSuite = {
  name: 'isbot browsers (false positives)',
  needs: [FIXTURE],
  run(peerdata: string): SuiteResult {
    const uas = userAgentsOfYaml(join(peerdata, FIXTURE));
    const flagged = uas
      .map((ua) => ({ ua, reason: botReason(ua) }))
      .filter((r) => r.reason !== null);
    return suiteResult({
      name: 'isbot browsers (not flagged)',
      passed: uas.length - flagged.length,
      total: uas.length,
      target: { maxRate: 0.01, label: '< 1% false positives' },
      // The false-positive rate; nothing to check counts as a failure.
      rate: uas.length ? flagged.length / uas.length : 1,
      failures: flagged.map((r) => `${r.reason}: ${r.ua}`),
    });
  },
};

export default suite;
