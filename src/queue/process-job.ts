import { join } from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import { AbortedError } from '../core/errors.js';
import { classifyError } from '../core/failure.js';
import type { Logger } from '../core/log.js';
import type { RateLimiter } from '../model/index.js';
import { runTask as defaultRunTask } from '../runner/index.js';
import { minFreeBytesFromEnv, type SandboxProvider } from '../sandbox/index.js';
import {
  attemptPath, finishedEvent, imageKeyOf, inspectAttemptFile, needsRedoOutcome, runAttempt, stagingDir, withAgentSetup,
  type BackoffOptions, type BatchRecord, type RunTaskFn,
} from '../scheduler/index.js';
import { safeToken } from './names.js';
import { restoreTask, type BatchRateLimit, type JobPayload } from './payload.js';
import { adoptLeftovers, discardStaged, pruneStaging, publishStaged } from './staging.js';

/** What a completed job returns (kept by BullMQ as the job's return value). */
export interface JobResult {
  status: string;
  failureKind: string | null;
  code: string | null;
  /** The published trajectory, relative to the worker's --out. */
  path: string | null;
  retries: number;
  steps: number;
  durationMs: number;
  worker: string;
}

export interface JobContext {
  out: string;
  workerId: string;
  runId: string;
  log: Logger;
  /** Where this worker's sandboxes run. */
  provider: SandboxProvider;
  lockDurationMs: number;
  maxRetries: number;
  backoff: BackoffOptions;
  engineWaitMs: number;
  watchdogMarginMs: number;
  watchdogGraceMs: number;
  /** The worker's own limit (--requests-per-minute …), if any. */
  rateLimiter?: RateLimiter;
  /** The limit a batch's jobs carry (harvest --queue --requests-per-minute …), one per batch across workers. */
  batchRateLimiter?(batch: string, limit: BatchRateLimit): RateLimiter;
  runTask?: RunTaskFn;
  /** The worker's per-batch event record (opened once per batch). */
  recordFor(batch: string): Promise<BatchRecord>;
  /** Why this job's signal was aborted: 'shutdown' hands it back, 'lock' means another worker owns it now. */
  reasonOf(jobId: string): 'shutdown' | 'lock' | undefined;
}

/**
 * Run one queued attempt exactly once: skip it when the batch folder already holds its
 * complete trajectory; otherwise run it through the scheduler's runAttempt (tries,
 * retries, watchdog) into a staging folder named by this worker's lock token, then,
 * holding the lock (extended right before), rename the result into place. A worker that
 * lost the lock discards its staging; a shutdown hands the job back to the queue.
 */
export async function processJob(job: Job<JobPayload>, token: string, signal: AbortSignal, ctx: JobContext): Promise<JobResult> {
  const started = Date.now();
  const { batch, taskId, attempt } = job.data;
  const log = ctx.log.child({ job: job.id, task: taskId, attempt });
  const batchDir = join(ctx.out, batch);
  const base = { worker: ctx.workerId, retries: 0, steps: 0 };
  const final = await inspectAttemptFile(attemptPath(batchDir, taskId, attempt));
  if (final.state === 'complete') {
    return { ...base, status: 'skipped', failureKind: null, code: null, path: join(batch, 'trajectories', taskId, `${attempt}.jsonl`), durationMs: 0 };
  }
  const task = await restoreTask(job.data).catch((error: unknown) => {
    // A broken or changed task fails the same way on every worker: no point retrying it (core/failure.ts).
    if (classifyError(error) === 'final') throw new UnrecoverableError(error instanceof Error ? error.message : String(error));
    throw error;
  });
  // A host filling up takes no new work: ENGINE_DISK_LOW is infrastructure, so the job
  // goes back to the queue's retries (another worker's host may have room).
  await ctx.provider.requireFreeSpace(minFreeBytesFromEnv());
  const mine = safeToken(token);
  const adopted = await adoptLeftovers(batchDir, taskId, attempt, mine);
  if (adopted.length) log.warn({ files: adopted }, 'an earlier holder of this attempt left files; kept as try files');

  const staging = stagingDir(batchDir, taskId, attempt, mine);
  // The job's model flags and rate limit apply as in a local harvest; the worker's own limit applies too.
  const limiters = [ctx.rateLimiter, job.data.rateLimit && ctx.batchRateLimiter?.(batch, job.data.rateLimit)].filter((l): l is RateLimiter => l !== undefined);
  const runTask = withAgentSetup(ctx.runTask ?? defaultRunTask, { overrides: job.data.agentOverrides, rateLimiter: bothLimits(limiters), prices: job.data.prices });
  const record = await ctx.recordFor(batch);
  const outcome = await runAttempt(
    { key: `${taskId}/${attempt}`, taskId, attempt, task, imageKey: imageKeyOf(task) },
    {
      out: staging, runId: ctx.runId, signal, record, log, deferFinished: true, provider: ctx.provider,
      runTask,
      maxRetries: ctx.maxRetries, backoff: ctx.backoff, engineWaitMs: ctx.engineWaitMs,
      watchdogMarginMs: ctx.watchdogMarginMs, watchdogGraceMs: ctx.watchdogGraceMs, onEvent: () => undefined,
    },
  );

  if (signal.aborted && ctx.reasonOf(String(job.id)) === 'shutdown') {
    // The worker hands the job back to the queue (whatever ended the attempt).
    await discardStaged(staging);
    throw new AbortedError('attempt aborted by shutdown');
  }
  // The lock is ours for a whole lockDuration from here: the renames below take milliseconds.
  const held = await job.extendLock(token, ctx.lockDurationMs).catch(() => 0);
  if (held !== 1) {
    await discardStaged(staging);
    await pruneStaging(batchDir, taskId, attempt);
    log.warn('lost the job lock (another worker took the attempt); discarded this run');
    throw new Error('lost the job lock; the attempt belongs to another worker');
  }
  const published = await publishStaged(staging, batchDir, taskId, attempt);
  await pruneStaging(batchDir, taskId, attempt);
  // The worker's record names the published file: the staging folder is gone by now.
  await record.append(finishedEvent({ ...outcome, path: published }));
  const result: JobResult = {
    ...base, status: outcome.status, failureKind: outcome.failureKind, code: outcome.code,
    path: published ? join(batch, 'trajectories', taskId, `${attempt}.jsonl`) : null,
    retries: outcome.retries, steps: outcome.steps, durationMs: Date.now() - started,
  };
  if (needsRedoOutcome(outcome)) {
    // Not final after local retries (core/failure.ts): fail the job so BullMQ retries it, maybe elsewhere.
    // A final failure (a model 401, an agent's limit, an internal bug) completes the job: its trajectory stands.
    throw new Error(`${outcome.code ?? 'INFRASTRUCTURE'}: ${outcome.message ?? 'the attempt failed for infrastructure'}`);
  }
  return result;
}

/** One limiter that admits a request once every given limiter has, and settles with each. */
function bothLimits(limiters: RateLimiter[]): RateLimiter | undefined {
  if (limiters.length <= 1) return limiters[0];
  return {
    async acquire(tokens, signal) {
      for (const limiter of limiters) await limiter.acquire(tokens, signal);
    },
    settle(reserved, actual) {
      for (const limiter of limiters) limiter.settle?.(reserved, actual);
    },
  };
}
