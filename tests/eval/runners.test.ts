// @needs docker
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluatePatch, proveTask } from '../../src/eval/index.js';
import { resolveTaskImage } from '../../src/docker/images/index.js';
import { runTask } from '../../src/runner/index.js';
import { harvest } from '../../src/scheduler/index.js';
import { defaultTaskPolicy, loadTask, setTaskPolicy, type LoadedTask } from '../../src/task/index.js';
import { runCli } from '../helpers/cli.js';
import { containersOf, testRunId, testProvider } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';
import { docker, removeTestImages, TEST_REPOSITORY } from '../docker/images/helpers.js';
import { checkPredictions, checkRunReport } from '../swebench/checker.js';
import { baseCheckout, patchOf, RUNNERS, RUNNERS_DIR, taskFile, writeVariant, type Runner } from './runner-fixtures.js';

// One environment image (Debian's python3-django, python3-sympy, python3-pytest) shared by
// every runner's task; each runner's repository is its own task layer on top.

const runId = testRunId();
// A local image laid out as SWE-bench's are (repository at /testbed, a conda `testbed` env), named as the harness names local builds.
const STAND_IN_ID = `django__django-${process.pid}`;
const STAND_IN = `sweb.eval.x86_64.${STAND_IN_ID.toLowerCase()}:latest`;
const tasks = {} as Record<Runner, LoadedTask>;
const images = {} as Record<Runner, string>;
const resolveImage = (task: LoadedTask, signal?: AbortSignal) => resolveTaskImage(task, { repository: TEST_REPOSITORY, signal });

beforeAll(async () => {
  for (const runner of RUNNERS) tasks[runner] = await loadTask(taskFile(runner));
  // The first build makes the shared environment layer; the others build only their task layer.
  images.django = (await resolveImage(tasks.django)).id;
  await Promise.all(RUNNERS.slice(1).map(async (r) => { images[r] = (await resolveImage(tasks[r])).id; }));
});

afterAll(async () => {
  await removeTestImages();
  await docker.getImage(STAND_IN).remove().catch(() => undefined);
  expect(await containersOf(runId)).toEqual([]);
});

