import type { RunningWorker, WorkerOptions } from '../queue/index.js';
import type { TraceLimits } from './schema.js';
import { traceTask } from './run-trace.js';

export interface TraceWorkerOptions extends Omit<WorkerOptions, 'runTask' | 'watchdogMarginMs'> {
  limits: TraceLimits;
  entry?: string;
  replayCheck?: boolean;
}

/**
 * A queue worker that traces instead of harvesting: it takes the jobs `forager harvest
 * --queue` enqueues (tasks × attempts) and writes a trace per job where a trajectory would
 * go (OUT/<batch>/trajectories/<task>/<attempt>.jsonl), with the same locks, hand-back and
 * retries. Jobs carry no kind, so give trace jobs a queue (a Redis database) of their own.
 */
export async function startTraceWorker(options: TraceWorkerOptions): Promise<RunningWorker> {
  const { limits, entry, replayCheck, ...rest } = options;
  // The queue's client (bullmq, ioredis) is loaded only when a worker starts.
  const { startWorker } = await import('../queue/index.js');
  return startWorker({
    ...rest,
    watchdogMarginMs: (limits.wall_s + 1200) * 1000,
    runTask: (task, run) => traceTask(task, { out: run.out, limits, entry, replayCheck, runId: run.runId, signal: run.signal, log: run.log, provider: run.provider }),
  });
}
