import { relative } from 'node:path';
import type { LoadedTask } from '../task/load.js';
import { globToRegExp } from '../core/glob.js';

export interface PlanOptions {
  /** Independent attempts per task (K ≥ 1). */
  attempts: number;
  /** Glob on the task id (`*` any run of characters, `?` one). */
  filter?: string;
  /** Keep at most this many tasks (after the filter). */
  limit?: number;
}

/** One unit of work: attempt `attempt` of one task. */
export interface PlannedAttempt {
  /** `<task id>/<attempt>`: unique in a batch. */
  key: string;
  taskId: string;
  attempt: number;
  task: LoadedTask;
  /** Attempts with the same key run in the same image. */
  imageKey: string;
}

export interface RejectedTask {
  source: string;
  message: string;
}

export interface BatchPlan {
  attempts: PlannedAttempt[];
  /** Task files that cannot be in the batch (duplicate ids). */
  rejected: RejectedTask[];
}

/**
 * Tasks × attempts → the attempt list, pure. Tasks sharing an image are grouped (groups
 * in order of first appearance) so an image is built once and then used while it is hot.
 */
export function planBatch(tasks: LoadedTask[], options: PlanOptions): BatchPlan {
  if (!Number.isInteger(options.attempts) || options.attempts < 1) throw new RangeError(`attempts: expected an integer ≥ 1, got ${options.attempts}`);
  const rejected: RejectedTask[] = [];
  const seen = new Map<string, string>();
  let chosen: LoadedTask[] = [];
  const filter = options.filter === undefined ? undefined : globToRegExp(options.filter);
  for (const task of tasks) {
    if (filter && !filter.test(task.spec.id)) continue;
    const first = seen.get(task.spec.id);
    if (first !== undefined) {
      rejected.push({ source: task.source, message: `${task.source}: field "id": expected a task id unique in the batch, found "${task.spec.id}" (also in ${first})` });
      continue;
    }
    seen.set(task.spec.id, task.source);
    chosen.push(task);
  }
  if (options.limit !== undefined) chosen = chosen.slice(0, options.limit);

  const groups = new Map<string, LoadedTask[]>();
  for (const task of chosen) {
    const key = imageKeyOf(task);
    groups.set(key, [...(groups.get(key) ?? []), task]);
  }
  const attempts: PlannedAttempt[] = [];
  for (const [imageKey, group] of groups) {
    for (const task of group) {
      for (let attempt = 0; attempt < options.attempts; attempt += 1) {
        attempts.push({ key: `${task.spec.id}/${attempt}`, taskId: task.spec.id, attempt, task, imageKey });
      }
    }
  }
  return { attempts, rejected };
}

/** What identifies a task's image before it is built: the ref, the recipe, or the Dockerfile and context. */
export function imageKeyOf(task: LoadedTask): string {
  const spec = task.spec.image;
  if (typeof spec === 'string') return `recipe:${spec}`;
  if ('ref' in spec) return `ref:${spec.ref}`;
  if ('recipe' in spec) return `recipe:${spec.recipe}`;
  return `dockerfile:${relative('/', task.dir)}/${spec.dockerfile}|${spec.context ?? ''}`;
}
