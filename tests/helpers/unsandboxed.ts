import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createProvider } from '../../src/providers/index.js';
import type { SandboxProvider } from '../../src/sandbox/index.js';
import type { Action } from '../../src/trajectory/schema.js';
import { tempDir } from './tasks.js';

/** The provider of the test backend that runs on this host (no engine): not a sandbox. */
export function unsandboxedProvider(): SandboxProvider {
  return createProvider('unsandboxed');
}

/** A task for the unsandboxed backend: its workdir under the temporary folder, no image. */
export async function writeLocalTask(actions: Action[], extra: Record<string, unknown> = {}, dir?: string): Promise<string> {
  const folder = dir ?? (await tempDir('forager-local-task-'));
  await mkdir(folder, { recursive: true });
  const workdir = join(await tempDir('forager-local-work-'), 'work');
  const path = join(folder, `${String(extra.id ?? 'local-task')}.task.yaml`);
  await writeFile(path, stringify({ id: 'local-task', instruction: 'test', image: { ref: 'unsandboxed' }, workdir, agent: { type: 'scripted', actions }, ...extra }));
  return path;
}
