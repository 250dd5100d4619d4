// Informational: our browser and OS families against uap-core's expectations, a second parser
// project with its own regexes and its own names. Its corpus is mostly apps, libraries and odd
// devices, and its names differ from ua-parser-js' ("Chrome Mobile", "Mac OS X", "Other"), so only
// cases whose uap-core family maps onto one of our mainstream families are compared; the rest are
// left out. This measures whether the browsers and systems that
// make up real traffic are named the same way by an independent parser. (At the time of writing,
// 905 of 2,554 cases are comparable; the misses are regex differences between the two parsers,
// mostly app and CFNetwork user agents, not naming.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createUserAgentParser } from '../../../collector/classify/user-agent.ts';
import { suiteResult, type ConformanceSuite, type SuiteResult } from '../framework.ts';

const DIR = 'uap-core';
const BROWSER_FILES = ['test_ua.yaml', 'firefox_user_agent_strings.yaml', 'opera_mini_user_agent_strings.yaml'];
const OS_FILES = ['test_os.yaml', 'additional_os_tests.yaml'];

/** uap-core browser family -> our family, for the families that carry real traffic. */
const UAP_BROWSER: ReadonlyMap<string, string> = new Map([
  ['Chrome', 'Chrome'],
  ['Chrome Mobile', 'Chrome'],
  ['Chrome Mobile iOS', 'Chrome'],
  ['Chrome Mobile WebView', 'Chrome WebView'],
  ['Chromium', 'Chromium'],
  ['Safari', 'Safari'],
  ['Mobile Safari', 'Safari'],
  ['Firefox', 'Firefox'],
  ['Firefox Mobile', 'Firefox'],
  ['Firefox iOS', 'Firefox'],
  ['Edge', 'Edge'],
  ['Edge Mobile', 'Edge'],
  ['Opera', 'Opera'],
  ['Opera Mobile', 'Opera'],
  ['Opera Mini', 'Opera Mini'],
  ['Samsung Internet', 'Samsung Internet'],
  ['IE', 'Internet Explorer'],
  ['IE Mobile', 'Internet Explorer'],
  ['UC Browser', 'UC Browser'],
  ['Yandex Browser', 'Yandex'],
  ['Android', 'Android Browser'],
  ['Vivaldi', 'Vivaldi'],
  ['Brave', 'Brave'],
  ['DuckDuckGo Mobile', 'DuckDuckGo'],
  ['Facebook', 'Facebook'],
  ['Instagram', 'Instagram'],
]);

/** uap-core OS family -> our family. */
const UAP_OS: ReadonlyMap<string, string> = new Map([
  ['Windows', 'Windows'],
  ['Mac OS X', 'macOS'],
  ['Mac OS', 'macOS'],
  ['iOS', 'iOS'],
  ['Android', 'Android'],
  ['Chrome OS', 'ChromeOS'],
  ['Linux', 'Linux'],
  ['Ubuntu', 'Linux'],
  ['Debian', 'Linux'],
  ['Fedora', 'Linux'],
  ['Gentoo', 'Linux'],
  ['Mandriva', 'Linux'],
  ['Red Hat', 'Linux'],
  ['Windows Phone', 'Windows Phone'],
  ['Windows Mobile', 'Windows Phone'],
  ['FreeBSD', 'FreeBSD'],
  ['OpenBSD', 'OpenBSD'],
  ['NetBSD', 'NetBSD'],
  ['KaiOS', 'KaiOS'],
  ['HarmonyOS', 'HarmonyOS'],
]);

interface UapCase {
  user_agent_string: string;
  family: string;
}

function load(peerdata: string, file: string): UapCase[] {
  const doc = parse(readFileSync(join(peerdata, DIR, file), 'utf8')) as { test_cases?: UapCase[] };
  return doc.test_cases ?? [];
}

const suite: ConformanceSuite = {
  name: 'uap-core (informational)',
  needs: [...BROWSER_FILES, ...OS_FILES].map((f) => `${DIR}/${f}`),
  run(peerdata: string): SuiteResult {
    const ours = createUserAgentParser({ maxEntries: 20_000 });
    const failures: string[] = [];
    let passed = 0;
    let total = 0;

    const compare = (files: string[], field: 'browser' | 'os', names: ReadonlyMap<string, string>) => {
      for (const file of files) {
        for (const c of load(peerdata, file)) {
          const expected = names.get(c.family);
          if (expected === undefined) continue;
          total++;
          const got = ours.parse(c.user_agent_string)[field];
          if (got === expected) passed++;
          else failures.push(`${field} expected ${expected} (${c.family}), got ${got}: ${c.user_agent_string}`);
        }
      }
    };
    compare(BROWSER_FILES, 'browser', UAP_BROWSER);
    compare(OS_FILES, 'os', UAP_OS);

    return suiteResult({ name: 'uap-core browser+os (informational)', passed, total, target: { minRate: 0.8, label: '>= 80% (informational)' }, failures });
  },
};

export default suite;
