import { join } from 'node:path';

/**
 * Layout of a batch folder:
 *   DIR/batch.jsonl                                  append-only index (a cache; files are the truth)
 *   DIR/harvest.log                                  pino JSON log
 *   DIR/trajectories/<task-id>/<attempt>.jsonl        the attempt's trajectory (its latest try)
 *   DIR/trajectories/<task-id>/<attempt>.try-<n>.jsonl a try that was retried or redone, kept for forensics
 * A try is written to its `.try-<n>` file and renamed to `<attempt>.jsonl` when it is final.
 */
export const INDEX_FILE = 'batch.jsonl';
export const LOG_FILE = 'harvest.log';
export const TRAJECTORIES_DIR = 'trajectories';

export function taskDir(out: string, taskId: string): string {
  return join(out, TRAJECTORIES_DIR, taskId);
}

export function attemptPath(out: string, taskId: string, attempt: number): string {
  return join(taskDir(out, taskId), `${attempt}.jsonl`);
}

export function tryPath(out: string, taskId: string, attempt: number, n: number): string {
  return join(taskDir(out, taskId), `${attempt}.try-${n}.jsonl`);
}

const TRY_FILE = /^(\d+)\.try-(\d+)\.jsonl$/;

/** The try number in a file name like `0.try-2.jsonl` for this attempt, or null. */
export function parseTryName(name: string, attempt: number): number | null {
  const match = TRY_FILE.exec(name);
  return match && Number(match[1]) === attempt ? Number(match[2]) : null;
}
