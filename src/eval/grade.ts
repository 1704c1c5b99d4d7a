import type { TestStatus } from './junit.js';

export interface TestGroup {
  success: string[];
  failure: string[];
}

export interface Grade {
  resolved: boolean;
  fail_to_pass: TestGroup;
  pass_to_pass: TestGroup;
}

/**
 * Grade the SWE-bench way: a test succeeds when it passed (or xfailed), fails when it
 * failed, errored or is missing; a skipped test counts neither way. Resolved means every
 * FAIL_TO_PASS and every PASS_TO_PASS test that counts succeeded.
 */
export function gradeTests(statuses: Record<string, TestStatus>, failToPass: string[], passToPass: string[]): Grade {
  const group = (ids: string[]): TestGroup => ({
    success: ids.filter((id) => statuses[id] === 'passed' || statuses[id] === 'xfail'),
    failure: ids.filter((id) => statuses[id] === undefined || ['failed', 'error', 'missing'].includes(statuses[id]!)),
  });
  const f2p = group(failToPass);
  const p2p = group(passToPass);
  return { resolved: f2p.failure.length === 0 && p2p.failure.length === 0 && f2p.success.length + p2p.success.length > 0, fail_to_pass: f2p, pass_to_pass: p2p };
}
