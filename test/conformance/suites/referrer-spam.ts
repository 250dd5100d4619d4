// How much of Matomo's community referrer-spam list our own short, hand-written list catches.
// Informational only: our list is deliberately small (see collector/classify/tables/spam-hosts.ts)
// and spam domains churn, so a low rate is expected. What must hold is the opposite direction,
// "never flag a real source": that is referrer-spam-false-positives.ts (and a unit test).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSpamHost } from '../../../collector/classify/spam.js';
import { suiteResult, type ConformanceSuite, type SuiteResult } from '../framework.js';

const FIXTURE = 'matomo-referrer-spam-list/spammers.txt';

const suite: ConformanceSuite = {
  name: 'matomo referrer-spam list',
  needs: [FIXTURE],
  run(peerdata: string): SuiteResult {
    const hosts = readFileSync(join(peerdata, FIXTURE), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const missed = hosts.filter((h) => !isSpamHost(h));
    return suiteResult({
      name: 'matomo referrer-spam list (detected)',
      passed: hosts.length - missed.length,
      total: hosts.length,
      target: { label: 'informational' },
      failures: missed,
    });
  },
};

export default suite;
