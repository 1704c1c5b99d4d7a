import type { SandboxProvider } from '../sandbox/index.js';
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import PQueue from 'p-queue';
import { silentLogger, type Logger } from '../core/log.js';
import { runTask as defaultRunTask } from '../runner/index.js';
import { inspectAttemptFile, moveAside, promoteFinishedTry } from './attempt-file.js';
import { BatchRecord } from './batch-record.js';
import { attemptPath } from './layout.js';
import { loadTasks } from './load-tasks.js';
import { planBatch, type PlannedAttempt, type RejectedTask } from './plan.js';
import { DEFAULT_BACKOFF, type BackoffOptions } from './retry-policy.js';
import type { AgentSpec, ModelOverrides } from '../agent/index.js';
import { roundUsd, type PriceTable, type RateLimiter } from '../model/index.js';
import { agentSpecFor, withAgentSetup } from './agent-setup.js';
import { runAttempt, type RunTaskFn } from './run-attempt.js';
import { minFreeBytesFromEnv } from '../sandbox/free-space.js';
import type { AttemptOutcome, HarvestEvent } from './types.js';

export interface HarvestOptions {
  /** Task files or folders holding task files. */
  paths: string[];
  /** The batch folder (see layout.ts). */
  out: string;
  concurrency: number;
  attempts: number;
  filter?: string;
  limit?: number;
  /** Retries per attempt for retryable infrastructure failures. */
  retries: number;
  signal?: AbortSignal;
  log?: Logger;
  onEvent?: (event: HarvestEvent) => void;
  runId?: string;
  runTask?: RunTaskFn;
  /** Model flags applied over every task's agent. */
  agentOverrides?: ModelOverrides;
  /** Replaces every task's agent (`--agent-file`); the overrides apply over it. */
  agentSpec?: AgentSpec;
  /** USD per million tokens by model: each step's and trajectory's cost. */
  prices?: PriceTable;
  /** Stop taking work once the finished attempts cost this many USD (running ones finish). */
  batchCostLimit?: number;
  /** One limit on model requests and tokens for every run of the batch. */
  rateLimiter?: RateLimiter;
  backoff?: BackoffOptions;
  engineWaitMs?: number;
  /** Free bytes the engine's data root must keep before an attempt starts (default FORAGER_MIN_FREE_MB, else 5 GiB; 0: off). */
  minFreeDiskBytes?: number;
  /** Where sandboxes run (the CLI chooses it). */
  provider: SandboxProvider;
  watchdogMarginMs?: number;
  watchdogGraceMs?: number;
}

export interface HarvestResult {
  runId: string;
  planned: number;
  /** Attempts already complete from an earlier run of the batch. */
  skipped: number;
  rejected: RejectedTask[];
  outcomes: AttemptOutcome[];
  interrupted: boolean;
  elapsedMs: number;
  /** Why the batch stopped taking work before its plan was done (the batch cost limit). */
  stopped?: string;
}

/**
 * Run a batch: load and plan, keep what earlier runs completed, run the rest through a
 * p-queue. An abort stops taking work and ends the running attempts as aborted.
 */
