import type { HarnessStatus, StatusMap } from '../eval/parsers/index.js';

/** Why a candidate commit gives no task. */
export type DropReason =
  | 'no_test_files' // its test changes hold no test file to run
  | 'patch_too_large'
  | 'test_patch_does_not_apply' // at the parent
  | 'does_not_run' // the commit's own tests do not pass on the environment's Python
  | 'old_code_broken' // the parent's code does not run on the environment's Python
  | 'no_fail_to_pass' // no test fails before and passes after
  | 'timed_out'
  | 'no_statement'; // the commit message states no problem

export interface Judgement {
  failToPass: string[];
  passToPass: string[];
  /** Tests left out: their status changed between two runs of the commit, or the environment marks them flaky. */
  flaky: string[];
  drop: DropReason | null;
}

const PASSING: HarnessStatus[] = ['PASSED', 'XFAIL'];

/**
 * FAIL_TO_PASS and PASS_TO_PASS of a candidate from its runs: after (the commit, run
 * twice) and before (the parent plus the test patch). FAIL_TO_PASS: passes in both runs
 * after and fails, errors or is missing before; PASS_TO_PASS: passes after and before.
 * Flaky tests (the two runs after disagree, or the environment's record says so) are in
 * neither list.
 */
export function judgeCandidate(after: [StatusMap, StatusMap], before: StatusMap, envFlaky: ReadonlySet<string>, beforeLog: string, ownPackages: string[]): Judgement {
  const flaky: string[] = [];
  const failToPass: string[] = [];
  const passToPass: string[] = [];
  const ids = new Set([...Object.keys(after[0]), ...Object.keys(after[1])]);
  let passingAfter = 0;
  for (const id of [...ids].sort()) {
    const [a, b] = [after[0][id], after[1][id]];
    if (a !== b || envFlaky.has(id)) {
      flaky.push(id);
      continue;
    }
    if (a !== 'PASSED') continue;
    passingAfter += 1;
    const was = before[id];
    if (was !== undefined && PASSING.includes(was)) passToPass.push(id);
    else if (was !== 'SKIPPED') failToPass.push(id);
  }
  const drop = passingAfter === 0 ? 'does_not_run'
    : failToPass.length === 0 ? 'no_fail_to_pass'
      : oldCodeBroken(beforeLog, ownPackages) ? 'old_code_broken' : null;
  return { failToPass, passToPass, flaky, drop };
}

/**
 * Whether the parent's code fails for the environment's Python or libraries rather than
 * for the bug: an import of a name a newer Python or library no longer has
 * (`cannot import name 'Mapping' from 'collections'`), a module it no longer ships, or a
 * syntax error outside the tests. A test importing a name the fix adds is not that (the
 * module is the project's own).
 */
export function oldCodeBroken(log: string, ownPackages: string[]): boolean {
  const own = (module: string): boolean => ownPackages.includes(module.split('.')[0]!);
  for (const m of log.matchAll(/cannot import name '[^']+' from '([\w.]+)'/g)) if (!own(m[1]!)) return true;
  for (const m of log.matchAll(/No module named '([\w.]+)'/g)) if (!own(m[1]!)) return true;
  for (const m of log.matchAll(/AttributeError: module '([\w.]+)' has no attribute/g)) if (!own(m[1]!)) return true;
  for (const m of log.matchAll(/File "([^"]+)", line \d+\n(?:.*\n){0,3}?\s*SyntaxError/g)) if (!/(^|\/)(tests?|testing)\/|test_[^/]*\.py$/.test(m[1]!)) return true;
  return false;
}
