import { harvest, type HarvestOptions, type HarvestResult } from '../scheduler/index.js';
import type { TraceLimits } from './schema.js';
import { traceTask } from './run-trace.js';

export interface TraceBatchOptions extends Pick<HarvestOptions, 'paths' | 'out' | 'concurrency' | 'retries' | 'filter' | 'limit' | 'signal' | 'log' | 'onEvent' | 'runId' | 'backoff'> {
  limits: TraceLimits;
  entry?: string;
  replayCheck?: boolean;
  repository?: string;
}

/**
 * Trace a batch through the harvest engine: the same planning, concurrency, resume
 * (a trace file with a footer is complete), retries of infrastructure failures and
 * batch index; only the job differs. Files land where trajectories would
 * (DIR/trajectories/<task>/0.jsonl), one attempt per task.
 */
export function traceBatch(options: TraceBatchOptions): Promise<HarvestResult> {
  const { limits, entry, repository, replayCheck, ...rest } = options;
  return harvest({
    ...rest,
    attempts: 1,
    // Image builds come before the traced command's own wall limit.
    watchdogMarginMs: (limits.wall_s + 1200) * 1000,
    runTask: (task, run) => traceTask(task, { out: run.out, limits, entry, repository, replayCheck, runId: run.runId, signal: run.signal, log: run.log }),
  });
}
