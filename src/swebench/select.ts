import type { BatchAttempt } from './attempts.js';

/**
 * The attempt that stands for a task in predictions and reports. The rule: only complete
 * attempts (with a footer) count; a resolved one (reward 1) wins over any other; among
 * equals the last (highest attempt number) wins. A task with no complete attempt has none.
 */
export function chooseAttempt(attempts: BatchAttempt[]): BatchAttempt | undefined {
  const complete = attempts.filter((a) => a.footer !== undefined);
  const resolved = complete.filter((a) => a.footer!.reward === 1);
  const pool = resolved.length > 0 ? resolved : complete;
  return pool.reduce<BatchAttempt | undefined>((best, a) => (best === undefined || a.attempt > best.attempt ? a : best), undefined);
}

/** One chosen attempt per task id, in task-id order. */
export function chooseAttempts(attempts: BatchAttempt[]): Map<string, BatchAttempt | undefined> {
  const byTask = new Map<string, BatchAttempt[]>();
  for (const a of attempts) byTask.set(a.taskId, [...(byTask.get(a.taskId) ?? []), a]);
  return new Map([...byTask].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([id, list]) => [id, chooseAttempt(list)]));
}
