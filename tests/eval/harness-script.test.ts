import { describe, expect, it } from 'vitest';
import { END_TEST_OUTPUT, harnessEvalScript, START_TEST_OUTPUT, testOutputSection } from '../../src/eval/harness-script.js';
import { modifiedFiles } from '../../src/eval/pathspecs.js';

describe('harnessEvalScript()', () => {
  it('orders the steps as the harness\'s eval script does: prepare, reset, test patch, start marker, tests, end marker, reset', () => {
    const script = harnessEvalScript({ prepare: ['source /opt/miniconda3/bin/activate', 'conda activate testbed', 'python -m pip install -e .'], testFiles: ['tests/a b.py'], testPatchFile: '/tmp/forager-eval/test.patch', testCommand: 'pytest -rA tests/a.py' });
    expect(script.split('\n')).toEqual([
      '#!/bin/bash',
      'set -uxo pipefail',
      'source /opt/miniconda3/bin/activate',
      'conda activate testbed',
      'python -m pip install -e .',
      'echo $? > /tmp/forager-eval/prepare.rc',
      "git checkout HEAD -- 'tests/a b.py'",
      "git apply -v '/tmp/forager-eval/test.patch'",
      'echo $? > /tmp/forager-eval/test-patch.rc',
      `: '${START_TEST_OUTPUT}'`,
      'pytest -rA tests/a.py',
      '__forager_tests_rc=$?',
      `: '${END_TEST_OUTPUT}'`,
      "git checkout HEAD -- 'tests/a b.py'",
      'exit $__forager_tests_rc',
      '',
    ]);
  });
});

describe('testOutputSection()', () => {
  it('is what lies between the markers (set -x traces them as `+ : \'…\'`), else the whole log', () => {
    const log = `+ python -m pip install -e .\nPASSED fake\n+ : '${START_TEST_OUTPUT}'\n+ pytest\nPASSED real\n+ : '${END_TEST_OUTPUT}'\n+ git checkout\n`;
    expect(testOutputSection(log)).toEqual({ text: "'\n+ pytest\nPASSED real\n+ : '", markers: true });
    expect(testOutputSection('PASSED a\n')).toEqual({ text: 'PASSED a\n', markers: false });
    expect(testOutputSection(`x ${START_TEST_OUTPUT} y`)).toEqual({ text: `x ${START_TEST_OUTPUT} y`, markers: false });
  });
});

describe('modifiedFiles()', () => {
  it('names the files a diff changes that existed before it, not the ones it adds (the harness resets only those)', () => {
    const patch = 'diff --git a/t/old.py b/t/old.py\n--- a/t/old.py\n+++ b/t/old.py\n@@ -1 +1 @@\n-a\n+b\ndiff --git a/t/new.py b/t/new.py\nnew file mode 100644\n--- /dev/null\n+++ b/t/new.py\n@@ -0,0 +1 @@\n+x\n';
    expect(modifiedFiles(patch)).toEqual(['t/old.py']);
  });
});
