import { open, rename, stat } from 'node:fs/promises';
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
  const last = await readLastLine(path);
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

/** The file's last non-empty line; undefined when the file does not exist. */
export async function readLastLine(path: string): Promise<string | undefined> {
  const size = await stat(path).then((s) => s.size).catch(() => undefined);
  if (size === undefined) return undefined;
  const handle = await open(path, 'r');
  try {
    let chunk = 64 * 1024;
    for (;;) {
      const length = Math.min(size, chunk);
      const buffer = Buffer.alloc(length);
      await handle.read(buffer, 0, length, size - length);
      const text = buffer.toString('utf8').replace(/\n+$/, '');
      const cut = text.lastIndexOf('\n');
      if (cut >= 0 || length === size) return text.slice(cut + 1);
      chunk *= 4;
    }
  } finally {
    await handle.close();
  }
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
