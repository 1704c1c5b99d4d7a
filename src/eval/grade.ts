import type { TestStatus } from './junit.js';
import type { HarnessStatus, StatusMap } from './parsers/types.js';

export interface TestGroup {
  success: string[];
  failure: string[];
}

export interface Grade {
  resolved: boolean;
  fail_to_pass: TestGroup;
  pass_to_pass: TestGroup;
  /** Status of every FAIL_TO_PASS and PASS_TO_PASS test (`missing` when the log does not name it). */
  results: Record<string, TestStatus>;
}

const PASSING: HarnessStatus[] = ['PASSED', 'XFAIL'];
const LOWER: Record<HarnessStatus, TestStatus> = { PASSED: 'passed', FAILED: 'failed', ERROR: 'error', SKIPPED: 'skipped', XFAIL: 'xfail' };

/**
 * The status-map key a listed test is found under. As the harness does (grading.py,
 * `_resolve_case`), an id cut inside its brackets (more `[` than `]`: SWE-bench lists hold
 * such ids) matches the keys it starts, when they all agree on pass or fail.
 */
export function findTest(id: string, map: StatusMap): string | undefined {
  if (map[id] !== undefined) return id;
  if (id.split('[').length <= id.split(']').length) return undefined;
  const matches = Object.keys(map).filter((k) => k.startsWith(id));
  const outcomes = new Set(matches.map((k) => PASSING.includes(map[k]!)));
  return matches.length > 0 && outcomes.size === 1 ? matches[0] : undefined;
}

/**
 * Grade the way the SWE-bench harness grades (grading.py, release 5): a FAIL_TO_PASS test
 * succeeds when it PASSED or XFAILed and fails otherwise (FAILED, ERROR, SKIPPED, or missing
 * from the log); a PASS_TO_PASS test also succeeds when SKIPPED. Resolved means no test of
 * either list failed, and the log named at least one test (an empty status map is a run
 * that cannot be read, never a pass). `keyOf` maps a listed id to the map's keys (JUnit).
 */
export function gradeStatusMap(map: StatusMap, failToPass: string[], passToPass: string[], keyOf: (id: string) => string = (id) => id): Grade {
  const results: Record<string, TestStatus> = {};
  const statusOf = (id: string): HarnessStatus | undefined => {
    const key = findTest(keyOf(id), map);
    const status = key === undefined ? undefined : map[key];
    results[id] = status === undefined ? 'missing' : LOWER[status];
    return status;
  };
  const group = (ids: string[], alsoFine: HarnessStatus[]): TestGroup => {
    const out: TestGroup = { success: [], failure: [] };
    for (const id of ids) {
      const status = statusOf(id);
      (status !== undefined && [...PASSING, ...alsoFine].includes(status) ? out.success : out.failure).push(id);
    }
    return out;
  };
  const f2p = group(failToPass, []);
  const p2p = group(passToPass, ['SKIPPED']);
  const resolved = Object.keys(map).length > 0 && f2p.failure.length === 0 && p2p.failure.length === 0;
  return { resolved, fail_to_pass: f2p, pass_to_pass: p2p, results };
}
