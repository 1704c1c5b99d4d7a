import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gradeStatusMap, parserNamed, PARSERS, parseDjango, parseJunitReport, parsePytest, parsePytestOptions, parsePytestV2, parseSeaborn, parseSympy, parseUnittest } from '../../src/eval/index.js';

/** Logs recorded from the real runners (Debian's pytest 7.2, Django 3.2, sympy 1.11, Python 3.11's unittest). */
const log = (name: string): string => readFileSync(new URL(`../fixtures/swebench-logs/${name}`, import.meta.url), 'utf8');

describe('parsePytest() (the harness\'s parse_log_pytest, on `pytest -rA`)', () => {
  it('reads the short summary, cutting a parametrised id at its first space as the harness does', () => {
    expect(parsePytest(log('pytest-zoo.txt'))).toEqual({
      fake: 'PASSED', // a test printing "PASSED fake line" spoofs the harness's parser too
      'tests/test_p.py::test_param[a': 'PASSED',
      'tests/test_p.py::test_param[with': 'PASSED',
      'tests/test_p.py::test_xf': 'XFAIL',
      'tests/test_p.py::test_err': 'ERROR',
      'tests/test_p.py::test_param[x[1]]': 'FAILED',
      'tests/test_p.py::TestK::test_m': 'FAILED',
    });
  });

  it('leaves out the `SKIPPED [N] file:line` count lines and bare status words', () => {
    expect(parsePytest('SKIPPED [2] tests/a.py:3: no\nPASSED\nSKIPPED tests/a.py::t\n')).toEqual({ 'tests/a.py::t': 'SKIPPED' });
  });

  it('grades cut ids by prefix, as the harness grades SWE-bench\'s own cut lists', () => {
    const wrong = parsePytest(log('pytest-wrong.txt'));
    expect(wrong['tests/test_words.py::test_title[']).toBe('FAILED');
    const grade = gradeStatusMap(wrong, ['tests/test_words.py::test_title[hello'], ['tests/test_words.py::test_title[']);
    expect(grade).toMatchObject({ resolved: false, fail_to_pass: { success: ['tests/test_words.py::test_title[hello'] }, pass_to_pass: { failure: ['tests/test_words.py::test_title['] } });
  });
});

describe('parsePytestV2() and parsePytestOptions()', () => {
  it('v2 keeps whole ids with spaces and brackets, cutting FAILED lines at " - "', () => {
    const map = parsePytestV2(log('pytest-zoo.txt'));
    expect(map['tests/test_p.py::test_param[a b]']).toBe('PASSED');
    expect(map['tests/test_p.py::test_param[with - dash]']).toBe('PASSED');
    expect(map['tests/test_p.py::test_param[x[1]]']).toBe('FAILED');
    expect(map['tests/test_p.py::test_err - RuntimeError: fixture']).toBe('ERROR');
  });

  it('v2 reads `-v` progress lines ending in a status and strips colour codes', () => {
    expect(parsePytestV2('tests/a.py::test_x PASSED\n\x1b[32mPASSED\x1b[0m tests/a.py::test_y\n')).toEqual({ 'tests/a.py::test_x': 'PASSED', 'tests/a.py::test_y': 'PASSED' });
  });

  it('options keeps only the last segment of a path-like parameter', () => {
    expect(parsePytestOptions('PASSED tests/t.py::test_load[/tmp/data/file.dcm]\nPASSED tests/t.py::test_url[//host/x]\n')).toEqual({
      'tests/t.py::test_load[/file.dcm]': 'PASSED', 'tests/t.py::test_url[//host/x]': 'PASSED',
    });
  });

  it('seaborn reads `id PASSED …` progress lines', () => {
    expect(parseSeaborn('tests/a.py::t1 PASSED [ 50%]\nFAILED tests/a.py::t2\n')).toEqual({ 'tests/a.py::t1': 'PASSED', 'tests/a.py::t2': 'FAILED' });
  });
});

describe('parseDjango() (the harness\'s parse_log_django, on ./tests/runtests.py --verbosity 2)', () => {
  it('reads ok, FAIL, ERROR and skipped lines, docstring descriptions, output between "..." and "ok", and setUpClass errors', () => {
    expect(parseDjango(log('django-zoo.txt'))).toEqual({
      'setUpClass (shop.tests.BadSetupTests)': 'ERROR',
      'test_prints (shop.tests.ChattyTests.test_prints)': 'PASSED',
      'test_broken (shop.tests.TotalTests.test_broken)': 'FAILED',
      'A discount is taken off the sum,': 'PASSED',
      'test_error (shop.tests.TotalTests.test_error)': 'ERROR',
      'test_skip (shop.tests.TotalTests.test_skip)': 'SKIPPED',
      'test_sum (shop.tests.TotalTests.test_sum)': 'PASSED',
      setUpClass: 'ERROR',
      test_error: 'ERROR',
      test_broken: 'FAILED',
    });
  });

  it('a test of a class whose setUpClass failed is missing, so it fails', () => {
    const grade = gradeStatusMap(parseDjango(log('django-zoo.txt')), ['test_never (shop.tests.BadSetupTests.test_never)'], []);
    expect(grade).toMatchObject({ resolved: false, results: { 'test_never (shop.tests.BadSetupTests.test_never)': 'missing' } });
  });

  it('reads the pre-3.11 form and the runner\'s own output cutting a line', () => {
    const text = 'test_a (app.tests.T) ... ok\ntest_b (app.tests.T) ... System check identified no issues (0 silenced).\nok\ntest_c (app.tests.T) ...  OK\n';
    expect(parseDjango(text)).toEqual({ 'test_a (app.tests.T)': 'PASSED', 'test_b (app.tests.T)': 'PASSED', 'test_c (app.tests.T)': 'PASSED' });
  });
});

