import { harvest, type HarvestOptions, type HarvestResult } from '../scheduler/index.js';
import type { TraceLimits } from './schema.js';
import { traceTask } from './run-trace.js';
import { taskPathsFor, type RepositorySourceOptions } from './sources.js';

export interface TraceBatchOptions extends Pick<HarvestOptions, 'paths' | 'out' | 'concurrency' | 'retries' | 'filter' | 'limit' | 'signal' | 'log' | 'onEvent' | 'runId' | 'backoff' | 'provider'> {
  limits: TraceLimits;
  entry?: string;
  replayCheck?: boolean;
  repository?: string;
  /** For repository folders (folders holding no task file): how their image is made. */
  sources?: RepositorySourceOptions;
}

/**
 * Trace a batch through the harvest engine: the same planning, concurrency, resume
 * (a trace file with a footer is complete), retries of infrastructure failures and
 * batch index; only the job differs. Files land where trajectories would
 * (DIR/trajectories/<task>/0.jsonl), one attempt per task. A repository folder (holding
 * no task file) becomes a task first (see sources.ts).
 */
export async function traceBatch(options: TraceBatchOptions): Promise<HarvestResult> {
  const { limits, entry, repository, replayCheck, sources, ...rest } = options;
  return harvest({
    ...rest,
    paths: await taskPathsFor(options.paths, options.out, sources),
    attempts: 1,
    // Image builds come before the traced command's own wall limit.
    watchdogMarginMs: (limits.wall_s + 1200) * 1000,
    runTask: (task, run) => traceTask(task, { out: run.out, limits, entry, repository, replayCheck, runId: run.runId, signal: run.signal, log: run.log, provider: run.provider }),
  });
}
