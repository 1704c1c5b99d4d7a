import { junitKey, parseJunit } from '../junit.js';
import type { HarnessStatus, StatusMap } from './types.js';

const STATUS: Record<string, HarnessStatus> = { passed: 'PASSED', failed: 'FAILED', error: 'ERROR', skipped: 'SKIPPED', xfail: 'XFAIL' };

/** A JUnit XML report (pytest's `--junitxml`, or any xunit producer's), keyed `classname::name`; a test reported twice keeps its worse outcome. */
export function parseJunitReport(xml: string): StatusMap {
  const rank: HarnessStatus[] = ['PASSED', 'XFAIL', 'SKIPPED', 'FAILED', 'ERROR'];
  const map: StatusMap = {};
  let cases;
  try {
    cases = parseJunit(xml);
  } catch {
    return {};
  }
  for (const c of cases) {
    const key = `${c.classname}::${c.name}`;
    const status = STATUS[c.status]!;
    if (map[key] === undefined || rank.indexOf(status) > rank.indexOf(map[key])) map[key] = status;
  }
  return map;
}

export { junitKey };
