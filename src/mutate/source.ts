import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { TaskError } from '../core/errors.js';
import { hashTask, isTaskFileName, loadTask, TaskSpecSchema, type LoadedTask } from '../task/index.js';

export const DEFAULT_TEST_COMMAND = 'python3 -m pytest -p no:cacheprovider -q --junitxml=$FORAGER_JUNIT';

/** What mutation starts from: a repository task (image, environment, repo) and how its tests run. */
export interface MutationSource {
  task: LoadedTask;
  testCommand: string;
  junitPath?: string;
  timeoutS: number;
}

export interface SourceOptions {
  /** Test command (default: the task's eval.test_command, else pytest writing $FORAGER_JUNIT). */
  testCommand?: string;
  /** For a repository path: the image recipe (default python). */
  recipe?: string;
  /** For a repository path: commands installing its dependencies. */
  environment?: string[];
}

/** A repository task file, or a repository folder made into one (recipe image, /testbed). */
export async function loadMutationSource(path: string, options: SourceOptions = {}): Promise<MutationSource> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new TaskError('MUTATE_SOURCE_MISSING', `${path}: expected a repository task file or a repository folder, found nothing`);
  if (info.isFile() || isTaskFileName(basename(path))) {
    const task = await loadTask(path);
    if (!task.spec.repo) throw new TaskError('MUTATE_SOURCE_INVALID', `${path}: field repo: expected a repository task, found a task without repo`);
    const testCommand = options.testCommand ?? task.spec.eval?.test_command ?? DEFAULT_TEST_COMMAND;
    return { task, testCommand, junitPath: task.spec.eval?.junit_path, timeoutS: task.spec.eval?.timeout_s ?? 1800 };
  }
  const dir = resolve(path);
  const spec = TaskSpecSchema.parse({
    id: basename(dir).replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'repo',
    instruction: 'mutation source',
    image: options.recipe ?? 'python',
    workdir: '/testbed',
    repo: { path: dir },
    ...(options.environment?.length ? { environment: { commands: options.environment } } : {}),
    agent: { type: 'scripted', actions: [{ tool: 'submit' }] },
  });
  const task: LoadedTask = { spec, source: dir, dir, hash: hashTask(spec, []), files: [] };
  return { task, testCommand: options.testCommand ?? DEFAULT_TEST_COMMAND, timeoutS: 1800 };
}
