import { rename } from 'node:fs/promises';
import type { Logger } from '../core/log.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { effectiveLimits, type RunOptions, type RunResult } from '../runner/index.js';
import type { LoadedTask } from '../task/load.js';
import type { Failure, Footer } from '../trajectory/schema.js';
import { nextTry } from './attempt-file.js';
import type { BatchEvent, BatchRecord } from './batch-record.js';
import { backoffDelay } from '../core/backoff.js';
import { sleepUnlessAborted } from '../core/sleep.js';
import { waitForEngine } from './engine-wait.js';
import { attemptPath, tryPath } from './layout.js';
import type { PlannedAttempt } from './plan.js';
import { isRetryable, type BackoffOptions } from './retry-policy.js';
import type { AttemptOutcome, HarvestEvent } from './types.js';
import { WatchdogTimeout, withWatchdog } from './watchdog.js';

export type RunTaskFn = (task: LoadedTask, options: RunOptions) => Promise<RunResult>;

export interface AttemptContext {
  out: string;
  runId: string;
  signal: AbortSignal;
  record: BatchRecord;
  log: Logger;
  /** Where the attempt's sandboxes run; asked whether it answers again before a retry. */
  provider: SandboxProvider;
  runTask: RunTaskFn;
  maxRetries: number;
  backoff: BackoffOptions;
  /** Longest wait for the engine to answer again before a retry. */
  engineWaitMs: number;
  /** Extra time past the task's wall limit before the watchdog aborts, then gives up. */
  watchdogMarginMs: number;
  watchdogGraceMs: number;
  onEvent(event: HarvestEvent): void;
  /**
   * The caller records the `finished` event itself (finishedEvent()) once it knows the
   * trajectory's final place: a queue worker runs into a staging folder and publishes after.
   */
  deferFinished?: boolean;
}

/**
 * Run one planned attempt to a final outcome: each try writes `<attempt>.try-<n>.jsonl`
 * under a watchdog; a retryable infrastructure failure is retried after a backoff and
 * once the engine answers, and the file of the final try becomes `<attempt>.jsonl`.
 */
export async function runAttempt(item: PlannedAttempt, ctx: AttemptContext): Promise<AttemptOutcome> {
  const reasons: string[] = [];
  const log = ctx.log.child({ task: item.taskId, attempt: item.attempt });
  for (let retry = 0; ; retry += 1) {
    const n = await nextTry(ctx.out, item.taskId, item.attempt);
    const path = tryPath(ctx.out, item.taskId, item.attempt, n);
    await ctx.record.append({ type: 'started', key: item.key, try: n });
    ctx.onEvent({ type: 'started', key: item.key, try: n });
    const started = Date.now();
    const result = await runOneTry(item, path, ctx, log);
    const failure = result.failure;
    if (isRetryable(failure) && retry < ctx.maxRetries && !ctx.signal.aborted) {
      const delay = backoffDelay(retry, ctx.backoff);
      reasons.push(failure!.code);
      log.warn({ code: failure!.code, message: failure!.message, retry: retry + 1, delayMs: delay }, 'retrying after an infrastructure failure');
      await ctx.record.append({ type: 'retry', key: item.key, try: n, code: failure!.code, message: failure!.message, delay_ms: delay });
      ctx.onEvent({ type: 'retry', key: item.key, code: failure!.code, delayMs: delay });
      await sleepUnlessAborted(delay, ctx.signal);
      if (!(await waitForEngine(ctx.provider, ctx.engineWaitMs, ctx.signal))) log.error({ waitedMs: ctx.engineWaitMs }, 'the engine still does not answer; retrying anyway');
      if (!ctx.signal.aborted) continue;
    }
    const final = attemptPath(ctx.out, item.taskId, item.attempt);
    const kept = await rename(path, final).then(() => final, () => null);
    const outcome: AttemptOutcome = {
      key: item.key,
      taskId: item.taskId,
      attempt: item.attempt,
      status: result.footer?.exit_status ?? (failure?.code === 'ABORTED' ? 'aborted' : 'error'),
      failureKind: failure?.kind ?? null,
      code: failure?.code ?? null,
      message: failure?.message ?? null,
      path: kept,
      retries: reasons.length,
      reasons,
      steps: result.footer?.steps ?? 0,
      durationMs: result.footer?.duration_ms ?? Date.now() - started,
      imageRef: result.imageRef,
    };
    if (result.footer?.totals.cost_usd !== undefined) outcome.costUsd = result.footer.totals.cost_usd;
    if (!ctx.deferFinished) await ctx.record.append(finishedEvent(outcome));
    return outcome;
  }
}

/** The batch record's `finished` event of an outcome (its `path`: where the trajectory now is). */
export function finishedEvent(outcome: AttemptOutcome): Omit<Extract<BatchEvent, { type: 'finished' }>, 'at'> {
  return {
    type: 'finished', key: outcome.key, status: outcome.status, failure_kind: outcome.failureKind, code: outcome.code,
    path: outcome.path, retries: outcome.retries, reasons: outcome.reasons, steps: outcome.steps, duration_ms: outcome.durationMs,
    ...(outcome.costUsd !== undefined ? { cost_usd: outcome.costUsd } : {}),
  };
}

interface TryResult {
  footer: Footer | undefined;
  failure: Failure | undefined;
  imageRef: string | null;
}

async function runOneTry(item: PlannedAttempt, path: string, ctx: AttemptContext, log: Logger): Promise<TryResult> {
  const wallMs = effectiveLimits(item.task).wall_time_s * 1000;
  try {
    const result = await withWatchdog(
      (signal) => ctx.runTask(item.task, { out: path, runId: ctx.runId, attempt: item.attempt, signal, log: ctx.log, provider: ctx.provider }),
      { limitMs: wallMs + ctx.watchdogMarginMs, graceMs: ctx.watchdogGraceMs },
      ctx.signal,
    );
    const footer = result.footer;
    // Aborted, but not by the user: the watchdog ended a try the runner's own wall limit did not.
    if (footer.exit_status === 'aborted' && !ctx.signal.aborted) {
      return { footer, failure: { kind: 'infrastructure', code: 'WATCHDOG_TIMEOUT', message: 'the watchdog aborted a try that overran its wall limit' }, imageRef: result.header?.image.ref ?? null };
    }
    return { footer, failure: footer.error, imageRef: result.header?.image.ref ?? null };
  } catch (error) {
    if (error instanceof WatchdogTimeout) {
      log.error({ err: error }, 'watchdog gave up on a hung try');
      if (ctx.signal.aborted) return { footer: undefined, failure: { kind: 'infrastructure', code: 'ABORTED', message: 'aborted; the try did not end in time' }, imageRef: null };
      return { footer: undefined, failure: { kind: 'infrastructure', code: 'WATCHDOG_TIMEOUT', message: error.message }, imageRef: null };
    }
    // runTask records its own failures; anything thrown here is the harvester's own bug.
    log.error({ err: error }, 'the runner threw');
    return { footer: undefined, failure: { kind: 'infrastructure', code: 'INTERNAL', message: (error as Error).message }, imageRef: null };
  }
}
