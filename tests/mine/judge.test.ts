import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { environmentError, failureSections, judgeCandidate } from '../../src/mine/index.js';

// pytoolz/toolz 5905c0b658 ("Merge pull request #197 from eriknw/serialize_juxt"): the log of its
// parent plus its test patch in the environment of toolz at 568c2b8 (Python 3.11, pytest 7.2.1).
// test_juxt fails for the bug (juxt is not picklable); test_curry for Python 3.11 (inspect.getargspec).
const beforeLog = readFileSync(new URL('../fixtures/mine/toolz-5905c0b658-before.txt', import.meta.url), 'utf8');
const file = 'toolz/tests/test_serialization.py';

describe('failureSections()', () => {
  it('splits the FAILURES part of a real pytest log by test', () => {
    const sections = failureSections(beforeLog);
    expect([...sections.keys()]).toEqual(['test_curry', 'test_juxt']);
    expect(sections.get('test_juxt')![0]).toContain("Can't pickle local object 'juxt.<locals>.juxt_inner'");
    expect(sections.get('test_curry')![0]).toContain("module 'inspect' has no attribute 'getargspec'");
  });

  it('keeps collection errors and tests of the same name in two files apart from the summary', () => {
    const log = [
      '==== ERRORS ====', '____ ERROR collecting tests/test_a.py ____', "E   ImportError: cannot import name 'Mapping' from 'collections'",
      '____ TestX.test_y[1] ____', 'E   assert 1 == 2', '____ TestX.test_y[1] ____', 'E   assert 3 == 4', '==== short test summary info ====', 'FAILED tests/test_b.py::TestX::test_y[1]',
    ].join('\n');
    const sections = failureSections(log);
    expect(sections.get('ERROR collecting tests/test_a.py')).toEqual(["E   ImportError: cannot import name 'Mapping' from 'collections'"]);
    expect(sections.get('TestX.test_y[1]')).toEqual(['E   assert 1 == 2', 'E   assert 3 == 4']);
  });
});

describe('judgeCandidate() on a real log', () => {
  it('keeps a test that fails for the bug when another test of the file fails for the environment', () => {
    const after = { [`${file}::test_compose`]: 'PASSED', [`${file}::test_juxt`]: 'PASSED', [`${file}::test_curry`]: 'FAILED' } as const;
    const before = { [`${file}::test_compose`]: 'PASSED', [`${file}::test_juxt`]: 'FAILED', [`${file}::test_curry`]: 'FAILED' } as const;
    const judgement = judgeCandidate([{ ...after }, { ...after }], before, new Set(), beforeLog, ['toolz', 'tlz']);
    expect(judgement).toMatchObject({ drop: null, failToPass: [`${file}::test_juxt`], passToPass: [`${file}::test_compose`], brokenBefore: [] });
  });

  it('leaves out a test whose failure before is the environment\'s, and drops the candidate when no other fails for the bug', () => {
    // As if the fix had also made test_curry pass: its failure before is Python 3.11's, not a bug the commit fixed.
    const after = { [`${file}::test_compose`]: 'PASSED', [`${file}::test_juxt`]: 'PASSED', [`${file}::test_curry`]: 'PASSED' } as const;
    const before = { [`${file}::test_compose`]: 'PASSED', [`${file}::test_juxt`]: 'FAILED', [`${file}::test_curry`]: 'FAILED' } as const;
    const kept = judgeCandidate([{ ...after }, { ...after }], before, new Set(), beforeLog, ['toolz']);
    expect(kept).toMatchObject({ drop: null, failToPass: [`${file}::test_juxt`], brokenBefore: [`${file}::test_curry`] });
    expect(kept.evidence).toContain("module 'inspect' has no attribute 'getargspec'");
    const onlyCurry = judgeCandidate([{ ...after }, { ...after }], { ...before, [`${file}::test_juxt`]: 'PASSED' }, new Set(), beforeLog, ['toolz']);
    expect(onlyCurry).toMatchObject({ drop: 'old_code_broken', failToPass: [], brokenBefore: [`${file}::test_curry`] });
  });

  it('judges a test missing before by its file\'s collection error', () => {
    const log = ['==== ERRORS ====', '____ ERROR collecting tests/test_a.py ____', 'tests/test_a.py:1: in <module>', "E   ImportError: cannot import name 'Mapping' from 'collections' (/usr/lib/python3.11/collections/__init__.py)", '==== short test summary info ===='].join('\n');
    const after = { 'tests/test_a.py::test_x': 'PASSED' } as const;
    expect(judgeCandidate([{ ...after }, { ...after }], {}, new Set(), log, ['pkg']).drop).toBe('old_code_broken');
    const ownName = log.replace("'Mapping' from 'collections'", "'new_api' from 'pkg.core'");
    expect(judgeCandidate([{ ...after }, { ...after }], {}, new Set(), ownName, ['pkg'])).toMatchObject({ drop: null, failToPass: ['tests/test_a.py::test_x'] });
  });
});

describe('environmentError()', () => {
  // toolz 8da3058 ("fix 3.7 compat", #386): the parent's functoolz.py is no Python 3.7+; the fix is that line.
  const syntax = 'E     File "/testbed/toolz/functoolz.py", line 501\nE       f.__name__ for f in reversed((self.first,) + self.funcs),\nE       ^^^^^^^^^^\nE   SyntaxError: Generator expression must be parenthesized';
  const compatFix = 'diff --git a/toolz/functoolz.py b/toolz/functoolz.py\n--- a/toolz/functoolz.py\n+++ b/toolz/functoolz.py\n@@ -498,7 +498,7 @@\n-                f.__name__ for f in reversed((self.first,) + self.funcs),\n+                f.__name__ for f in reversed((self.first,) + self.funcs)\n';

  it('takes a failure the gold patch takes away for the commit\'s subject, not the environment\'s', () => {
    expect(environmentError(syntax, ['toolz'])).toContain('SyntaxError');
    expect(environmentError(syntax, ['toolz'], compatFix)).toBeNull();
    const curry = failureSections(beforeLog).get('test_curry')![0]!;
    const port = 'diff --git a/toolz/functoolz.py b/toolz/functoolz.py\n-    spec = inspect.getargspec(func)\n+    spec = inspect.getfullargspec(func)\n';
    expect(environmentError(curry, ['toolz'])).toContain("has no attribute 'getargspec'");
    expect(environmentError(curry, ['toolz'], port)).toBeNull();
    // A gold patch that only adds the name (or changes another file) does not take the failure away.
    expect(environmentError(curry, ['toolz'], 'diff --git a/toolz/x.py b/toolz/x.py\n+    getargspec = None\n')).toContain('getargspec');
    expect(environmentError(syntax, ['toolz'], 'diff --git a/toolz/itertoolz.py b/toolz/itertoolz.py\n-x\n+y\n')).toContain('SyntaxError');
  });

  it('reads a name with regular-expression characters as text', () => {
    expect(environmentError("ImportError: cannot import name 'a(b' from 'collections'", [], 'diff --git a/m.py b/m.py\n-from collections import a(b\n')).toBeNull();
  });
});
