import { createHash } from 'node:crypto';
import { TaskError } from '../core/errors.js';

/** The BullMQ queue every batch shares; a worker serves all batches of its Redis. */
export const QUEUE_NAME = 'forager-attempts';
/** Key prefix of everything forager keeps in Redis (BullMQ's own keys included). */
export const KEY_PREFIX = 'forager';
/** Redis hash: batch id → JSON of what was enqueued (see enqueue.ts). */
export const BATCHES_KEY = `${KEY_PREFIX}:batches`;

const BATCH_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Job id of one attempt; BullMQ accepts custom ids with `:` only as exactly three parts. */
export function jobIdOf(batch: string, taskId: string, attempt: number): string {
  return `${batch}:${taskId}:${attempt}`;
}

/** The batch part of a job id. */
export function batchOfJobId(id: string): string {
  return id.slice(0, id.indexOf(':'));
}

export function checkBatchId(batch: string): string {
  if (!BATCH_ID.test(batch)) {
    throw new TaskError('BATCH_ID_INVALID', `--batch: expected letters, digits, . _ - (starting with a letter or digit, at most 128), found "${batch}"`);
  }
  return batch;
}

/** A batch id from the plan's content (task ids, hashes, attempts): the same tasks enqueue into the same batch. */
export function defaultBatchId(attempts: { taskId: string; attempt: number; hash: string }[]): string {
  const hash = createHash('sha256');
  for (const a of [...attempts].sort((x, y) => (x.taskId === y.taskId ? x.attempt - y.attempt : x.taskId < y.taskId ? -1 : 1))) {
    hash.update(`${a.taskId}\0${a.attempt}\0${a.hash}\n`);
  }
  return `batch-${hash.digest('hex').slice(0, 12)}`;
}

/** A file-name-safe form of a BullMQ lock token (tokens hold `:`). */
export function safeToken(token: string): string {
  return token.replace(/[^A-Za-z0-9._-]/g, '_');
}
