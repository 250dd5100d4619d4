// Shared by the bot-detection suites: reading isbot's YAML fixtures and scoring a detection run.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { botReason } from '../../collector/classify/bot.ts';
import { suiteResult, type SuiteResult } from './framework.ts';

/** isbot's browsers.yml and crawlers.yml map a name to a list of its user agents. */
export function userAgentsOfYaml(file: string): string[] {
  const byName = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return Object.values(byName)
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .filter((ua): ua is string => typeof ua === 'string');
}

/** Detection rate of botReason over user agents that are all robots. */
export function detectionResult(name: string, uas: string[]): SuiteResult {
  const missed = uas.filter((ua) => botReason(ua) === null);
  const passed = uas.length - missed.length;
  return suiteResult({ name, passed, total: uas.length, target: { minRate: 0.99, label: '>= 99% detected' }, failures: missed });
}
