import { describe, expect, it } from 'vitest';
import { planBatch } from '../../src/scheduler/index.js';
import type { LoadedTask } from '../../src/task/index.js';
import { TaskSpecSchema } from '../../src/task/spec.js';

function task(id: string, image: unknown, source = `/tasks/${id}.task.yaml`): LoadedTask {
  const spec = TaskSpecSchema.parse({ id, instruction: 'x', image, agent: { type: 'scripted', actions: [{ tool: 'submit' }] } });
  return { spec, source, dir: '/tasks', hash: id, files: [] };
}

describe('planBatch', () => {
  it('lists every task × attempt, with tasks sharing an image next to each other', () => {
    const tasks = [task('a', 'python'), task('b', { ref: 'x:1' }), task('c', { recipe: 'python' }), task('d', { ref: 'x:1' })];
    const plan = planBatch(tasks, { attempts: 2 });
    expect(plan.attempts.map((a) => a.key)).toEqual(['a/0', 'a/1', 'c/0', 'c/1', 'b/0', 'b/1', 'd/0', 'd/1']);
    expect(new Set(plan.attempts.map((a) => a.imageKey))).toEqual(new Set(['recipe:python', 'ref:x:1']));
  });

  it('chooses tasks by a glob on the id, then keeps at most --limit of them', () => {
    const tasks = ['fix-1', 'fix-2', 'add-1', 'fix-3'].map((id) => task(id, 'base'));
    expect(planBatch(tasks, { attempts: 1, filter: 'fix-*', limit: 2 }).attempts.map((a) => a.taskId)).toEqual(['fix-1', 'fix-2']);
    expect(planBatch(tasks, { attempts: 1, filter: '?dd-1' }).attempts.map((a) => a.taskId)).toEqual(['add-1']);
  });

  it('rejects a second task with the same id, naming both files', () => {
    const plan = planBatch([task('a', 'base', '/one.yaml'), task('a', 'base', '/two.yaml')], { attempts: 1 });
    expect(plan.attempts).toHaveLength(1);
    expect(plan.rejected).toEqual([{ source: '/two.yaml', message: expect.stringContaining('also in /one.yaml') }]);
  });

  it('refuses a non-positive number of attempts', () => {
    expect(() => planBatch([], { attempts: 0 })).toThrow(/attempts: expected an integer ≥ 1, got 0/);
  });
});
