import { describe, expect, it } from 'vitest';
import { judgeRuns, mergeRuns, type SuiteRun } from '../../src/env/index.js';

function run(map: SuiteRun['map'], extra: Partial<SuiteRun> = {}): SuiteRun {
  return { exitCode: 0, timedOut: false, durationMs: 1000, map, log: '', logTail: '', ...extra };
}

describe('mergeRuns()', () => {
  it('keeps the tests both runs agree on and lists the others as flaky', () => {
    expect(mergeRuns({ a: 'PASSED', b: 'FAILED', c: 'PASSED' }, { a: 'PASSED', b: 'PASSED', d: 'SKIPPED' })).toEqual({ map: { a: 'PASSED' }, flaky: ['b', 'c', 'd'] });
  });
});

describe('judgeRuns()', () => {
  const stable = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`t${i}`, 'PASSED' as const]));

  it('verifies two runs that agree and pass, keeping a flaky test apart', () => {
    const verdict = judgeRuns(run(stable), run({ ...stable, t0: 'FAILED' }), [], 60);
    expect(verdict.ok).toBe(true);
    expect(verdict.flaky).toEqual(['t0']);
    expect(Object.keys(verdict.map)).toHaveLength(19);
  });

  it('rejects a run that names no test, saying what it lacked', () => {
    expect(judgeRuns(run({}, { log: "E   ModuleNotFoundError: No module named 'yaml'" }), run(stable), [], 60).reason).toMatchObject({ code: 'ENV_DEPENDENCY_MISSING' });
    expect(judgeRuns(run({}, { log: 'collected 0 items' }), run({}), [], 60).reason).toMatchObject({ code: 'ENV_NO_TESTS' });
    expect(judgeRuns(run({}, { log: 'all tests passed!' }), run({}), [], 60).reason).toMatchObject({ code: 'ENV_TESTS_DO_NOT_RUN' });
  });

  it('rejects pytest results that no pytest session printed (an echo of PASSED lines)', () => {
    const echoed = run({ 'tests/test_a.py::test_x': 'PASSED' }, { log: 'PASSED tests/test_a.py::test_x\n' });
    expect(judgeRuns(echoed, echoed, [], 60, 'python3 -m pytest -rA tests').reason).toMatchObject({ code: 'ENV_TESTS_DO_NOT_RUN' });
    const real = run({ 'tests/test_a.py::test_x': 'PASSED' }, { log: '============================= test session starts ==============================\nPASSED tests/test_a.py::test_x\n' });
    expect(judgeRuns(real, real, [], 60, 'python3 -m pytest -rA tests').ok).toBe(true);
  });

  it('rejects a hung suite, runs that disagree and suites where nothing passes', () => {
    expect(judgeRuns(run(stable, { timedOut: true }), run(stable), [], 60).reason).toMatchObject({ code: 'ENV_TESTS_HANG' });
    expect(judgeRuns(run(stable), run({ t0: 'PASSED' }), [], 60).reason).toMatchObject({ code: 'ENV_NOT_REPRODUCED' });
    expect(judgeRuns(run({ a: 'FAILED' }), run({ a: 'FAILED' }), [], 60).reason).toMatchObject({ code: 'ENV_NO_PASSING_TESTS' });
  });
});
