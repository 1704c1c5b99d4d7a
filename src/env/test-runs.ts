import type { SandboxProvider } from '../sandbox/index.js';
import { runIn, tail } from '../eval/index.js';
import { parserNamed, type HarnessStatus, type StatusMap } from '../eval/parsers/index.js';
import { sandboxEnv, SANDBOX_HOSTNAME } from '../core/sandbox-env.js';
import { DEFAULT_LIMITS } from '../task/index.js';
import type { Recipe } from './recipe.js';
import { REPO_ROOT } from './recipe.js';
import { readBounded } from './sandbox-files.js';

const LOG = '/tmp/forager-env/test.log';
/** A test log longer than this is not read (a suite printing that much is not one to grade). */
export const MAX_TEST_LOG_BYTES = 64 * 1024 * 1024;

/** One run of the suite in a fresh container. */
export interface SuiteRun {
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  map: StatusMap;
  /** The whole log (bounded by MAX_TEST_LOG_BYTES), for diagnosis; not recorded. */
  log: string;
  logTail: string;
}

export interface SuiteRunOptions {
  runId: string;
  taskId: string;
  timeoutS: number;
  /** Network of the container (default none: a status map must not depend on it). */
  network?: 'none' | 'bridge';
  /** Shell run before the test command (a checkout, a patch); its failure is the run's. */
  before?: string;
  signal?: AbortSignal;
}

/**
 * Run the test command once in a fresh container from `image`, network off, and read
 * its log with the recipe's parser. A hung suite is stopped at `timeoutS`; what it
 * printed so far is still read.
 */
export async function runSuite(provider: SandboxProvider, image: string, test: Recipe['test'], options: SuiteRunOptions): Promise<SuiteRun> {
  const sandbox = await provider.start({
    image,
    runId: options.runId,
    taskId: options.taskId,
    workdir: REPO_ROOT,
    env: sandboxEnv({}),
    limits: { ...DEFAULT_LIMITS, network: options.network ?? 'none', wall_time_s: options.timeoutS + 600, action_timeout_s: options.timeoutS, memory_mb: 4096, cpus: 2 },
    hostname: SANDBOX_HOSTNAME,
    signal: options.signal,
  });
  try {
    const before = options.before ? `${options.before}\n` : '';
    const result = await runIn(sandbox, REPO_ROOT, `mkdir -p /tmp/forager-env && ${before}(\n${test.command}\n) > ${LOG} 2>&1`, { timeoutMs: options.timeoutS * 1000, signal: options.signal });
    const log = (await readBounded(sandbox, LOG, MAX_TEST_LOG_BYTES, options.signal).catch(() => null))?.toString('utf8') ?? '';
    const parser = parserNamed(test.parser);
    return { exitCode: result.exitCode, timedOut: result.timedOut, durationMs: result.durationMs, map: parser.parse(log), log: log + (result.exitCode !== 0 ? result.output : ''), logTail: tail(log + result.output, 3000) };
  } finally {
    await sandbox.stop().catch(() => undefined);
  }
}

export type StatusCounts = Record<HarnessStatus, number> & { total: number };

/** How many tests ended each way. */
export function countStatuses(map: StatusMap): StatusCounts {
  const counts: StatusCounts = { PASSED: 0, FAILED: 0, SKIPPED: 0, ERROR: 0, XFAIL: 0, total: 0 };
  for (const status of Object.values(map)) {
    counts[status] += 1;
    counts.total += 1;
  }
  return counts;
}

/**
 * Two runs' status maps as one: a test whose status differs between the runs (or that
 * only one run names) is flaky and left out of the map, listed apart.
 */
export function mergeRuns(first: StatusMap, second: StatusMap): { map: StatusMap; flaky: string[] } {
  const map: StatusMap = {};
  const flaky: string[] = [];
  for (const id of new Set([...Object.keys(first), ...Object.keys(second)])) {
    if (first[id] !== undefined && first[id] === second[id]) map[id] = first[id];
    else flaky.push(id);
  }
  return { map: Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), flaky: flaky.sort() };
}
