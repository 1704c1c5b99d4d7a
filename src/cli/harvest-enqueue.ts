import type { Command } from 'commander';
import { TaskError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { EXIT } from './exit-codes.js';
import { positiveInt } from './arguments.js';
import { modelOverridesFrom, pricesFrom } from './model-options.js';

export interface EnqueueCliOptions {
  queue: string;
  batch?: string;
  sharedTasks?: boolean;
  maxPayload?: number;
  attempts: number;
  filter?: string;
  limit?: number;
  logLevel: string;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

/** Harvest flags that set how a machine runs attempts: with --queue each worker has its own, so they cannot travel. */
const WORKER_FLAGS: Record<string, string> = {
  out: '--out: workers write to their own --out (forager worker --out DIR)',
  concurrency: '--concurrency: each worker sets its own (forager worker --concurrency N)',
  retries: '--retries: each worker sets its own (forager worker --retries R)',
  imageBudget: '--image-budget: each worker manages its own engine\'s images',
  runId: '--run-id: each worker labels its own containers (forager worker --run-id ID)',
};

/** The queue flags of `forager harvest`. */
export function addQueueOptions(command: Command): Command {
  return command
    .option('--queue <url>', 'enqueue the attempts on this Redis (redis://host:port) for `forager worker`s instead of running them; model flags and rate limits travel with the jobs')
    .option('--batch <id>', 'with --queue: the batch id (default: a hash of the planned tasks, so the same command names the same batch)')
    .option('--shared-tasks', 'with --queue: jobs carry no task files; workers read them at the same path (shared file system; needed for Dockerfile tasks)')
    .option('--max-payload <bytes>', 'with --queue: largest self-contained job payload', positiveInt);
}

/**
 * `forager harvest … --queue URL`: plan as a local harvest would, enqueue with the model
 * flags and rate limits in every job, print what was added. Flags that only a worker can
 * honour are refused, not dropped.
 */
export async function runEnqueue(paths: string[], options: EnqueueCliOptions, command: Command): Promise<void> {
  const refused = Object.keys(WORKER_FLAGS).filter((key) => command.getOptionValueSource(key) === 'cli');
  if (refused.length > 0) {
    throw new TaskError('USAGE', `harvest --queue cannot carry ${refused.map((key) => WORKER_FLAGS[key]).join('; ')}`);
  }
  const log = createLogger({ level: options.logLevel });
  // The queue's client (bullmq, ioredis) is loaded only by the commands that use it.
  const { enqueueBatch } = await import('../queue/index.js');
  const result = await enqueueBatch({
    paths, queue: options.queue, attempts: options.attempts, filter: options.filter, limit: options.limit,
    batch: options.batch, shared: options.sharedTasks, maxPayloadBytes: options.maxPayload, log,
    agentOverrides: modelOverridesFrom(options as unknown as Record<string, unknown>),
    rateLimit: { requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute },
    prices: await pricesFrom(options as unknown as Record<string, unknown>),
  });
  const lines = [
    `batch ${result.batch}: ${result.planned} attempts planned, ${result.added} added to the queue, ${result.existing} already there`,
    ...result.rejected.map((r) => `rejected: ${r.message.split('\n')[0]}`),
    `workers write to <their --out>/${result.batch}/trajectories/; progress: forager status --queue ${options.queue} --batch ${result.batch}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (result.rejected.length > 0) process.exitCode = EXIT.failed;
}
