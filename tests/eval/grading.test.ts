import { describe, expect, it } from 'vitest';
import { excludePathspecs, gradeStatusMap, junitKey, parseJunit, patchedFiles, statusesOf } from '../../src/eval/index.js';

const JUNIT = `<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" skipped="2" tests="6">
<testcase classname="tests.test_a" name="test_ok" time="0.001"/>
<testcase classname="tests.test_a.TestCls" name="test_param[1-2]" time="0.001"><failure message="assert 1 == 2">boom</failure></testcase>
<testcase classname="tests.test_a" name="test_err" time="0.001"><error message="fixture failed"/></testcase>
<testcase classname="tests.test_a" name="test_skip" time="0"><skipped type="pytest.skip" message="no"/></testcase>
<testcase classname="tests.test_a" name="test_xfail" time="0"><skipped type="pytest.xfail" message="known"/></testcase>
<testcase classname="app.tests.FooTests" name="test_django" time="0"/>
</testsuite></testsuites>`;

describe('parseJunit() and statusesOf()', () => {
  it('reads every pytest outcome and finds tests by their pytest, Django or dotted ids', () => {
    const cases = parseJunit(JUNIT);
    expect(cases).toHaveLength(6);
    const statuses = statusesOf([
      'tests/test_a.py::test_ok', 'tests/test_a.py::TestCls::test_param[1-2]', 'tests/test_a.py::test_err',
      'tests/test_a.py::test_skip', 'tests/test_a.py::test_xfail', 'test_django (app.tests.FooTests)', 'tests/test_a.py::test_gone',
    ], cases);
    expect(Object.values(statuses)).toEqual(['passed', 'failed', 'error', 'skipped', 'xfail', 'passed', 'missing']);
    expect(junitKey('tests.test_a.test_ok')).toBe('tests.test_a::test_ok');
  });

  it('reads a report whose root is a single testsuite', () => {
    expect(parseJunit('<testsuite><testcase classname="m" name="t"/></testsuite>')).toEqual([{ classname: 'm', name: 't', status: 'passed' }]);
  });
});

describe('gradeStatusMap()', () => {
  it('grades as the harness: F2P passes only when PASSED or XFAIL, P2P also when SKIPPED, a missing test fails', () => {
    const map = { f1: 'PASSED', f2: 'XFAIL', p1: 'PASSED', p2: 'SKIPPED' } as const;
    expect(gradeStatusMap(map, ['f1', 'f2'], ['p1', 'p2']).resolved).toBe(true);
    const broken = gradeStatusMap({ ...map, p1: 'FAILED' }, ['f1', 'f2'], ['p1', 'p2', 'p3']);
    expect(broken).toMatchObject({ resolved: false, fail_to_pass: { success: ['f1', 'f2'], failure: [] }, pass_to_pass: { success: ['p2'], failure: ['p1', 'p3'] } });
    expect(broken.results).toEqual({ f1: 'passed', f2: 'xfail', p1: 'failed', p2: 'skipped', p3: 'missing' });
    const skippedF2p = gradeStatusMap({ f1: 'SKIPPED', p1: 'PASSED' }, ['f1'], ['p1']);
    expect(skippedF2p).toMatchObject({ resolved: false, fail_to_pass: { failure: ['f1'] } });
  });

  it('never resolves on an empty status map, and matches ids cut inside their brackets by prefix when the candidates agree', () => {
    expect(gradeStatusMap({}, [], ['p']).resolved).toBe(false);
    const cut = 'tests/test_a.py::test_x[a';
    expect(gradeStatusMap({ 'tests/test_a.py::test_x[a b]': 'PASSED', 'tests/test_a.py::test_x[a c]': 'PASSED' }, [cut], []).resolved).toBe(true);
    expect(gradeStatusMap({ 'tests/test_a.py::test_x[a b]': 'PASSED', 'tests/test_a.py::test_x[a c]': 'FAILED' }, [cut], []).fail_to_pass.failure).toEqual([cut]);
    expect(gradeStatusMap({ 'x[1]': 'PASSED' }, ['x'], []).resolved).toBe(false);
  });
});

describe('excludePathspecs() and patchedFiles()', () => {
  it('turns gitignore-style globs into exclude pathspecs at any depth, or anchored when they hold a slash', () => {
    expect(excludePathspecs(['__pycache__/', '*.pyc', '/build/out'])).toEqual([
      ':(exclude,glob)**/__pycache__/**',
      ':(exclude,glob)**/*.pyc/**', ':(exclude,glob)**/*.pyc',
      ':(exclude,glob)build/out/**', ':(exclude,glob)build/out',
    ]);
  });

  it('lists the files a diff touches, new files and renames included', () => {
    const patch = 'diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/new.txt b/new.txt\nnew file mode 100644\n--- /dev/null\n+++ b/new.txt\n';
    expect(patchedFiles(patch)).toEqual(['x.py', 'new.txt']);
  });
});
