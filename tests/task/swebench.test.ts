import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { findTaskFiles, loadTask, readSwebench, swebenchImageRef } from '../../src/task/index.js';
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