describe.concurrent('real test runners graded as the SWE-bench harness grades them', () => {
  it('each runner\'s task is sound: the gold patch resolves it, the empty patch does not', async () => {
    const proofs = await Promise.all(RUNNERS.map((r) => proveTask(tasks[r], { provider: testProvider(), runId, repository: TEST_REPOSITORY })));
    for (const proof of proofs) {
      expect(proof, `${proof.id}: ${proof.reason} ${proof.gold?.tests?.log_tail}`).toMatchObject({ sound: true, gold: { status: 'graded', resolved: true }, empty: { status: 'graded', resolved: false } });
    }
    expect(proofs.map((p) => p.parser)).toEqual(['django', 'sympy', 'unittest', 'pytest']);
    expect(proofs[0]!.empty!.results).toEqual({
      'Discounts come off the total,': 'failed',
      'test_no_discount (shop.tests.TotalTests.test_no_discount)': 'passed',
      'test_sum (shop.tests.TotalTests.test_sum)': 'passed',
      'test_needs_network (shop.tests.TotalTests.test_needs_network)': 'skipped',
    });
  });

  it('a wrong patch grades as the harness would: the failing listed test fails, the rest as they ran', async () => {
    const [django, sympy, unittest, pytest] = await Promise.all(RUNNERS.map((r) => evaluatePatch(tasks[r], images[r], patchOf(r, 'wrong'), { provider: testProvider(), runId })));
    expect(django).toMatchObject({ status: 'graded', resolved: false, fail_to_pass: { failure: ['Discounts come off the total,'] }, pass_to_pass: { failure: [] } });
    expect(sympy).toMatchObject({ resolved: false, results: { test_double_three: 'failed', test_double_is_sympy: 'passed', test_double_last: 'passed' } });
    expect(unittest).toMatchObject({
      resolved: false,
      fail_to_pass: { success: ['tests.test_calc.MeanTests.test_pair'], failure: ['tests.test_calc.MeanTests.test_empty'] },
      pass_to_pass: { success: ['test_single (tests.test_calc.MeanTests)', 'tests.test_calc.MeanTests.test_many'], failure: [] },
    });
    // pytest's summary cuts `test_title[  two  spaces -Two Spaces]` to `test_title[`: the harness's P2P id.
    expect(pytest).toMatchObject({ resolved: false, fail_to_pass: { failure: [] }, pass_to_pass: { failure: ['tests/test_words.py::test_title['] } });
    expect(pytest!.tests).toMatchObject({ parser: 'pytest', exit_code: 1, total: 6 });
  });

  it('a log its parser cannot read is unsound, "parser <name> found no tests", never a pass or a fail', async () => {
    const misread = { ...tasks.django, spec: { ...tasks.django.spec, eval: { ...tasks.django.spec.eval!, parser: 'pytest' as const } } };
    const proof = await proveTask(misread, { provider: testProvider(), runId, repository: TEST_REPOSITORY });
    expect(proof).toMatchObject({ sound: false, reason: 'parser pytest found no tests', gold: { status: 'graded', resolved: false, tests: { total: 0, invalid: 'parser pytest found no tests' } } });
  });

  it('imports a user\'s own repository (local path, JSONL) and grades it with pytest\'s JUnit XML', async () => {
    const dir = await tempDir();
    const checkout = await baseCheckout('pytest'); // the user's own git repository
    const instance = {
      instance_id: 'me__words-1',
      repo: relative(dir, checkout), // a path relative to the instances file
      base_commit: execFileSync('git', ['rev-parse', 'HEAD'], { cwd: checkout, encoding: 'utf8' }).trim(),
      problem_statement: 'title() lower-cases the rest of each word.',
      patch: patchOf('pytest', 'gold'),
      test_patch: patchOf('pytest', 'test'),
      FAIL_TO_PASS: ['tests/test_words.py::test_title[hello macOS-Hello MacOS]'],
      PASS_TO_PASS: JSON.stringify(['tests/test_words.py::test_one_word', 'tests/test_words.py::test_title[  two  spaces -Two Spaces]']),
      created_at: '2026-11-30T00:00:00Z',
    };
    await writeFile(join(dir, 'mine.jsonl'), `${JSON.stringify(instance)}\n`);
    const args = ['tasks', 'import', 'swebench', join(dir, 'mine.jsonl'), '--out', join(dir, 'tasks'), '--environment', 'apt-get update && apt-get install -y --no-install-recommends python3-django python3-sympy && rm -rf /var/lib/apt/lists/*'];
    // A repository on this machine is the operator's to allow: the instances file alone may not name one.
    expect((await runCli(args)).stderr).toContain(`${join(dir, 'mine.jsonl')}:1: field "repo": expected a GitHub owner/name or a remote git URL`);
    const imported = await runCli([...args, '--allow-host-paths']);
    expect(imported.stderr).toBe('');
    setTaskPolicy({ ...defaultTaskPolicy(), allowHostPaths: true });
    const task = await loadTask(join(dir, 'tasks', 'me__words-1.task.yaml')).finally(() => setTaskPolicy(defaultTaskPolicy()));
    expect(task.spec.eval).toMatchObject({ parser: 'junit', test_command: 'python3 -m pytest -p no:cacheprovider -rA --junitxml=$FORAGER_JUNIT tests/test_words.py' });
    const image = await resolveImage(task);
    // Same recipe and environment as the fixture tasks: only this repository's task layer is built.
    expect(image.layers.map((l) => [l.kind, l.built])).toEqual([['image', false], ['environment', false], ['task', true]]);
    const [gold, empty, wrong] = await Promise.all([patchOf('pytest', 'gold'), '', patchOf('pytest', 'wrong')].map((p) => evaluatePatch(task, image.id, p, { provider: testProvider(), runId })));
    expect(gold).toMatchObject({ resolved: true, tests: { parser: 'junit', junit: true, total: 6 } });
    expect(empty).toMatchObject({ resolved: false, fail_to_pass: { failure: ['tests/test_words.py::test_title[hello macOS-Hello MacOS]'] } });
    expect(wrong).toMatchObject({ resolved: false, pass_to_pass: { failure: ['tests/test_words.py::test_title[  two  spaces -Two Spaces]'] } });
  });
});

