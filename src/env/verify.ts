import type { SandboxProvider } from '../sandbox/index.js';
import { runIn } from '../eval/index.js';
import { sandboxEnv, SANDBOX_HOSTNAME } from '../core/sandbox-env.js';
import { DEFAULT_LIMITS } from '../task/index.js';
import type { EnvFailureCode } from './record.js';
import { diagnoseLog } from './diagnose.js';
import { REPO_ROOT, type Recipe } from './recipe.js';
import { countStatuses, mergeRuns, runSuite, type SuiteRun } from './test-runs.js';
import type { StatusMap } from '../eval/parsers/index.js';

/** The share of tests both runs must agree on for a status map to count as reproduced. */
export const MIN_STABLE_SHARE = 0.9;

export interface Verification {
  ok: boolean;
  reason: { code: EnvFailureCode; message: string } | null;
  runs: SuiteRun[];
  map: StatusMap;
  flaky: string[];
}

/**
 * Judge an environment from two runs of its suite in fresh containers of its image
 * (network off): the runs must read as test runs (the parser finds tests, nothing timed
 * out), agree on at least MIN_STABLE_SHARE of the tests (the rest is flaky and kept
 * apart), and at least one test must pass in both. What the installer saw in its own
 * sandbox is never taken for this.
 */
export function judgeRuns(first: SuiteRun, second: SuiteRun, ownPackages: string[], timeoutS: number, command = ''): Verification {
  const runs = [first, second];
  const fail = (code: EnvFailureCode, message: string): Verification => ({ ok: false, reason: { code, message }, runs, map: {}, flaky: [] });
  const hung = runs.find((r) => r.timedOut);
  if (hung) return fail('ENV_TESTS_HANG', `the test suite ran past ${timeoutS} s`);
  const empty = runs.find((r) => Object.keys(r.map).length === 0);
  if (empty) {
    const diagnosis = diagnoseLog(empty.log, ownPackages);
    if (diagnosis.distributions.length > 0) return fail('ENV_DEPENDENCY_MISSING', `the tests do not collect: no module named ${diagnosis.modules.join(', ')} (looked for ${diagnosis.distributions.join(', ')})`);
    if (diagnosis.network) return fail('ENV_NEEDS_NETWORK', 'the tests do not collect without the network');
    if (/(collected 0 items|no tests ran)/.test(empty.log)) return fail('ENV_NO_TESTS', 'pytest collected no tests');
    return fail('ENV_TESTS_DO_NOT_RUN', `the test command found no tests (exit ${empty.exitCode}): ${empty.logTail.slice(-600)}`);
  }
  // A pytest command's log must be a pytest session: lines that merely look like results (an echo) are not a run.
  const notPytest = runs.find((r) => / -m pytest\b|(^|[\s;&|(])pytest\b/.test(command) && !/^=+ test session starts =+$/m.test(r.log));
  if (notPytest) return fail('ENV_TESTS_DO_NOT_RUN', 'the log holds test results but no pytest session: the command did not run the suite');
  const { map, flaky } = mergeRuns(first.map, second.map);
  const total = Math.max(Object.keys(first.map).length, Object.keys(second.map).length);
  if (Object.keys(map).length < MIN_STABLE_SHARE * total) {
    return { ...fail('ENV_NOT_REPRODUCED', `the two fresh runs agree on ${Object.keys(map).length} of ${total} tests`), map, flaky };
  }
  if (countStatuses(map).PASSED === 0) {
    const diagnosis = diagnoseLog(first.log, ownPackages);
    if (diagnosis.network) return { ...fail('ENV_NEEDS_NETWORK', 'no test passes without the network'), map, flaky };
    return { ...fail('ENV_NO_PASSING_TESTS', `no test passes (${countStatuses(map).total} ran)`), map, flaky };
  }
  return { ok: true, reason: null, runs, map, flaky };
}

/** Two runs of the suite, one after the other (together they would share the CPU and time each other out). */
export async function runTwice(provider: SandboxProvider, image: string, test: Recipe['test'], options: { runId: string; taskId: string; timeoutS: number; first?: SuiteRun; signal?: AbortSignal }): Promise<[SuiteRun, SuiteRun]> {
  const first = options.first ?? await runSuite(provider, image, test, options);
  const second = await runSuite(provider, image, test, options);
  return [first, second];
}

/** Every installed distribution of the image with its version (importlib.metadata), sorted by name. */
export async function listPackages(provider: SandboxProvider, image: string, options: { runId: string; taskId: string; signal?: AbortSignal }): Promise<{ name: string; version: string }[]> {
  const sandbox = await provider.start({
    image, runId: options.runId, taskId: options.taskId, workdir: REPO_ROOT, env: sandboxEnv({}),
    limits: { ...DEFAULT_LIMITS, network: 'none', wall_time_s: 600 }, hostname: SANDBOX_HOSTNAME, signal: options.signal,
  });
  try {
    const script = 'import importlib.metadata as m, json; print(json.dumps(sorted({(d.metadata["Name"] or "?", d.version or "?") for d in m.distributions()})))';
    const result = await runIn(sandbox, REPO_ROOT, `python3 -c '${script}'`, { timeoutMs: 120_000, signal: options.signal });
    const parsed: unknown = JSON.parse(result.output.trim().split('\n').pop() ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed.filter((p): p is [string, string] => Array.isArray(p) && typeof p[0] === 'string' && typeof p[1] === 'string').slice(0, 5000).map(([name, version]) => ({ name: name.slice(0, 200), version: version.slice(0, 100) }));
  } catch {
    return [];
  } finally {
    await sandbox.stop().catch(() => undefined);
  }
}
