import { posix } from 'node:path';
import { toForagerError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { sandboxEnv, SANDBOX_HOSTNAME } from '../core/sandbox-env.js';
import { DockerSandbox } from '../sandbox/docker/sandbox.js';
import type { LoadedTask } from '../task/load.js';
import { repoRoot } from '../task/repo.js';
import { DEFAULT_LIMITS, type EvalSpec } from '../task/spec.js';
import type { Evaluation } from '../trajectory/schema.js';
import { applyPatch } from './apply-patch.js';
import { gradeTests } from './grade.js';
import { parseJunit, statusesOf, type TestCase } from './junit.js';
import { patchedFiles } from './pathspecs.js';
import { resetScript } from './apply-patch.js';
import { runIn, tail } from './sandbox-shell.js';

export const DEFAULT_JUNIT_PATH = '/tmp/forager-eval/junit.xml';

export interface EvaluateOptions {
  runId?: string;
  signal?: AbortSignal;
  log?: Logger;
}

/**
 * Grade `patch` for a task with `eval`, in a fresh container from `imageId`: apply the
 * patch (cascade), apply the test patch, run the test command, read its JUnit report and
 * grade FAIL_TO_PASS / PASS_TO_PASS. A patch that does not apply is a graded failure;
 * a broken harness (container gone, engine down) is a report with status `error`.
 */
export async function evaluatePatch(task: LoadedTask, imageId: string, patch: string, options: EvaluateOptions = {}): Promise<Evaluation> {
  const spec = task.spec.eval;
  if (!spec) throw new Error(`task ${task.spec.id} has no eval section`);
  const started = Date.now();
  const report: Evaluation = {
    status: 'error',
    resolved: false,
    image_id: imageId,
    patch: { method: null, bytes: Buffer.byteLength(patch), log_tail: '' },
    results: {},
    fail_to_pass: { success: [], failure: [...spec.fail_to_pass] },
    pass_to_pass: { success: [], failure: [...spec.pass_to_pass] },
    duration_ms: 0,
  };
  const result = await gradeIn(task, spec, imageId, patch, report, options);
  return { ...result, duration_ms: Date.now() - started };
}

async function gradeIn(task: LoadedTask, spec: EvalSpec, imageId: string, patch: string, report: Evaluation, options: EvaluateOptions): Promise<Evaluation> {
  const root = repoRoot(task.spec);
  const junitPath = spec.junit_path ?? DEFAULT_JUNIT_PATH;
  let sandbox: DockerSandbox | undefined;
  try {
    sandbox = await DockerSandbox.start({
      image: imageId,
      runId: options.runId ?? 'eval',
      taskId: task.spec.id,
      workdir: root,
      env: { ...sandboxEnv(task.spec.env), FORAGER_JUNIT: junitPath },
      limits: { ...DEFAULT_LIMITS, ...task.spec.limits, network: 'none', wall_time_s: spec.timeout_s + 600, action_timeout_s: spec.timeout_s },
      hostname: SANDBOX_HOSTNAME,
      signal: options.signal,
    });
    const applied = await applyPatch(sandbox, root, patch, { signal: options.signal });
    report.patch = { method: applied.method, bytes: Buffer.byteLength(patch), log_tail: applied.log };
    if (applied.method === null) return { ...report, status: 'patch_failed' };
    if (spec.test_patch) {
      const testPatch = await applyTestPatch(sandbox, root, spec.test_patch, options.signal);
      report.test_patch = testPatch;
      if (!testPatch.applied) {
        return { ...report, error: { kind: 'task', code: 'TEST_PATCH_FAILED', message: `the task's test patch does not apply after the patch: ${tail(testPatch.log_tail, 500)}` } };
      }
    }
    const { tests, cases } = await runTests(sandbox, root, spec, junitPath, options.signal);
    report.tests = tests;
    const results = statusesOf([...spec.fail_to_pass, ...spec.pass_to_pass], cases);
    const grade = gradeTests(results, spec.fail_to_pass, spec.pass_to_pass);
    return { ...report, ...grade, results, status: 'graded' };
  } catch (error) {
    const failure = toForagerError(error);
    (options.log ?? silentLogger).warn({ err: error, task: task.spec.id }, 'evaluation failed');
    return { ...report, status: 'error', error: { kind: failure.kind, code: failure.code, message: failure.message } };
  } finally {
    await sandbox?.stop().catch(() => undefined);
  }
}

/** Test files go back to the base commit first (the agent may have edited them), as SWE-bench does. */
async function applyTestPatch(sandbox: DockerSandbox, root: string, testPatch: string, signal?: AbortSignal): Promise<{ applied: boolean; log_tail: string }> {
  await runIn(sandbox, root, resetScript(patchedFiles(testPatch)), { timeoutMs: 120_000, signal });
  await sandbox.writeFile('/tmp/forager-eval/test.patch', testPatch, { signal });
  const result = await runIn(sandbox, root, 'git apply --verbose /tmp/forager-eval/test.patch', { timeoutMs: 120_000, signal });
  return { applied: result.exitCode === 0, log_tail: tail(result.output) };
}

async function runTests(sandbox: DockerSandbox, root: string, spec: EvalSpec, junitPath: string, signal?: AbortSignal): Promise<{ tests: NonNullable<Evaluation['tests']>; cases: TestCase[] }> {
  const dir = posix.dirname(junitPath);
  await runIn(sandbox, root, `mkdir -p ${JSON.stringify(dir)} && rm -f ${JSON.stringify(junitPath)}`, { timeoutMs: 30_000, signal });
  const result = await runIn(sandbox, root, spec.test_command, { timeoutMs: spec.timeout_s * 1000, signal });
  const xml = await sandbox.readFile(junitPath, { signal });
  let cases: TestCase[] = [];
  try {
    cases = xml ? parseJunit(xml.toString('utf8')) : [];
  } catch {
    cases = [];
  }
  return {
    cases,
    tests: { command: spec.test_command, exit_code: result.exitCode, timed_out: result.timedOut, duration_ms: result.durationMs, junit: xml !== null && cases.length > 0, total: cases.length, log_tail: tail(result.output) },
  };
}