describe('SWE-bench\'s own image layout', () => {
  it('imports a django/django instance with the harness\'s spec for its version, and grades it in a SWE-bench-style image through conda', async () => {
    const image = await resolveImage(tasks.django);
    // The stand-in for SWE-bench's image: the fixture's Django image plus an activate script and `python`, as conda provides.
    const dockerfile = [
      `FROM ${image.id}`,
      'RUN mkdir -p /opt/miniconda3/bin && ln -s /usr/bin/python3 /opt/miniconda3/bin/python \\',
      " && printf 'export PATH=/opt/miniconda3/bin:$PATH\\nconda() { export CONDA_DEFAULT_ENV=$2; }\\n' > /opt/miniconda3/bin/activate",
    ].join('\n');
    execFileSync('docker', ['build', '-q', '-t', STAND_IN, '-'], { input: dockerfile, stdio: ['pipe', 'pipe', 'pipe'] });
    const dir = await tempDir();
    const spec = tasks.django.spec;
    const instance = {
      instance_id: STAND_IN_ID, repo: 'django/django', version: '4.0', base_commit: image.repo!.commit, problem_statement: spec.instruction,
      patch: spec.gold_patch, test_patch: spec.eval!.test_patch, FAIL_TO_PASS: JSON.stringify(spec.eval!.fail_to_pass), PASS_TO_PASS: JSON.stringify(spec.eval!.pass_to_pass),
    };
    await writeFile(join(dir, 'verified.jsonl'), `${JSON.stringify(instance)}\n`);
    const imported = await runCli(['tasks', 'import', 'swebench', join(dir, 'verified.jsonl'), '--out', join(dir, 'tasks'), '--image-template', 'sweb.eval.x86_64.{id}:latest']);
    expect(imported.stderr).toBe('');
    const task = await loadTask(join(dir, 'tasks', `${STAND_IN_ID}.task.yaml`));
    expect(task.spec.image).toEqual({ ref: STAND_IN });
    expect(task.spec.eval).toMatchObject({
      parser: 'django', network: 'bridge', test_command: './tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 shop.tests',
      prepare: ['source /opt/miniconda3/bin/activate', 'conda activate testbed', 'python -m pip install -e .'],
    });
    const proof = await proveTask(task, { provider: testProvider(), runId, repository: TEST_REPOSITORY });
    expect(proof, `${proof.reason} ${proof.gold?.tests?.log_tail}`).toMatchObject({ sound: true, parser: 'django', gold: { resolved: true, tests: { prepare: { network: 'bridge', markers: true } } }, empty: { resolved: false } });
  });
});

describe('the harness\'s evaluation sequence (eval.prepare, as image-mode SWE-bench tasks have it)', () => {
  const withEval = (task: LoadedTask, extra: Record<string, unknown>): LoadedTask => ({ ...task, spec: { ...task.spec, eval: { ...task.spec.eval!, ...extra } } });
  const fetchMirror = "python3 -c \"import urllib.request; urllib.request.urlopen('http://deb.debian.org/debian/', timeout=20)\"";

  it('runs prepare before the test files are reset and the test patch applied, and parses only what the markers enclose', async () => {
    // prepare prints a status line for a test that does not exist, then checks the test patch is not in yet.
    const task = withEval(tasks.pytest, { prepare: ['echo "PASSED tests/test_words.py::test_printed_by_prepare"', '! grep -q "def test_title" tests/test_words.py'] });
    const gold = await evaluatePatch(task, images.pytest, patchOf('pytest', 'gold'), { provider: testProvider(), runId });
    expect(gold).toMatchObject({ status: 'graded', resolved: true, test_patch: { applied: true }, tests: { prepare: { exit_code: 0, network: 'none', markers: true } } });
    expect(gold.tests?.invalid).toBeUndefined();
    const plain = await evaluatePatch(tasks.pytest, images.pytest, patchOf('pytest', 'gold'), { provider: testProvider(), runId });
    // The printed line was outside the markers: the same tests were read as without prepare.
    expect(gold.tests?.total).toBe(plain.tests?.total);
  });

  it('a reinstall that needs the network: without it the run is not trusted and says why; with eval.network bridge it grades', async () => {
    const offline = await evaluatePatch(withEval(tasks.pytest, { prepare: [fetchMirror] }), images.pytest, patchOf('pytest', 'gold'), { provider: testProvider(), runId });
    expect(offline).toMatchObject({ status: 'graded', resolved: false, tests: { prepare: { network: 'none', markers: true } } });
    expect(offline.tests?.prepare?.exit_code).not.toBe(0);
    expect(offline.tests?.invalid).toMatch(/^eval\.prepare \(the reinstall before the tests\) exited \d+ in a grading sandbox without network \(eval\.network: none\)/);
    const online = await evaluatePatch(withEval(tasks.pytest, { prepare: [fetchMirror], network: 'bridge' }), images.pytest, patchOf('pytest', 'gold'), { provider: testProvider(), runId });
    expect(online).toMatchObject({ status: 'graded', resolved: true, tests: { prepare: { exit_code: 0, network: 'bridge', markers: true } } });
  });
});