export async function harvest(options: HarvestOptions): Promise<HarvestResult> {
  const started = Date.now();
  const log = options.log ?? silentLogger;
  // Every running attempt listens on the batch signal (its watchdog, its retry sleeps).
  const batch = new AbortController();
  const signal = batch.signal;
  setMaxListeners(options.concurrency * 4 + 16, signal);
  const onAbort = () => batch.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const onEvent = options.onEvent ?? (() => undefined);
  const runId = options.runId ?? `harvest-${randomUUID().slice(0, 8)}`;
  const setup = { agent: options.agentSpec, overrides: options.agentOverrides, rateLimiter: options.rateLimiter, prices: options.prices };
  const loaded = await loadTasks(options.paths, setup.agent || setup.overrides ? (task) => void agentSpecFor(task.spec.agent, setup) : undefined);
  const plan = planBatch(loaded.tasks, { attempts: options.attempts, filter: options.filter, limit: options.limit });
  const rejected = [...loaded.rejected, ...plan.rejected];
  for (const bad of rejected) log.warn({ source: bad.source }, bad.message);

  const record = await BatchRecord.open(options.out);
  const outcomes: AttemptOutcome[] = [];
  try {
    const todo = await keepCompleted(plan.attempts, options.out, record);
    await record.append({
      type: 'planned', run_id: runId, pid: process.pid, rejected,
      attempts: plan.attempts.map((a) => ({ key: a.key, task: a.taskId, attempt: a.attempt, path: attemptPath(options.out, a.taskId, a.attempt) })),
    });
    onEvent({ type: 'planned', total: plan.attempts.length, skipped: plan.attempts.length - todo.length, rejected: rejected.length });
    log.info({ runId, planned: plan.attempts.length, todo: todo.length, rejected: rejected.length }, 'batch planned');

    const queue = new PQueue({ concurrency: options.concurrency });
    const stop = () => queue.clear();
    signal.addEventListener('abort', stop, { once: true });
    const provider = options.provider;
    const context = {
      out: options.out, runId, signal, record, log, onEvent, provider,
      runTask: withAgentSetup(options.runTask ?? defaultRunTask, setup),
      maxRetries: options.retries,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
      engineWaitMs: options.engineWaitMs ?? 120_000,
      watchdogMarginMs: options.watchdogMarginMs ?? 30_000,
      watchdogGraceMs: options.watchdogGraceMs ?? 7_000,
    };
    let spent = 0;
    let stopped: string | undefined;
    const minFree = options.minFreeDiskBytes ?? minFreeBytesFromEnv();
    let diskLow: unknown;
    for (const item of todo) {
      void queue.add(async () => {
        if (signal.aborted || stopped || diskLow) return;
        try {
          await provider.requireFreeSpace(minFree);
        } catch (error) {
          // The host is filling up: take no new work (running attempts finish), say why.
          diskLow ??= error;
          queue.clear();
          return;
        }
        const outcome = await runAttempt(item, context);
        outcomes.push(outcome);
        onEvent({ type: 'finished', outcome });
        spent = roundUsd(spent + (outcome.costUsd ?? 0));
        if (options.batchCostLimit !== undefined && spent >= options.batchCostLimit && !stopped) {
          stopped = `batch cost limit reached: ${spent} USD spent of ${options.batchCostLimit}`;
          queue.clear();
          log.warn({ spent, limit: options.batchCostLimit }, 'batch cost limit reached: no new attempts are started');
          await record.append({ type: 'stopped', reason: stopped, cost_usd: spent });
        }
      }).catch((error: unknown) => log.error({ err: error, key: item.key }, 'an attempt failed to run'));
    }
    await queue.onIdle();
    signal.removeEventListener('abort', stop);
    if (diskLow) {
      await record.append({ type: 'interrupted', reason: (diskLow as Error).message });
      throw diskLow;
    }
    if (signal.aborted) await record.append({ type: 'interrupted', reason: String((signal.reason as Error | undefined)?.message ?? signal.reason) });
    return {
      runId, planned: plan.attempts.length, skipped: plan.attempts.length - todo.length, rejected, outcomes, interrupted: signal.aborted, elapsedMs: Date.now() - started,
      ...(stopped ? { stopped } : {}),
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await record.close();
  }
}

/** Attempts still to run: complete files are kept; aborted, infrastructure-failed and partial ones are moved aside. */
async function keepCompleted(attempts: PlannedAttempt[], out: string, record: BatchRecord): Promise<PlannedAttempt[]> {
  const todo: PlannedAttempt[] = [];
  for (const item of attempts) {
    const path = attemptPath(out, item.taskId, item.attempt);
    const file = await inspectAttemptFile(path);
    if (file.state === 'complete' || (file.state === 'missing' && (await promoteFinishedTry(out, item.taskId, item.attempt, path)))) {
      await record.append({ type: 'skipped', key: item.key, reason: 'complete' });
      continue;
    }
    if (file.state !== 'missing') await moveAside(out, item.taskId, item.attempt, path);
    todo.push(item);
  }
  return todo;
}
