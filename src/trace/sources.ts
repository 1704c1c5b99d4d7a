import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import { findTaskFiles, trustOperatorTaskFile } from '../task/index.js';

export interface RepositorySourceOptions {
  /** Image recipe for a repository folder (default python). */
  recipe?: string;
  /** Commands installing a repository folder's dependencies (its environment layer). */
  environment?: string[];
}

/**
 * Task files for `paths`: a folder holding task files (or a task file) is kept as it is; a
 * folder holding none is a repository, and gets a task file written under
 * OUT/sources/<id>/task.yaml (recipe image, the folder as `repo` at /testbed, its tests run
 * by pytest), so the harvest engine can plan, resume and retry it like any task.
 */
export async function taskPathsFor(paths: string[], out: string, options: RepositorySourceOptions = {}): Promise<string[]> {
  const result: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info?.isDirectory() || (await findTaskFiles([path])).length > 0) {
      result.push(path);
      continue;
    }
    const dir = resolve(path);
    const id = basename(dir).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'repo';
    const taskDir = resolve(out, 'sources', id);
    const spec = {
      id,
      instruction: `trace source: ${dir}`,
      image: options.recipe ?? 'python',
      workdir: '/testbed',
      repo: { path: relative(taskDir, dir) || '.' },
      ...(options.environment?.length ? { environment: { commands: options.environment } } : {}),
      agent: { type: 'scripted', actions: [{ tool: 'submit' }] },
    };
    await mkdir(taskDir, { recursive: true });
    const file = join(taskDir, 'task.yaml');
    await writeFile(file, `# Written by forager trace for the repository folder ${dir}\n${stringify(spec, { lineWidth: 0 })}`);
    // The operator named this folder: its path is theirs to use, although it is outside the task file's folder.
    trustOperatorTaskFile(file);
    result.push(file);
  }
  return result;
}
