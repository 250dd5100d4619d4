// Our user-agent parse against ua-parser-js 1.0.x's own expectations (browser-test.json,
// os-test.json, device-test.json). We run that library, so this does not measure its regexes: it
// checks that our layer (prefix cache key, family mapping, device mapping) keeps its answers.
//
// The comparison: the fixture's expected name, put through the same family mapping we apply
// (browserFamily / osFamily), must equal what parse() returns. A mapping cannot pass by collapsing
// names: an expected name never maps to "(unknown)", so returning "(unknown)" fails the case.
// Devices: the expected type through our device mapping (an empty type is "desktop" unless the OS
// is a handheld one, or the library recognised neither browser nor OS). Two device cases make no
// claim about the type (no "type" key) and are left out rather than guessed.
import UAParser from 'ua-parser-js';
import {
  browserFamily,
  createUserAgentParser,
  deviceType,
  osFamily,
} from '../../../collector/classify/user-agent.ts';
import { readJsonFixture, suiteResult, type ConformanceSuite, type SuiteResult } from '../framework.ts';

const DIR = 'ua-parser-js-1.0.x';
const FILES = ['browser-test.json', 'os-test.json', 'device-test.json'] as const;

interface Case {
  desc: string;
  ua: string;
  expect: Record<string, string | undefined>;
}

/** The fixtures write a missing value as the string "undefined". */
function given(value: string | undefined): string | undefined {
  return value === undefined || value === 'undefined' ? undefined : value;
}

function load(peerdata: string, file: string): Case[] {
  return readJsonFixture<Case[]>(peerdata, `${DIR}/${file}`);
}

const suite: ConformanceSuite = {
  name: 'ua-parser-js 1.0.x',
  needs: FILES.map((f) => `${DIR}/${f}`),
  run(peerdata: string): SuiteResult {
    // A fresh parser so the shared cache of the process is neither used nor filled.
    const ours = createUserAgentParser({ maxEntries: 5_000 });
    const library = new UAParser();
    const failures: string[] = [];
    let passed = 0;
    let total = 0;

    const check = (file: string, c: Case, field: string, expected: string, got: string): void => {
      total++;
      if (expected === got) passed++;
      else failures.push(`${file} ${field} "${c.desc}": expected ${expected}, got ${got}`);
    };

    for (const file of FILES) {
      for (const c of load(peerdata, file)) {
        const got = ours.parse(c.ua);
        if (file === 'browser-test.json') {
          check(file, c, 'browser', browserFamily(given(c.expect.name)), got.browser);
        } else if (file === 'os-test.json') {
          check(file, c, 'os', osFamily(given(c.expect.name)), got.os);
        } else {
          if (!('type' in c.expect)) continue;
          const lib = library.setUA(c.ua).getResult();
          const expected = deviceType(given(c.expect.type), browserFamily(lib.browser.name), osFamily(lib.os.name));
          check(file, c, 'device', expected, got.device);
        }
      }
    }

    return suiteResult({ name: 'ua-parser-js 1.0.x browser/os/device', passed, total, target: { minRate: 0.99, label: '>= 99% same family/type' }, failures });
  },
};

export default suite;