describe('forager swebench predictions and report on a harvested batch', () => {
  it('writes predictions and the run report the harness reads, and attaches harness results without touching trajectories', async () => {
    const dir = await tempDir();
    const agents: Record<Runner, unknown[]> = {
      pytest: [{ tool: 'edit', path: 'words/__init__.py', search: 'w.capitalize() for w', replace: 'w[:1].upper() + w[1:] for w' }, { tool: 'submit' }],
      unittest: [{ tool: 'edit', path: 'calc/__init__.py', search: '(len(values) + 1)', replace: 'max(len(values), 1)' }, { tool: 'submit' }],
      sympy: [{ tool: 'edit', path: 'mathx/__init__.py', search: 'Integer(2) + x', replace: 'Integer(2) * x' }, { tool: 'submit' }],
      django: [{ tool: 'submit' }],
    };
    await mkdir(join(dir, 'tasks'));
    for (const runner of RUNNERS) await writeVariant(runner, join(dir, 'tasks'), (spec) => { spec.agent = { type: 'scripted', actions: agents[runner] }; });
    const out = join(dir, 'batch');
    const result = await harvest({ provider: testProvider(),
      paths: [join(dir, 'tasks')], out, concurrency: 4, attempts: 2, retries: 0, runId,
      runTask: (task, options) => runTask(task, { ...options, resolveImage: (t, signal) => resolveImage(t, signal) }),
    });
    expect(result.planned).toBe(8);

    const preds = join(dir, 'preds.jsonl');
    const predicted = await runCli(['swebench', 'predictions', out, '--out', preds, '--model-name', 'scripted/fixer']);
    expect(predicted.stderr).toBe('');
    expect(predicted.stdout).toContain('4 predictions written');
    const text = await readFile(preds, 'utf8');
    const checkouts = Object.fromEntries(await Promise.all(RUNNERS.map(async (r) => [`runner-${r}`, await baseCheckout(r)] as const)));
    expect(checkPredictions(text, (id) => checkouts[id])).toEqual([]);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { instance_id: string; model_patch: string; model_name_or_path: string });
    expect(lines.map((l) => l.instance_id)).toEqual(['runner-django', 'runner-pytest', 'runner-sympy', 'runner-unittest']);
    expect(lines[0]!.model_patch).toBe('');
    expect(lines[1]!.model_name_or_path).toBe('scripted/fixer');

    const reported = await runCli(['swebench', 'report', out]);
    expect(reported.stderr).toBe('');
    const report = JSON.parse(await readFile(join(out, 'swebench-report.json'), 'utf8')) as Record<string, unknown>;
    expect(checkRunReport(report)).toEqual([]);
    expect(report).toMatchObject({
      total_instances: 4, submitted_instances: 4, completed_instances: 3, resolved_instances: 2, unresolved_instances: 1, empty_patch_instances: 1, error_instances: 0,
      resolved_ids: ['runner-pytest', 'runner-sympy'], unresolved_ids: ['runner-unittest'], empty_patch_ids: ['runner-django'],
    });
    expect(reported.stdout).toMatch(/^repository\s+instances\s+resolved\s+unresolved\s+empty\s+error\s+incomplete\s+resolved%$/m);
    expect(reported.stdout).toMatch(/^total\s+4\s+2\s+1\s+1\s+0\s+0\s+50\.0%$/m);

    // An official harness run over the same predictions (its run report, as make_run_report writes it).
    const harnessReport = join(dir, 'scripted__fixer.run1.json');
    await writeFile(harnessReport, JSON.stringify({ ...report, resolved_ids: ['runner-pytest'], unresolved_ids: ['runner-unittest'], error_ids: ['runner-sympy', 'runner-gone'] }));
    const hash = async () => createHash('sha256').update(await readFile(join(out, 'trajectories', 'runner-pytest', '1.jsonl'))).digest('hex');
    const before = await hash();
    const attached = await runCli(['swebench', 'report', out, '--from-harness', harnessReport]);
    expect(attached.stderr).toBe('');
    const sidecar = JSON.parse(await readFile(join(out, 'swebench-harness.json'), 'utf8'));
    expect(sidecar.instances['runner-pytest']).toMatchObject({ resolved: true, reward: 1, trajectory: 'trajectories/runner-pytest/1.jsonl' });
    expect(sidecar.instances['runner-unittest']).toMatchObject({ resolved: false, reward: 0 });
    expect(sidecar.instances['runner-sympy']).toMatchObject({ resolved: null, reward: null });
    expect(sidecar.instances['runner-django']).toMatchObject({ resolved: false, reward: 0 });
    expect(sidecar.unknown_ids).toEqual(['runner-gone']);
    expect(await hash()).toBe(before);
    await rm(dir, { recursive: true, force: true });
  });
});
