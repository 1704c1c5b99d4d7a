import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadTask, type LoadedTask } from '../../src/task/index.js';
import type { Action } from '../../src/trajectory/schema.js';
import { BASE_IMAGE } from './images.js';

export async function tempDir(prefix = 'forager-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Write a task file on the base image with these actions, and return its path. */
export async function writeTask(actions: Action[], extra: Record<string, unknown> = {}, dir?: string): Promise<string> {
  const folder = dir ?? (await tempDir());
  await mkdir(folder, { recursive: true });
  const path = join(folder, `${String(extra.id ?? 'test-task')}.task.yaml`);
  const spec = {
    id: 'test-task',
    instruction: 'test',
    image: { ref: BASE_IMAGE },
    agent: { type: 'scripted', actions },
    ...extra,
  };
  await writeFile(path, stringify(spec));
  return path;
}

export async function scriptedTask(actions: Action[], extra: Record<string, unknown> = {}): Promise<LoadedTask> {
  return loadTask(await writeTask(actions, extra));
}
