import type { Command } from 'commander';
import { createLogger } from '../core/log.js';
import { enqueueBatch } from '../queue/index.js';
import { EXIT } from './exit-codes.js';
import { positiveInt } from './arguments.js';

export interface EnqueueCliOptions {
  queue: string;
  batch?: string;
  sharedTasks?: boolean;
  maxPayload?: number;
  attempts: number;
  filter?: string;
  limit?: number;
  logLevel: string;
}

/** The queue flags of `forager harvest`. */
export function addQueueOptions(command: Command): Command {
  return command
    .option('--queue <url>', 'enqueue the attempts on this Redis (redis://host:port) for `forager worker`s instead of running them')
    .option('--batch <id>', 'with --queue: the batch id (default: a hash of the planned tasks, so the same command names the same batch)')
    .option('--shared-tasks', 'with --queue: jobs carry no task files; workers read them at the same path (shared file system; needed for Dockerfile tasks)')
    .option('--max-payload <bytes>', 'with --queue: largest self-contained job payload', positiveInt);
}

/** `forager harvest … --queue URL`: plan as a local harvest would, enqueue, print what was added. */
export async function runEnqueue(paths: string[], options: EnqueueCliOptions): Promise<void> {
  const log = createLogger({ level: options.logLevel });
  const result = await enqueueBatch({
    paths, queue: options.queue, attempts: options.attempts, filter: options.filter, limit: options.limit,
    batch: options.batch, shared: options.sharedTasks, maxPayloadBytes: options.maxPayload, log,
  });
  const lines = [
    `batch ${result.batch}: ${result.planned} attempts planned, ${result.added} added to the queue, ${result.existing} already there`,
    ...result.rejected.map((r) => `rejected: ${r.message.split('\n')[0]}`),
    `workers write to <their --out>/${result.batch}/trajectories/; progress: forager status --queue ${options.queue} --batch ${result.batch}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (result.rejected.length > 0) process.exitCode = EXIT.failed;
}
