// Detection rate of botReason on isbot's own crawler fixtures (every user agent in crawlers.yml).
// isbot is built against this file, so a high score mostly proves we wire isbot in without
// losing anything; the target leaves room for fixture updates that land before a library release.
import { join } from 'node:path';
import { detectionResult, userAgentsOfYaml } from '../bot-fixtures.ts';
import type { ConformanceSuite, SuiteResult } from '../framework.ts';

const FIXTURE = 'isbot/crawlers.yml';

const suite: ConformanceSuite = {
  name: 'isbot crawlers',
  needs: [FIXTURE],
  run(peerdata: string): SuiteResult {
    return detectionResult('isbot crawlers (detected)', userAgentsOfYaml(join(peerdata, FIXTURE)));
  },
};

export default suite;
