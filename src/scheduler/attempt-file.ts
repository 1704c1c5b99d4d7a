import { rename } from 'node:fs/promises';
import { LineTooLongError, readLastLine } from '../lines/index.js';
import { needsRedo } from '../core/failure.js';
import { FooterSchema, type Footer } from '../trajectory/schema.js';
import { listTries, tryPath } from './layout.js';

/**
 * What a trajectory file says about its attempt. `complete`: a valid footer whose
 * failure is final (core/failure.ts); `redo`: a footer that asks for another run
 * (aborted, an infrastructure failure that is not final); `partial`: no footer (a
 * crash); `missing`.
 */
export type AttemptFileState =
  | { state: 'missing' }
  | { state: 'partial' }
  | { state: 'complete'; footer: Footer }
  | { state: 'redo'; footer: Footer };

/** Classify a trajectory file by its last line only, so resuming a large batch stays cheap. */
export async function inspectAttemptFile(path: string): Promise<AttemptFileState> {
  let last: string | undefined;
  try {
    last = await readLastLine(path);
  } catch (error) {
    // A last line past the limit is no footer forager wrote (a footer is small): the attempt is
    // redone, its file kept aside as a try, never overwritten.
    if (error instanceof LineTooLongError) return { state: 'partial' };
    throw error;
  }
  if (last === undefined) return { state: 'missing' };
  let value: unknown;
  try {
    value = JSON.parse(last);
  } catch {
    return { state: 'partial' };
  }
  const parsed = FooterSchema.safeParse(value);
  if (!parsed.success) return { state: 'partial' };
  return needsRedo(parsed.data) ? { state: 'redo', footer: parsed.data } : { state: 'complete', footer: parsed.data };
}

export { needsRedo };

/** The next unused try number for an attempt. */
export async function nextTry(out: string, taskId: string, attempt: number): Promise<number> {
  const tries = await listTries(out, taskId, attempt);
  return tries.length === 0 ? 0 : tries[tries.length - 1]! + 1;
}

/** Move an attempt's file out of the way as its next `.try-<n>` file, so it is kept but no longer counts. */
export async function moveAside(out: string, taskId: string, attempt: number, path: string): Promise<string> {
  const target = tryPath(out, taskId, attempt, await nextTry(out, taskId, attempt));
  await rename(path, target);
  return target;
}

/**
 * After a crash between a try's footer and its rename, the last try is complete but not
 * yet the attempt's file: promote it (rename to `<attempt>.jsonl`). True when it did.
 */
export async function promoteFinishedTry(out: string, taskId: string, attempt: number, finalPath: string): Promise<boolean> {
  const last = (await nextTry(out, taskId, attempt)) - 1;
  if (last < 0) return false;
  const path = tryPath(out, taskId, attempt, last);
  if ((await inspectAttemptFile(path)).state !== 'complete') return false;
  await rename(path, finalPath);
  return true;
}
