// @needs docker
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findTaskFiles, loadTask } from '../../src/task/index.js';
import { readSwebench, readSwebenchRows, swebenchImageRef, taskFromInstance, SwebenchInstanceSchema } from '../../src/swebench/index.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tasks.js';

const SAMPLE = fileURLToPath(new URL('../fixtures/swebench-sample.jsonl', import.meta.url));

describe('forager tasks import swebench', () => {
  it('writes one task file per instance that loads as a valid task, gold patch kept out of the instruction', async () => {
    const out = await tempDir();
    const result = await runCli(['tasks', 'import', 'swebench', SAMPLE, '--out', out, '--environment', 'apt-get install -y patch']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 tasks imported');
    const files = await findTaskFiles([out]);
    expect(files.map((f) => f.slice(out.length + 1))).toEqual(['example__inventory-1.task.yaml', 'example__inventory-2.task.yaml']);
    const task = await loadTask(files[0]!);
    const [instance] = await readSwebench(SAMPLE);
    expect(task.spec.repo).toEqual({ url: 'https://github.com/example/inventory', commit: 'a'.repeat(40), root: '/testbed' });
    expect(task.spec.environment).toEqual({ commands: ['apt-get install -y patch'] });
    expect(task.spec.eval).toMatchObject({ fail_to_pass: ['tests/test_stock.py::test_take_all'], test_patch: instance!.test_patch });
    expect(task.spec.eval!.test_command).toMatch(/--junitxml=\$FORAGER_JUNIT tests\/test_stock\.py$/);
    expect(task.spec.gold_patch).toBe(instance!.patch);
    expect(task.spec.instruction).toBe(instance!.problem_statement);
    expect(task.spec.metadata).toMatchObject({ source: 'swe-bench', version: '1.0', environment_setup_commit: 'b'.repeat(40) });
    const second = await loadTask(files[1]!);
    expect(second.spec.eval).toMatchObject({ fail_to_pass: ['tests/test_stock.py::TestRestock::test_negative[-1]'], pass_to_pass: [] });
  });

  it('names SWE-bench images from a template and takes the repository as already in the image', async () => {
    expect(swebenchImageRef('swebench/sweb.eval.x86_64.{id}:latest', 'Django__django-11099')).toBe('swebench/sweb.eval.x86_64.django_1776_django-11099:latest');
    // A local name (no namespace) keeps the `__`, as the harness's own local builds are named.
    expect(swebenchImageRef('sweb.eval.x86_64.{id}:latest', 'Django__django-11099')).toBe('sweb.eval.x86_64.django__django-11099:latest');
    const out = await tempDir();
    const result = await runCli(['tasks', 'import', 'swebench', SAMPLE, '--out', out, '--image-template', 'swebench/sweb.eval.x86_64.{id}:latest']);
    expect(result.code).toBe(0);
    const spec = parse(await readFile(join(out, 'example__inventory-1.task.yaml'), 'utf8'));
    expect(spec.image).toEqual({ ref: 'swebench/sweb.eval.x86_64.example_1776_inventory-1:latest' });
    expect(spec.repo).toEqual({ in_image: true, commit: 'a'.repeat(40), root: '/testbed' });
  });

  it('refuses a bad line, naming the line number and the field', async () => {
    const lines = (await readFile(SAMPLE, 'utf8')).trim().split('\n');
    const bad = JSON.parse(lines[1]!);
    bad.FAIL_TO_PASS = '["unterminated';
    const file = join(await tempDir(), 'bad.jsonl');
    await writeFile(file, `${lines[0]}\n${JSON.stringify(bad)}\n`);
    const result = await runCli(['tasks', 'import', 'swebench', file, '--out', await tempDir()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:2: field "FAIL_TO_PASS": expected a JSON-encoded list of strings`);
    await writeFile(file, `${lines[0]}\n{"instance_id": "x"\n`);
    expect((await runCli(['tasks', 'import', 'swebench', file, '--out', await tempDir()])).stderr).toContain(`${file}:2: not valid JSON`);
  });
});

const DJANGO_TEST_PATCH = 'diff --git a/tests/forms_tests/tests/test_forms.py b/tests/forms_tests/tests/test_forms.py\n--- a/tests/forms_tests/tests/test_forms.py\n+++ b/tests/forms_tests/tests/test_forms.py\n@@ -1 +1,2 @@\n x\n+y\ndiff --git a/tests/forms_tests/data.json b/tests/forms_tests/data.json\n--- a/tests/forms_tests/data.json\n+++ b/tests/forms_tests/data.json\n@@ -1 +1 @@\n-1\n+2\n';

function instance(extra: Record<string, unknown> = {}) {
  return SwebenchInstanceSchema.parse({
    instance_id: 'django__django-11099', repo: 'django/django', base_commit: 'c'.repeat(40), problem_statement: 'p', patch: 'diff --git a/a b/a\n',
    test_patch: DJANGO_TEST_PATCH, FAIL_TO_PASS: '["test_x (forms_tests.tests.test_forms.FormsTestCase)"]', PASS_TO_PASS: '[]', version: '3.0', ...extra,
  });
}

describe('taskFromInstance(): the harness\'s test spec per repository and version', () => {
  it('runs Django\'s runner on module labels inside SWE-bench\'s image: its conda env, pre-steps and reinstall as prepare (before the test patch), with the network the reinstall needs', () => {
    const spec = taskFromInstance(instance(), { imageTemplate: 'swebench/sweb.eval.x86_64.{id}:latest' }) as { eval: { test_command: string; parser: string; prepare: string[]; network: string } };
    expect(spec.eval.parser).toBe('django');
    expect(spec.eval.prepare).toEqual([
      'source /opt/miniconda3/bin/activate',
      'conda activate testbed',
      "sed -i '/en_US.UTF-8/s/^# //g' /etc/locale.gen && locale-gen",
      'export LANG=en_US.UTF-8',
      'export LANGUAGE=en_US:en',
      'export LC_ALL=en_US.UTF-8',
      'python -m pip install -e .',
    ]);
    expect(spec.eval.network).toBe('bridge');
    expect(spec.eval.test_command).toBe('./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 forms_tests.tests.test_forms');
    // Outside SWE-bench's images the harness's command runs as it is: no conda, nothing before it, no network.
    const own = taskFromInstance(instance(), { imageTemplate: 'registry.example.org/django:{id}' }) as { eval: Record<string, unknown> };
    expect(own.eval).not.toHaveProperty('prepare');
    expect(own.eval).not.toHaveProperty('network');
  });

  it('runs sympy\'s bin/test and the astropy pytest flags with their parsers; an unknown version is an error naming the field', () => {
    const sympy = taskFromInstance(instance({ instance_id: 'sympy__sympy-1', repo: 'sympy/sympy', version: '1.11', test_patch: 'diff --git a/sympy/core/tests/test_basic.py b/sympy/core/tests/test_basic.py\n' })) as { eval: { test_command: string; parser: string } };
    expect(sympy.eval).toEqual(expect.objectContaining({ parser: 'sympy', test_command: "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose sympy/core/tests/test_basic.py" }));
    const astropy = taskFromInstance(instance({ repo: 'astropy/astropy', version: '1.3', test_patch: 'diff --git a/astropy/io/tests/test_x.py b/astropy/io/tests/test_x.py\n' })) as { eval: { test_command: string; parser: string } };
    expect(astropy.eval).toEqual(expect.objectContaining({ parser: 'pytest-v2', test_command: 'pytest -rA -vv -o console_output_style=classic --tb=no astropy/io/tests/test_x.py' }));
    expect(() => taskFromInstance(instance({ version: '9.9' }), {}, 'set.jsonl:7')).toThrow(/^set\.jsonl:7: field "version": the harness has no test spec for django\/django version "9\.9"/);
  });

  it('honours an instance\'s own image (SWE-smith layout: arrays, no test patch, a mirror repository) and keeps conda only for SWE-bench\'s images', () => {
    const smith = SwebenchInstanceSchema.parse({
      instance_id: 'pylint-dev__astroid.b114f6b5.2496', repo: 'pylint-dev__astroid.b114f6b5', base_commit: 'd'.repeat(40), problem_statement: 'p', patch: 'diff --git a/a b/a\n',
      FAIL_TO_PASS: ['tests/test_inference.py::test_formatted_fstring_inference'], PASS_TO_PASS: ['tests/test_inference.py::test_fstring_inference'],
      image_name: 'jyangballin/swesmith.x86_64.pylint-dev_1776_astroid.b114f6b5', created_at: new Date('2025-04-30T00:00:00Z'),
    });
    const spec = taskFromInstance(smith, { imageTemplate: 'ignored/{id}' }) as Record<string, any>;
    expect(spec.image).toEqual({ ref: 'jyangballin/swesmith.x86_64.pylint-dev_1776_astroid.b114f6b5' });
    expect(spec.repo).toEqual({ in_image: true, commit: 'd'.repeat(40), root: '/testbed' });
    expect(spec.eval).toEqual({ test_command: 'pytest -p no:cacheprovider -rA --junitxml=$FORAGER_JUNIT', prepare: ['source /opt/miniconda3/bin/activate', 'conda activate testbed'], parser: 'junit', fail_to_pass: smith.FAIL_TO_PASS, pass_to_pass: smith.PASS_TO_PASS });
    expect(spec.metadata.created_at).toBe('2025-04-30T00:00:00.000Z');
    const own = taskFromInstance(SwebenchInstanceSchema.parse({ ...smith, image_name: undefined, repo: 'https://git.example.org/me/app.git' }), { imageTemplate: 'registry.example.org/app-env:{instance_id}' }) as Record<string, any>;
    expect(own.image).toEqual({ ref: 'registry.example.org/app-env:pylint-dev__astroid.b114f6b5.2496' });
    expect(own.eval.test_command).toBe('python3 -m pytest -p no:cacheprovider -rA --junitxml=$FORAGER_JUNIT');
    // SWE-bench 5's datasets name the image `image` and the parser by its harness function.
    const five = taskFromInstance(instance({ image: 'swebench/sweb.eval.x86_64.django_1776_django-11099:v5', log_parser: 'parse_log_django' })) as Record<string, any>;
    expect(five.image).toEqual({ ref: 'swebench/sweb.eval.x86_64.django_1776_django-11099:v5' });
    expect(five.eval.parser).toBe('django');
    expect(() => taskFromInstance(instance({ log_parser: 'parse_log_jest' }), {}, 'set.jsonl:3')).toThrow(/^set\.jsonl:3: field "log_parser": no parser here for "parse_log_jest"/);
  });

  it('takes any git URL or local path as the repository, and keeps hints_text, created_at and environment_setup_commit', async () => {
    const base = await tempDir();
    const url = taskFromInstance(instance({ repo: 'git@git.example.org:me/app.git', hints_text: 'look at forms', created_at: '2019-03-01T00:00:00Z', environment_setup_commit: 'e'.repeat(40) }), { testCommand: 'make test' }) as Record<string, any>;
    expect(url.repo).toEqual({ url: 'git@git.example.org:me/app.git', commit: 'c'.repeat(40), root: '/testbed' });
    expect(url.metadata).toEqual({ source: 'swe-bench', repo: 'git@git.example.org:me/app.git', version: '3.0', environment_setup_commit: 'e'.repeat(40), hints_text: 'look at forms', created_at: '2019-03-01T00:00:00Z' });
    expect(url.eval.test_command).toBe('make test');
    const local = taskFromInstance(instance({ repo: './code', test_patch: '' }), { baseDir: base, testCommand: 'python3 -m unittest -v', parser: 'unittest', allowHostPaths: true }) as Record<string, any>;
    expect(local.repo).toEqual({ path: join(base, 'code'), commit: 'c'.repeat(40), root: '/testbed' });
    expect(local.eval).not.toHaveProperty('test_patch');
    expect(local.eval.parser).toBe('unittest');
  });

  it('refuses a repository on this machine (a path, file://, a bare path) unless host paths are allowed', async () => {
    const base = await tempDir();
    for (const repo of ['/srv/secret-repo', './code', '../up', 'file:///srv/secret-repo']) {
      expect(() => taskFromInstance(instance({ repo }), { baseDir: base }, 'set.jsonl:4')).toThrow(new RegExp(`^set\\.jsonl:4: field "repo": expected a GitHub owner/name or a remote git URL, found ${repo.replaceAll('.', '\\.')} \\(.*\\); pass --allow-host-paths`));
    }
    // An owner/name that happens to be a folder next to the instances file stays GitHub's unless host paths are allowed.
    await mkdir(join(base, 'django', 'django'), { recursive: true });
    expect((taskFromInstance(instance(), { baseDir: base }) as Record<string, any>).repo).toMatchObject({ url: 'https://github.com/django/django' });
    expect((taskFromInstance(instance(), { baseDir: base, allowHostPaths: true }) as Record<string, any>).repo).toMatchObject({ path: join(base, 'django', 'django') });
  });
});

describe('readSwebenchRows(): Hugging Face Parquet files', () => {
  it('reads a SWE-Gym-style Parquet file (list columns, int64 version) and names the row and field it cannot map', async () => {
    const dir = await tempDir();
    const [one] = await readSwebench(SAMPLE);
    const columns = (rows: Record<string, unknown>[]) => Object.keys(rows[0]!).map((name) => ({ name, data: rows.map((r) => r[name]) as never }));
    const good = { ...one!, FAIL_TO_PASS: ['tests/test_stock.py::test_take_all'], PASS_TO_PASS: ['tests/test_stock.py::test_take_some'], version: 1n, hints_text: '', created_at: '2024-01-01T00:00:00Z', environment_setup_commit: 'b'.repeat(40) };
    const file = join(dir, 'train-00000-of-00001.parquet');
    await writeFile(file, new Uint8Array(parquetWriteBuffer({ columnData: [...columns([good, { ...good, instance_id: 'example__inventory-3' }])].map((c) => (c.name === 'version' ? { ...c, type: 'INT64' as const } : c)) })));
    const rows = await readSwebenchRows(file);
    expect(rows.map((r) => [r.where, r.instance.instance_id, r.instance.version, r.instance.FAIL_TO_PASS])).toEqual([
      [`${file}: row 1`, 'example__inventory-1', '1', ['tests/test_stock.py::test_take_all']],
      [`${file}: row 2`, 'example__inventory-3', '1', ['tests/test_stock.py::test_take_all']],
    ]);
    const bad = join(dir, 'bad.parquet');
    await writeFile(bad, new Uint8Array(parquetWriteBuffer({ columnData: columns([good, { ...good, base_commit: 'not a sha' }]) })));
    const result = await runCli(['tasks', 'import', 'swebench', bad, '--out', await tempDir()]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${bad}: row 2: field "base_commit": a commit SHA or revision; found "not a sha"`);
    await writeFile(bad, 'PAR1 not parquet');
    await expect(readSwebenchRows(bad)).rejects.toThrow(`${bad}: cannot read as Parquet`);
  });
});
