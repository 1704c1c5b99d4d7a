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
  /** Tests that pass after but whose failure before is the environment's (an old API of Python or a library), not the bug: in neither list. */
  brokenBefore: string[];
  /** The log line that showed the environment's failure, when there was one. */
  evidence: string | null;
  drop: DropReason | null;
}

const PASSING: HarnessStatus[] = ['PASSED', 'XFAIL'];

/**
 * FAIL_TO_PASS and PASS_TO_PASS of a candidate from its runs: after (the commit, run
 * twice) and before (the parent plus the test patch). FAIL_TO_PASS: passes in both runs
 * after and fails, errors or is missing before — unless its own failure before is the
 * environment's (its section of the log, or its file's collection error, shows an API the
 * environment's Python or libraries no longer have, and the gold patch does not take that
 * use away): such a test is in neither list, and
 * the candidate is dropped as `old_code_broken` only when no other test fails for the bug.
 * PASS_TO_PASS: passes after and before. Flaky tests (the two runs after disagree, or the
 * environment's record says so) are in neither list.
 */
export function judgeCandidate(after: [StatusMap, StatusMap], before: StatusMap, envFlaky: ReadonlySet<string>, beforeLog: string, ownPackages: string[], goldPatch = ''): Judgement {
  const flaky: string[] = [];
  const failed: string[] = [];
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
    else if (was !== 'SKIPPED') failed.push(id);
  }
  const sections = failureSections(beforeLog);
  const failToPass: string[] = [];
  const brokenBefore: string[] = [];
  let evidence: string | null = null;
  for (const id of failed) {
    const own = sectionsOf(id, sections);
    // A failure the log does not show apart (no section of its own: a conftest that would not load, a cut log) is judged on the whole log.
    const broken = environmentError(own.length > 0 ? own.join('\n') : beforeLog, ownPackages, goldPatch);
    if (broken) {
      brokenBefore.push(id);
      evidence ??= broken;
    } else failToPass.push(id);
  }
  const drop = passingAfter === 0 ? 'does_not_run'
    : failed.length === 0 ? 'no_fail_to_pass'
      : failToPass.length === 0 ? 'old_code_broken' : null;
  return { failToPass, passToPass, flaky, brokenBefore, evidence, drop };
}

/**
 * The sections of a pytest log's FAILURES and ERRORS parts, by title: `test_x`,
 * `TestA.test_b[1]`, `ERROR at setup of test_x`, `ERROR collecting tests/test_a.py`.
 * A title shared by tests of two files keeps both texts.
 */
export function failureSections(log: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let title: string | null = null;
  let lines: string[] = [];
  const close = (): void => {
    if (title !== null) sections.set(title, [...(sections.get(title) ?? []), lines.join('\n')]);
  };
  for (const line of log.split('\n')) {
    const header = /^_{3,} (.+?) _{3,}$/.exec(line);
    if (header || /^={3,}/.test(line)) {
      close();
      title = header ? header[1]! : null;
      lines = [];
    } else if (title !== null) lines.push(line);
  }
  close();
  return sections;
}

/** The sections that say why one test failed or did not collect: its own, its setup's, its file's collection error. */
function sectionsOf(id: string, sections: Map<string, string[]>): string[] {
  const [file, ...parts] = id.split('::');
  const name = parts.join('.');
  return [name, `ERROR at setup of ${name}`, `ERROR collecting ${file}`].flatMap((t) => sections.get(t) ?? []);
}

/**
 * Whether the parent's code fails for the environment's Python or libraries rather than
 * for the bug: an import of a name a newer Python or library no longer has
 * (`cannot import name 'Mapping' from 'collections'`), a module it no longer ships, or a
 * syntax error outside the tests. A test importing a name the fix adds is not that (the
 * module is the project's own).
 */
export function oldCodeBroken(log: string, ownPackages: string[]): boolean {
  return environmentError(log, ownPackages) !== null;
}

/**
 * The line of a log that shows the environment's failure (see oldCodeBroken), or null. A
 * failure the gold patch takes away is the commit's subject, not the environment's: the
 * name it removes (a port from `inspect.getargspec`), the file whose syntax error it
 * changes (toolz #386, "fix 3.7 compat").
 */
export function environmentError(log: string, ownPackages: string[], goldPatch = ''): string | null {
  const own = (module: string): boolean => ownPackages.includes(module.split('.')[0]!);
  const removed = goldPatch.split('\n').filter((l) => l.startsWith('-') && !l.startsWith('---')).join('\n');
  const removes = (name: string): boolean => new RegExp(`(^|\\W)${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\W|$)`, 'm').test(removed);
  const patched = [...goldPatch.matchAll(/^diff --git a\/(.+?) b\//gm)].map((m) => m[1]!);
  for (const m of log.matchAll(/cannot import name '([^']+)' from '([\w.]+)'.*/g)) if (!own(m[2]!) && !removes(m[1]!)) return m[0];
  for (const m of log.matchAll(/No module named '([\w.]+)'.*/g)) if (!own(m[1]!) && !removes(m[1]!)) return m[0];
  for (const m of log.matchAll(/AttributeError: module '([\w.]+)' has no attribute '(\w+)'.*/g)) if (!own(m[1]!) && !removes(m[2]!)) return m[0];
  // pytest prefixes a traceback's lines with `E   `.
  for (const m of log.matchAll(/File "([^"]+)", line \d+\n(?:.*\n){0,3}?(?:E)?\s*SyntaxError.*/g)) {
    const file = m[1]!;
    if (/(^|\/)(tests?|testing)\/|test_[^/]*\.py$/.test(file) || patched.some((p) => file === p || file.endsWith(`/${p}`))) continue;
    return m[0].split('\n').pop()!;
  }
  return null;
}