describe('parseSympy() (the harness\'s parse_log_sympy, on bin/test -C --verbose)', () => {
  it('reads ok / F / E lines and the failure banners; the line carrying [OK] or [FAIL] is not read, as in the harness', () => {
    expect(parseSympy(log('sympy-zoo.txt'))).toEqual({
      'mathx/tests/test_double.py:test_err': 'FAILED',
      'mathx/tests/test_double.py:test_fail': 'FAILED',
      test_sym: 'PASSED',
      test_ok: 'PASSED',
      test_err: 'ERROR',
    });
    expect(parseSympy(log('sympy-gold.txt'))).toEqual({ test_double_last: 'PASSED', test_double_is_sympy: 'PASSED', test_double_three: 'PASSED' });
  });
});

describe('parseUnittest() (python -m unittest -v)', () => {
  it('keys each test dotted and in the pre-3.11 form, with docstrings, chatter, skips, expected failures and setUpClass errors', () => {
    const map = parseUnittest(log('unittest-zoo.txt'));
    expect(map).toMatchObject({
      'pkg.test_zoo.BrokenSetup.setUpClass': 'ERROR',
      'pkg.test_zoo.Plain.test_chatty': 'PASSED',
      'pkg.test_zoo.Plain.test_doc': 'PASSED',
      'test_doc (pkg.test_zoo.Plain)': 'PASSED',
      'pkg.test_zoo.Plain.test_error': 'ERROR',
      'pkg.test_zoo.Plain.test_fail': 'FAILED',
      'pkg.test_zoo.Plain.test_ok': 'PASSED',
      'pkg.test_zoo.Plain.test_skip': 'SKIPPED',
      'pkg.test_zoo.Plain.test_xfail': 'XFAIL',
      'pkg.test_zoo.Plain.test_xpass': 'FAILED',
    });
    expect(map['pkg.test_zoo.BrokenSetup.test_never']).toBeUndefined();
    expect(Object.keys(map)).toHaveLength(18);
  });

  it('reads the pre-3.11 output form too', () => {
    expect(parseUnittest('test_a (m.T) ... ok\ntest_b (m.T)\nDoes b. ... FAIL\n')).toEqual({ 'm.T.test_a': 'PASSED', 'test_a (m.T)': 'PASSED', 'm.T.test_b': 'FAILED', 'test_b (m.T)': 'FAILED' });
  });
});

describe('parseJunitReport()', () => {
  it('reads pytest\'s XML report with whole parametrised ids, and finds tests by node id', () => {
    const map = parseJunitReport(log('pytest-zoo.junit.xml'));
    expect(map['tests.test_p::test_param[a b]']).toBe('PASSED');
    expect(map['tests.test_p::test_skip']).toBe('SKIPPED');
    const grade = gradeStatusMap(map, ['tests/test_p.py::test_param[with - dash]'], ['tests/test_p.py::TestK::test_m'], PARSERS.junit.keyOf);
    expect(grade.results).toEqual({ 'tests/test_p.py::test_param[with - dash]': 'passed', 'tests/test_p.py::TestK::test_m': 'failed' });
    expect(parseJunitReport('not xml <')).toEqual({});
  });
});

describe('parserNamed()', () => {
  it('names every parser and refuses an unknown name, listing the known ones', () => {
    expect(parserNamed('django').name).toBe('django');
    expect(() => parserNamed('nose')).toThrow(/unknown test log parser "nose": expected one of junit, pytest/);
  });
});

describe('the recorded logs of the fixture tasks, graded without Docker', () => {
  it('resolve with the gold patch and not with the empty or the wrong one, for every runner', async () => {
    const { loadTask } = await import('../../src/task/index.js');
    for (const runner of ['django', 'sympy', 'unittest', 'pytest'] as const) {
      const task = await loadTask(new URL(`../fixtures/swebench-runners/${runner}/task.yaml`, import.meta.url).pathname);
      const spec = task.spec.eval!;
      const grade = (kind: string) => gradeStatusMap(parserNamed(spec.parser).parse(log(`${runner}-${kind}.txt`)), spec.fail_to_pass, spec.pass_to_pass).resolved;
      expect([runner, grade('gold'), grade('empty'), grade('wrong')]).toEqual([runner, true, false, false]);
    }
  });
});
