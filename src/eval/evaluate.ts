import { posix } from 'node:path';
import { toForagerError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { sandboxEnv, SANDBOX_HOSTNAME } from '../core/sandbox-env.js';
import type { ProvidedSandbox, SandboxProvider } from '../sandbox/index.js';
import type { LoadedTask } from '../task/load.js';
import { repoRoot } from '../task/repo.js';
import { DEFAULT_LIMITS, type EvalSpec } from '../task/spec.js';
import type { Evaluation } from '../trajectory/schema.js';
import { applyPatch } from './apply-patch.js';
import { gradeStatusMap } from './grade.js';
import { parserNamed, type LogParser, type StatusMap } from './parsers/index.js';
import { harnessEvalScript, PREPARE_RC, TEST_PATCH_RC, testOutputSection } from './harness-script.js';
import { modifiedFiles, patchedFiles } from './pathspecs.js';
import { resetScript } from './apply-patch.js';
import { runIn, tail } from './sandbox-shell.js';

export const DEFAULT_JUNIT_PATH = '/tmp/forager-eval/junit.xml';
/** Where the test command's output (stdout and stderr interleaved, as the harness captures it) is kept in full. */
export const TEST_LOG_PATH = '/tmp/forager-eval/test.log';
/** The harness-order script (eval.prepare set), written into the grading container. */
const EVAL_SCRIPT_PATH = '/tmp/forager-eval/eval.sh';

export interface EvaluateOptions {
  runId?: string;
  signal?: AbortSignal;
  log?: Logger;
  /** Where the grading sandbox runs. */
  provider: SandboxProvider;
}

/**
 * Grade `patch` for a task with `eval`, in a fresh container from `imageId`: apply the
 * patch (cascade), apply the test patch, run the test command, read its log (or JUnit
 * report) with the task's parser and grade FAIL_TO_PASS / PASS_TO_PASS as the harness does. A patch that does not apply is a graded failure;
 * a broken harness (container gone, engine down) is a report with status `error`.
 */
export async function evaluatePatch(task: LoadedTask, imageId: string, patch: string, options: EvaluateOptions): Promise<Evaluation> {
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
  let sandbox: ProvidedSandbox | undefined;
  try {
    sandbox = await options.provider.start({
      image: imageId,
      runId: options.runId ?? 'eval',
      taskId: task.spec.id,
      workdir: root,
      env: { ...sandboxEnv(task.spec.env), FORAGER_JUNIT: junitPath },
      limits: { ...DEFAULT_LIMITS, ...task.spec.limits, network: spec.network ?? 'none', wall_time_s: spec.timeout_s + 600, action_timeout_s: spec.timeout_s },
      hostname: SANDBOX_HOSTNAME,
      signal: options.signal,
    });
    const applied = await applyPatch(sandbox, root, patch, { signal: options.signal });
    report.patch = { method: applied.method, bytes: Buffer.byteLength(patch), log_tail: applied.log };
    if (applied.method === null) return { ...report, status: 'patch_failed' };
    if (spec.prepare) return await gradeInSequence(sandbox, root, spec, report, junitPath, options.signal);
    if (spec.test_patch) {
      const testPatch = await applyTestPatch(sandbox, root, spec.test_patch, options.signal);
      report.test_patch = testPatch;
      if (!testPatch.applied) {
        return { ...report, error: { kind: 'task', code: 'TEST_PATCH_FAILED', message: `the task's test patch does not apply after the patch: ${tail(testPatch.log_tail, 500)}` } };
      }
    }
    const parser = parserNamed(spec.parser);
    const { tests, map } = await runTests(sandbox, root, spec, parser, junitPath, options.signal);
    report.tests = tests;
    const grade = gradeStatusMap(map, spec.fail_to_pass, spec.pass_to_pass, parser.keyOf);
    return { ...report, ...grade, resolved: grade.resolved && tests.invalid === undefined, status: 'graded' };
  } catch (error) {
    const failure = toForagerError(error);
    (options.log ?? silentLogger).warn({ err: error, task: task.spec.id }, 'evaluation failed');
    return { ...report, status: 'error', error: { kind: failure.kind, code: failure.code, message: failure.message } };
  } finally {
    await sandbox?.stop().catch(() => undefined);
  }
}

/**
 * The harness's sequence in one script (harness-script.ts): prepare (the reinstall) before
 * the test files are reset and the test patch applied, the test command between markers,
 * and only the output between them parsed. A test patch that does not apply stops the
 * grade (the harness would grade without it); a failed prepare in a sandbox without network
 * is named as such and the run not trusted.
 */
async function gradeInSequence(sandbox: ProvidedSandbox, root: string, spec: EvalSpec, report: Evaluation, junitPath: string, signal?: AbortSignal): Promise<Evaluation> {
  const dirs = [...new Set([posix.dirname(junitPath), posix.dirname(EVAL_SCRIPT_PATH)])].map((d) => JSON.stringify(d)).join(' ');
  await runIn(sandbox, root, `mkdir -p ${dirs} && rm -f ${JSON.stringify(junitPath)} ${TEST_LOG_PATH} ${PREPARE_RC} ${TEST_PATCH_RC}`, { timeoutMs: 30_000, signal });
  const testPatchFile = spec.test_patch ? '/tmp/forager-eval/test.patch' : undefined;
  if (testPatchFile) await sandbox.writeFile(testPatchFile, spec.test_patch!, { signal });
  const script = harnessEvalScript({ prepare: spec.prepare ?? [], testFiles: spec.test_patch ? modifiedFiles(spec.test_patch) : [], testPatchFile, testCommand: spec.test_command });
  await sandbox.writeFile(EVAL_SCRIPT_PATH, script, { signal });
  const result = await runIn(sandbox, root, `bash ${EVAL_SCRIPT_PATH} > ${TEST_LOG_PATH} 2>&1`, { timeoutMs: spec.timeout_s * 1000, signal });
  const log = (await sandbox.readFile(TEST_LOG_PATH, { signal }))?.toString('utf8') ?? '';
  const prepareRc = await readExitCode(sandbox, PREPARE_RC, signal);
  const testPatchRc = await readExitCode(sandbox, TEST_PATCH_RC, signal);
  if (testPatchFile) report.test_patch = { applied: testPatchRc === 0, log_tail: tail(log) };
  if (testPatchFile && testPatchRc !== 0) {
    return { ...report, error: { kind: 'task', code: 'TEST_PATCH_FAILED', message: `the task's test patch does not apply after the patch: ${tail(log, 500)}` } };
  }
  const parser = parserNamed(spec.parser);
  const section = testOutputSection(log);
  const xml = parser.input === 'junit' ? await sandbox.readFile(junitPath, { signal }) : null;
  const map = parser.input === 'junit' ? (xml ? parser.parse(xml.toString('utf8')) : {}) : parser.parse(section.text);
  const network = spec.network ?? 'none';
  const total = Object.keys(map).length;
  const trust = distrust(parser, map, result.exitCode, result.timedOut);
  const offline = prepareRc !== 0 && network === 'none'
    ? { invalid: `eval.prepare (the reinstall before the tests) exited ${prepareRc ?? 'without a code'} in a grading sandbox without network (eval.network: none); the harness's evaluation container has one: set eval.network: bridge, or make the reinstall work offline` }
    : {};
  report.tests = {
    command: spec.test_command, exit_code: result.exitCode, timed_out: result.timedOut, duration_ms: result.durationMs,
    junit: parser.input === 'junit' && total > 0, total, log_tail: tail(log + result.output), parser: parser.name,
    ...trust, ...(trust.invalid ? {} : offline),
    prepare: { exit_code: prepareRc, network, markers: section.markers },
  };
  const grade = gradeStatusMap(map, spec.fail_to_pass, spec.pass_to_pass, parser.keyOf);
  return { ...report, ...grade, resolved: grade.resolved && report.tests.invalid === undefined, status: 'graded' };
}

/** An exit code the script wrote to a file; null when it wrote none (the script was cut short). */
async function readExitCode(sandbox: ProvidedSandbox, path: string, signal?: AbortSignal): Promise<number | null> {
  const text = (await sandbox.readFile(path, { signal }))?.toString('utf8').trim();
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}

/** Test files go back to the base commit first (the agent may have edited them), as SWE-bench does. */
async function applyTestPatch(sandbox: ProvidedSandbox, root: string, testPatch: string, signal?: AbortSignal): Promise<{ applied: boolean; log_tail: string }> {
  await runIn(sandbox, root, resetScript(patchedFiles(testPatch)), { timeoutMs: 120_000, signal });
  await sandbox.writeFile('/tmp/forager-eval/test.patch', testPatch, { signal });
  const result = await runIn(sandbox, root, 'git apply --verbose /tmp/forager-eval/test.patch', { timeoutMs: 120_000, signal });
  return { applied: result.exitCode === 0, log_tail: tail(result.output) };
}

async function runTests(sandbox: ProvidedSandbox, root: string, spec: EvalSpec, parser: LogParser, junitPath: string, signal?: AbortSignal): Promise<{ tests: NonNullable<Evaluation['tests']>; map: StatusMap }> {
  const dirs = [...new Set([posix.dirname(junitPath), posix.dirname(TEST_LOG_PATH)])].map((d) => JSON.stringify(d)).join(' ');
  await runIn(sandbox, root, `mkdir -p ${dirs} && rm -f ${JSON.stringify(junitPath)} ${TEST_LOG_PATH}`, { timeoutMs: 30_000, signal });
  const result = await runIn(sandbox, root, `(\n${spec.test_command}\n) > ${TEST_LOG_PATH} 2>&1`, { timeoutMs: spec.timeout_s * 1000, signal });
  const log = (await sandbox.readFile(TEST_LOG_PATH, { signal }))?.toString('utf8') ?? '';
  const xml = parser.input === 'junit' ? await sandbox.readFile(junitPath, { signal }) : null;
  const map = parser.input === 'junit' ? (xml ? parser.parse(xml.toString('utf8')) : {}) : parser.parse(log);
  const total = Object.keys(map).length;
  return {
    map,
    tests: {
      command: spec.test_command,
      exit_code: result.exitCode,
      timed_out: result.timedOut,
      duration_ms: result.durationMs,
      junit: parser.input === 'junit' && total > 0,
      total,
      log_tail: tail(log + result.output),
      parser: parser.name,
      ...distrust(parser, map, result.exitCode, result.timedOut),
    },
  };
}

/**
 * The harness's checks on a run before it is graded: a log that names no test was not a
 * run at all, a timed-out one is not trusted, and a non-zero exit whose log shows no
 * failing test means the log does not describe the run (a patch can print "PASSED").
 */
export function distrust(parser: LogParser, map: StatusMap, exitCode: number | null, timedOut: boolean): { invalid?: string } {
  if (timedOut) return { invalid: 'the test command timed out' };
  const statuses = Object.values(map);
  if (statuses.length === 0) return { invalid: `parser ${parser.name} found no tests` };
  if (exitCode !== 0 && exitCode !== null && !statuses.some((s) => s === 'FAILED' || s === 'ERROR')) {
    return { invalid: `the test command exited ${exitCode} but parser ${parser.name} found no failing test` };
  }
  return {};
}
