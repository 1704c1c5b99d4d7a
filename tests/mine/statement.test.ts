import { describe, expect, it } from 'vitest';
import { judgeCandidate, oldCodeBroken, problemStatement } from '../../src/mine/index.js';

describe('problemStatement()', () => {
  it('takes a merged pull request\'s title and body from its merge commit', () => {
    const statement = problemStatement('Merge pull request #612 from someone/fix-chunked\n\nchunked() drops the last items when n divides the length\n\nSigned-off-by: A <a@b>', { tests: [], patches: [] });
    expect(statement).toEqual({ text: 'chunked() drops the last items when n divides the length', source: 'pull-request', redactions: 0 });
  });

  it('takes out the names of the deciding tests and lines of the patches', () => {
    const gold = 'diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-    return a - b\n+    return a + b if a else b\n';
    const statement = problemStatement('Fix add() for empty input\n\ntest_add_empty failed:\n    return a + b if a else b\n', { tests: ['tests/test_ops.py::test_add_empty'], patches: [gold] });
    expect(statement!.text).toBe('Fix add() for empty input\n\na test failed:');
    expect(statement!.source).toBe('commit-message');
    expect(statement!.redactions).toBe(2);
  });

  it('gives none for a message that states nothing', () => {
    expect(problemStatement('wip', { tests: [], patches: [] })).toBeNull();
    expect(problemStatement('Merge pull request #3 from a/b\n', { tests: [], patches: [] })).toBeNull();
  });
});

describe('judgeCandidate()', () => {
  const after = { 'tests/t.py::test_new': 'PASSED', 'tests/t.py::test_old': 'PASSED', 'tests/t.py::test_wobbly': 'PASSED', 'tests/t.py::test_skip': 'PASSED' } as const;

  it('takes FAIL_TO_PASS from tests passing twice after and failing or missing before, PASS_TO_PASS from those passing at both, flaky ones in neither', () => {
    const judgement = judgeCandidate([{ ...after }, { ...after, 'tests/t.py::test_wobbly': 'FAILED' }], { 'tests/t.py::test_old': 'PASSED', 'tests/t.py::test_skip': 'SKIPPED' }, new Set(), '', ['pkg']);
    expect(judgement).toEqual({ failToPass: ['tests/t.py::test_new'], passToPass: ['tests/t.py::test_old'], flaky: ['tests/t.py::test_wobbly'], brokenBefore: [], evidence: null, drop: null });
  });

  it('drops a commit whose own tests do not pass, and one with nothing failing before', () => {
    expect(judgeCandidate([{ a: 'FAILED' }, { a: 'FAILED' }], {}, new Set(), '', []).drop).toBe('does_not_run');
    expect(judgeCandidate([{ a: 'PASSED' }, { a: 'PASSED' }], { a: 'PASSED' }, new Set(), '', []).drop).toBe('no_fail_to_pass');
    expect(judgeCandidate([{ a: 'PASSED' }, { a: 'PASSED' }], {}, new Set(['a']), '', []).drop).toBe('does_not_run');
  });
});

describe('oldCodeBroken()', () => {
  it('tells the environment\'s Python failing old code from a test importing what the fix adds', () => {
    expect(oldCodeBroken("ImportError: cannot import name 'Mapping' from 'collections' (/usr/lib/python3.11/collections/__init__.py)", ['toolz'])).toBe(true);
    expect(oldCodeBroken("ImportError: cannot import name 'pipeline' from 'toolz.functoolz' (/testbed/toolz/functoolz.py)", ['toolz'])).toBe(false);
    expect(oldCodeBroken('  File "/testbed/toolz/compatibility.py", line 3\n    print "x"\n    ^\nSyntaxError: Missing parentheses', ['toolz'])).toBe(true);
    // pytest prints a traceback's lines behind `E   ` (toolz be3ce86's functoolz.py on Python 3.11).
    expect(oldCodeBroken('E     File "/testbed/toolz/functoolz.py", line 501\nE       f.__name__ for f in reversed((self.first,) + self.funcs),\nE       ^^^^^^^^^^\nE   SyntaxError: Generator expression must be parenthesized', ['toolz'])).toBe(true);
  });
});
