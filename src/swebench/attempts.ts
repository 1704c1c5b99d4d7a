import { join } from 'node:path';
import { TaskError } from '../core/errors.js';
import { listAttemptFiles, TRAJECTORIES_DIR } from '../scheduler/index.js';
import { readTrajectory } from '../trajectory/reader.js';
import type { Footer, Header } from '../trajectory/schema.js';

/** One attempt of a batch as predictions and reports need it. */
export interface BatchAttempt {
  taskId: string;
  attempt: number;
  /** Path relative to the batch folder. */
  file: string;
  header: Header;
  /** undefined when the attempt is partial (crashed, or still running). */
  footer: Footer | undefined;
}

/**
 * Every attempt of a batch (its final `<attempt>.jsonl` files; tries kept for forensics are
 * passed over), by task id and attempt number. A file that cannot be read is a task error
 * naming it: a report must not silently drop an attempt.
 */
export async function readBatchAttempts(batch: string): Promise<BatchAttempt[]> {
  // The batch layout (scheduler/layout.ts) names the files: one per attempt, tries passed over.
  const files = await listAttemptFiles(batch);
  if (!files) throw new TaskError('BATCH_NOT_FOUND', `${batch}: not a batch folder (no ${TRAJECTORIES_DIR}/)`);
  const attempts: BatchAttempt[] = [];
  for (const { attempt, file } of files) {
    const trajectory = await readTrajectory(join(batch, file));
    attempts.push({ taskId: trajectory.header.task.id, attempt, file, header: trajectory.header, footer: trajectory.footer });
  }
  return attempts.sort((a, b) => (a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : a.attempt - b.attempt));
}

/** The repository an attempt's task names (SWE-bench imports keep it in metadata), else its task id. */
export function repoOf(attempt: BatchAttempt): string {
  const metadata = (attempt.header.task.spec as { metadata?: { repo?: unknown } }).metadata;
  return typeof metadata?.repo === 'string' ? metadata.repo : attempt.taskId;
}
