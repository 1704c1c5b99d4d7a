import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { attemptPath, moveAside, parseTrajectoryName, stagingRoot, taskDir } from '../scheduler/index.js';

/*
 * Where a worker writes an attempt before it is published: a folder per lock token,
 *   <batch dir>/.staging/<task-id>/<attempt>/<token>/
 * holding a batch-folder layout of its own (trajectories/<task-id>/<attempt>…). Only the
 * holder of the job's lock renames the result into the batch folder; anything else
 * left there is from a worker that died or lost its lock. The names come from the
 * scheduler's layout (scheduler/layout.ts: stagingRoot, stagingDir).
 */

/**
 * Move what earlier holders of this job left in staging (a dead worker's partial
 * trajectory) into the batch folder as `<attempt>.try-<n>.jsonl` files, kept for
 * forensics but never counted, and remove their folders. Returns the files moved.
 */
export async function adoptLeftovers(batchDir: string, taskId: string, attempt: number, ownToken: string): Promise<string[]> {
  const root = stagingRoot(batchDir, taskId, attempt);
  const moved: string[] = [];
  for (const token of await listNames(root)) {
    if (token === ownToken) continue;
    const dir = join(root, token);
    moved.push(...(await moveTries(dir, batchDir, taskId, attempt, true)));
    await rm(dir, { recursive: true, force: true });
  }
  return moved;
}

/**
 * Publish a finished attempt: its earlier tries become `.try-<n>` files, an older
 * `<attempt>.jsonl` is moved aside the same way, and the staged result is renamed into
 * place (one rename: readers see the old state or the new, never half). The caller
 * must hold the job's lock. Returns the published path, or null if nothing was staged.
 */
export async function publishStaged(staging: string, batchDir: string, taskId: string, attempt: number): Promise<string | null> {
  const staged = attemptPath(staging, taskId, attempt);
  const present = (await listNames(taskDir(staging, taskId))).includes(`${attempt}.jsonl`);
  await moveTries(staging, batchDir, taskId, attempt, false);
  let published: string | null = null;
  if (present) {
    const target = attemptPath(batchDir, taskId, attempt);
    await mkdir(taskDir(batchDir, taskId), { recursive: true });
    await moveAside(batchDir, taskId, attempt, target).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(staged, target);
    published = target;
  }
  await rm(staging, { recursive: true, force: true });
  return published;
}

/** Discard a staged attempt (the lock was lost, or the job is handed back). */
export async function discardStaged(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
}

/** Move the staged trajectory files of an attempt into the batch folder as try files (the final one too when `all`). */
async function moveTries(staging: string, batchDir: string, taskId: string, attempt: number, all: boolean): Promise<string[]> {
  const from = taskDir(staging, taskId);
  const moved: string[] = [];
  for (const name of (await listNames(from)).sort()) {
    const parsed = parseTrajectoryName(name);
    if (parsed?.attempt !== attempt) continue;
    if (!all && parsed.kind === 'attempt') continue;
    await mkdir(taskDir(batchDir, taskId), { recursive: true });
    moved.push(await moveAside(batchDir, taskId, attempt, join(from, name)));
  }
  return moved;
}

async function listNames(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

/** Remove the staging folders of an attempt that are now empty (up to .staging itself); busy ones stay. */
export async function pruneStaging(batchDir: string, taskId: string, attempt: number): Promise<void> {
  let dir = stagingRoot(batchDir, taskId, attempt);
  for (let level = 0; level < 3; level += 1) {
    if (!(await rmdir(dir).then(() => true, () => false))) return;
    dir = dirname(dir);
  }
}
