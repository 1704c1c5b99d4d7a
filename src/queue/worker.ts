import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { WaitingError, Worker, type Job } from 'bullmq';
import { silentLogger, type Logger } from '../core/log.js';
import type { RateLimiter } from '../model/index.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { BatchRecord, DEFAULT_BACKOFF, type BackoffOptions, type RunTaskFn } from '../scheduler/index.js';
import { connectRedis } from './connection.js';
import { KEY_PREFIX, QUEUE_NAME } from './names.js';
import type { BatchRateLimit, JobPayload } from './payload.js';
import { processJob, type JobResult } from './process-job.js';
import { createRedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js';

export interface WorkerOptions {
  queue: string;
  /** Batch folders go under here: <out>/<batch>/trajectories/… (a shared file system in a cluster). */
  out: string;
  concurrency: number;
  /**
   * How long a job's lock lives without renewal (renewed every half of it while the
   * worker is alive). A worker that dies loses its jobs after at most this plus one
   * stalled interval. Default 30 s.
   */
  lockDurationMs?: number;
  /** How often every worker looks for jobs whose lock expired. Default 15 s. */
  stalledIntervalMs?: number;
  /** How many times a job may be taken back from a dead worker before it fails. Default 5. */
  maxStalledCount?: number;
  retries?: number;
  rateLimit?: RedisRateLimiterOptions;
  log?: Logger;
  backoff?: BackoffOptions;
  engineWaitMs?: number;
  watchdogMarginMs?: number;
  watchdogGraceMs?: number;
  /** Label of this worker's containers (forager.run); default a fresh id. */
  runId?: string;
  /** Where this worker's sandboxes run (its own engine). */
  provider: SandboxProvider;
  runTask?: RunTaskFn;
  onJob?: (event: { type: 'started' | 'completed' | 'failed' | 'handed-back'; jobId: string; result?: JobResult; error?: string }) => void;
}

export interface RunningWorker {
  id: string;
  runId: string;
  /** Attempts running now. */
  running(): number;
  /**
   * Stop taking jobs; let running attempts finish for `graceMs`, then abort them and
   * hand their jobs back to the queue. Resolves when every attempt has ended.
   */
  close(graceMs: number): Promise<{ handedBack: number }>;
}

/** Thrown once the job was moved back to wait: BullMQ leaves it there. */
class HandedBack extends WaitingError {}

/** Start a worker: it takes attempts from the queue and runs them with the local Docker engine. */
export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const log = options.log ?? silentLogger;
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
  const runId = options.runId ?? `worker-${randomUUID().slice(0, 8)}`;
  const lockDurationMs = options.lockDurationMs ?? 30_000;
  const connection = connectRedis(options.queue);
  let limiterConnection: ReturnType<typeof connectRedis> | undefined;
  const limiterRedis = () => (limiterConnection ??= connectRedis(options.queue));
  const rateLimiter: RateLimiter | undefined = options.rateLimit ? createRedisRateLimiter(limiterRedis(), options.rateLimit) : undefined;
  // A batch enqueued with a rate limit: one limit per batch, named after it, shared by every worker.
  const batchLimiters = new Map<string, RateLimiter>();
  const batchRateLimiter = (batch: string, limit: BatchRateLimit): RateLimiter => {
    const key = `${batch}:${limit.requestsPerMinute ?? 0}:${limit.tokensPerMinute ?? 0}`;
    let limiter = batchLimiters.get(key);
    if (!limiter) batchLimiters.set(key, (limiter = createRedisRateLimiter(limiterRedis(), { ...limit, name: `batch:${batch}` })));
    return limiter;
  };
  const handBack = (job: Job<JobPayload, JobResult>, token: string): Promise<boolean> => job.moveToWait(token).then(
    () => {
      log.info({ job: job.id }, 'attempt aborted by shutdown; job handed back to the queue');
      return true;
    },
    (error: unknown) => {
      log.warn({ job: job.id, err: error }, 'could not hand the job back to the queue; the stall check takes it back');
      return false;
    },
  );
  const records = new Map<string, Promise<BatchRecord>>();
  const controllers = new Map<string, { controller: AbortController; reason?: 'shutdown' | 'lock' }>();
  let handedBack = 0;

  const ctx = {
    out: options.out, workerId: id, runId, log, lockDurationMs, provider: options.provider,
    maxRetries: options.retries ?? 3, backoff: options.backoff ?? DEFAULT_BACKOFF,
    engineWaitMs: options.engineWaitMs ?? 120_000, watchdogMarginMs: options.watchdogMarginMs ?? 30_000, watchdogGraceMs: options.watchdogGraceMs ?? 7_000,
    rateLimiter, batchRateLimiter, runTask: options.runTask,
    recordFor(batch: string) {
      let record = records.get(batch);
      if (!record) {
        record = BatchRecord.open(join(options.out, batch, 'workers', id));
        records.set(batch, record);
      }
      return record;
    },
    reasonOf: (jobId: string) => controllers.get(jobId)?.reason,
  };

  const worker = new Worker<JobPayload, JobResult>(
    QUEUE_NAME,
    async (job: Job<JobPayload, JobResult>, token?: string, bullSignal?: AbortSignal) => {
      const jobId = String(job.id);
      const entry = { controller: new AbortController(), reason: undefined as 'shutdown' | 'lock' | undefined };
      controllers.set(jobId, entry);
      const signal = bullSignal ? AbortSignal.any([entry.controller.signal, bullSignal]) : entry.controller.signal;
      options.onJob?.({ type: 'started', jobId });
      try {
        const result = await processJob(job, token!, signal, ctx);
        options.onJob?.({ type: 'completed', jobId, result });
        return result;
      } catch (error) {
        // An attempt ended by the shutdown abort goes back to the queue, whatever ended it (its
        // run, or an error the abort caused). Only a move that succeeded counts: a job left
        // active (its lock lapsed) is the stall check's to take back.
        const handed = entry.reason === 'shutdown' && (await handBack(job, token!));
        if (handed) handedBack += 1;
        options.onJob?.({ type: handed ? 'handed-back' : 'failed', jobId, error: (error as Error).message });
        throw handed ? new HandedBack((error as Error).message) : error;
      } finally {
        controllers.delete(jobId);
      }
    },
    {
      connection, prefix: KEY_PREFIX, concurrency: options.concurrency, autorun: false,
      lockDuration: lockDurationMs, stalledInterval: options.stalledIntervalMs ?? 15_000, maxStalledCount: options.maxStalledCount ?? 5,
    },
  );
  worker.on('error', (error) => log.warn({ err: error }, 'queue worker error'));
  // Another worker may own these jobs now: stop spending the engine on them.
  worker.on('lockRenewalFailed', (jobIds: string[]) => {
    for (const jobId of jobIds) {
      const entry = controllers.get(jobId);
      if (!entry || entry.controller.signal.aborted) continue;
      log.warn({ job: jobId }, 'could not renew the job lock; aborting the attempt');
      entry.reason = 'lock';
      entry.controller.abort(new Error('lost the job lock'));
    }
  });
  await worker.waitUntilReady();
  void worker.run().catch((error: unknown) => log.error({ err: error }, 'the queue worker stopped'));
  log.info({ worker: id, runId, concurrency: options.concurrency }, 'worker started');

  return {
    id, runId,
    running: () => controllers.size,
    async close(graceMs) {
      const closing = worker.close();
      const timer = setTimeout(() => {
        for (const entry of controllers.values()) {
          entry.reason = 'shutdown';
          entry.controller.abort(new Error('worker shutting down'));
        }
      }, graceMs);
      try {
        await closing;
      } finally {
        clearTimeout(timer);
        for (const record of records.values()) await (await record).close().catch(() => undefined);
        limiterConnection?.disconnect();
        connection.disconnect();
      }
      return { handedBack };
    },
  };
}
