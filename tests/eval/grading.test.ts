import { describe, expect, it } from 'vitest';
import { excludePathspecs, gradeTests, junitKey, parseJunit, patchedFiles, statusesOf } from '../../src/eval/index.js';

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

describe('gradeTests()', () => {
  it('resolves only when every FAIL_TO_PASS and PASS_TO_PASS test passes, skipped ones counting neither way', () => {
    const statuses = { f1: 'passed', f2: 'xfail', p1: 'passed', p2: 'skipped' } as const;
    expect(gradeTests(statuses, ['f1', 'f2'], ['p1', 'p2']).resolved).toBe(true);
    const broken = gradeTests({ ...statuses, p1: 'failed' }, ['f1', 'f2'], ['p1', 'p2', 'p3']);
    expect(broken).toEqual({ resolved: false, fail_to_pass: { success: ['f1', 'f2'], failure: [] }, pass_to_pass: { success: [], failure: ['p1', 'p3'] } });
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
