import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Action } from '../../src/trajectory/schema.js';
import { inspectAttemptFile, type AttemptFileState } from '../../src/scheduler/index.js';
import { writeTask } from './tasks.js';

/** Write `count` scripted tasks on the base image (ids `<prefix>-<i>`) into `dir`; returns their ids. */
export async function writeTasks(dir: string, count: number, actions: (i: number) => Action[], prefix = 'task', extra: Record<string, unknown> = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `${prefix}-${String(i).padStart(3, '0')}`;
    await writeTask(actions(i), { id, ...extra }, dir);
    ids.push(id);
  }
  return ids;
}

/** Every trajectory file of a task in a batch folder, by name, with what it says. */
export async function filesOfTask(out: string, taskId: string): Promise<Record<string, AttemptFileState['state']>> {
  const dir = join(out, 'trajectories', taskId);
  const names = await readdir(dir).catch(() => [] as string[]);
  const result: Record<string, AttemptFileState['state']> = {};
  for (const name of names) result[name] = (await inspectAttemptFile(join(dir, name))).state;
  return result;
}

/** Every trajectory file under a batch folder. */
export async function allTrajectoryFiles(out: string): Promise<string[]> {
  const root = join(out, 'trajectories');
  const tasks = await readdir(root).catch(() => [] as string[]);
  const files: string[] = [];
  for (const task of tasks) for (const name of await readdir(join(root, task))) files.push(join(root, task, name));
  return files;
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
