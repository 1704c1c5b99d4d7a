import { Queue } from 'bullmq';
import { applyModelOverrides, type ModelOverrides } from '../agent/index.js';
import { ForagerError } from '../core/errors.js';
import type { PriceTable } from '../model/index.js';
import { silentLogger, type Logger } from '../core/log.js';
import { loadTasks, planBatch, type RejectedTask } from '../scheduler/index.js';
import { connectRedis } from './connection.js';
import { BATCHES_KEY, checkBatchId, defaultBatchId, jobIdOf, KEY_PREFIX, QUEUE_NAME } from './names.js';
import { buildPayload, DEFAULT_MAX_PAYLOAD_BYTES, type BatchRateLimit, type JobPayload } from './payload.js';

export interface EnqueueOptions {
  paths: string[];
  /** redis://host:port */
  queue: string;
  attempts: number;
  filter?: string;
  limit?: number;
  /** Batch id; default a hash of the plan, so the same command names the same batch. */
  batch?: string;
  /** Carry no files: workers read the task files from the same path (a shared file system). */
  shared?: boolean;
  maxPayloadBytes?: number;
  /** Whole-job tries across workers when an attempt still fails for infrastructure after its local retries. */
  jobAttempts?: number;
  /** Model flags applied over every task's agent, by the worker that runs it (checked here first). */
  agentOverrides?: ModelOverrides;
  /** One model rate limit for the batch, shared by every worker that runs it. */
  rateLimit?: BatchRateLimit;
  /** Model prices, for per-step cost and the per-run cost limit on the workers. */
  prices?: PriceTable;
  log?: Logger;
}

export interface EnqueueResult {
  batch: string;
  planned: number;
  /** Jobs new to the queue. */
  added: number;
  /** Jobs the queue already held (an earlier enqueue of the same batch). */
  existing: number;
  rejected: RejectedTask[];
}

/** What is recorded per batch in Redis for `forager status --queue`. */
export interface BatchInfo {
  planned: number;
  enqueued_at: string;
  rejected: number;
}

/**
 * Plan a batch exactly like a local harvest (tasks × attempts, filter, limit) and add one
 * job per attempt, with the id `<batch>:<task>:<attempt>`: BullMQ ignores an add whose id
 * it already holds, so enqueueing the same batch again adds nothing.
 */
export async function enqueueBatch(options: EnqueueOptions): Promise<EnqueueResult> {
  const log = options.log ?? silentLogger;
  const overrides = options.agentOverrides;
  // Checked here as a local harvest checks them: a task the flags cannot apply to is rejected now, not on a worker.
  const loaded = await loadTasks(options.paths, overrides ? (task) => void applyModelOverrides(task.spec.agent, overrides) : undefined);
  const plan = planBatch(loaded.tasks, { attempts: options.attempts, filter: options.filter, limit: options.limit });
  const rejected = [...loaded.rejected, ...plan.rejected];
  const batch = checkBatchId(options.batch ?? defaultBatchId(plan.attempts.map((a) => ({ taskId: a.taskId, attempt: a.attempt, hash: a.task.hash }))));
  const jobs: { name: string; data: JobPayload; id: string }[] = [];
  for (const item of plan.attempts) {
    try {
      const data = buildPayload(batch, item, {
        shared: options.shared === true, maxBytes: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
        agentOverrides: overrides, rateLimit: options.rateLimit, prices: options.prices,
      });
      jobs.push({ name: item.taskId, id: jobIdOf(batch, item.taskId, item.attempt), data });
    } catch (error) {
      // Flags that cannot travel concern the whole batch, not one task.
      if (!(error instanceof ForagerError) || error.code === 'QUEUE_CANNOT_CARRY') throw error;
      if (!rejected.some((r) => r.source === item.task.source)) rejected.push({ source: item.task.source, message: error.message });
    }
  }
  for (const bad of rejected) log.warn({ source: bad.source }, bad.message);

  const connection = connectRedis(options.queue);
  const queue = new Queue(QUEUE_NAME, { connection, prefix: KEY_PREFIX });
  try {
    let existing = 0;
    const CHUNK = 500;
    for (let i = 0; i < jobs.length; i += CHUNK) {
      const chunk = jobs.slice(i, i + CHUNK);
      const pipeline = connection.pipeline();
      for (const job of chunk) pipeline.exists(`${KEY_PREFIX}:${QUEUE_NAME}:${job.id}`);
      const held = (await pipeline.exec()) ?? [];
      existing += held.filter(([, n]) => n === 1).length;
      await queue.addBulk(chunk.map((job) => ({
        name: job.name,
        data: job.data,
        opts: {
          jobId: job.id,
          attempts: options.jobAttempts ?? 3,
          backoff: { type: 'exponential', delay: 10_000 },
          // Finished jobs stay: they make a second enqueue a no-op and feed status; failed ones say why.
          removeOnComplete: false,
          removeOnFail: false,
        },
      })));
    }
    const info: BatchInfo = { planned: jobs.length, enqueued_at: new Date().toISOString(), rejected: rejected.length };
    await connection.hset(BATCHES_KEY, batch, JSON.stringify(info));
    log.info({ batch, planned: jobs.length, existing }, 'batch enqueued');
    return { batch, planned: jobs.length, added: jobs.length - existing, existing, rejected };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}
