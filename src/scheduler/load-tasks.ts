import { ForagerError } from '../core/errors.js';
import { findTaskFiles, loadTask, type LoadedTask } from '../task/index.js';
import type { RejectedTask } from './plan.js';

/**
 * Load every task file under `paths`; a bad file is reported, never fatal to the others.
 * `check` may refuse a task that loads but cannot run as asked (it throws a ForagerError).
 */
export async function loadTasks(paths: string[], check?: (task: LoadedTask) => void): Promise<{ tasks: LoadedTask[]; rejected: RejectedTask[] }> {
  const files = await findTaskFiles(paths);
  const tasks: LoadedTask[] = [];
  const rejected: RejectedTask[] = [];
  for (const file of files) {
    try {
      const task = await loadTask(file);
      check?.(task);
      tasks.push(task);
    } catch (error) {
      if (!(error instanceof ForagerError)) throw error;
      rejected.push({ source: file, message: error.message });
    }
  }
  return { tasks, rejected };
}
