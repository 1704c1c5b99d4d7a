import { describe, expect, it } from 'vitest';
import { globToRegExp, matchesGlob } from '../../src/core/glob.js';
import { percentile } from '../../src/core/percentile.js';
import { estimateTokens } from '../../src/core/tokens.js';
import { planBatch } from '../../src/scheduler/index.js';
import type { LoadedTask } from '../../src/task/index.js';

describe('globToRegExp() - the one glob (harvest --filter, export --task/--repo)', () => {
  it('matches *, ?, [abc], ranges and negated sets, anchored', () => {
    expect(matchesGlob('alpha-1', 'alpha-*')).toBe(true);
    expect(matchesGlob('xalpha-1', 'alpha-*')).toBe(false);
    expect(matchesGlob('gamma-1', 'gamma-?')).toBe(true);
    expect(matchesGlob('gamma-12', 'gamma-?')).toBe(false);
    expect(matchesGlob('task-a', 'task-[abc]')).toBe(true);
    expect(matchesGlob('task-d', 'task-[abc]')).toBe(false);
    expect(matchesGlob('task-7', 'task-[0-9]')).toBe(true);
    expect(matchesGlob('task-d', 'task-[!abc]')).toBe(true);
    expect(matchesGlob('task-a', 'task-[!abc]')).toBe(false);
    expect(matchesGlob('task-a', 'task-[^abc]')).toBe(false);
  });

  it('lets * cross a slash (repositories: org/name) and treats dots literally', () => {
    expect(matchesGlob('org/repo', '*')).toBe(true);
    expect(matchesGlob('org/bar', 'org/b*')).toBe(true);
    expect(matchesGlob('axb', 'a.b')).toBe(false);
    expect(matchesGlob('a.b', 'a.b')).toBe(true);
    expect(globToRegExp('x*').test('x.y')).toBe(true);
  });

  it('picks tasks for harvest --filter with a bracket set', () => {
    const task = (id: string) => ({ spec: { id, image: 'forager-base:bookworm' }, source: `${id}.yaml`, dir: '.', hash: id.padEnd(64, '0'), files: [] }) as unknown as LoadedTask;
    const plan = planBatch(['t-a', 't-b', 't-c'].map(task), { attempts: 1, filter: 't-[ab]' });
    expect(plan.attempts.map((a) => a.taskId)).toEqual(['t-a', 't-b']);
  });
});

describe('percentile() - nearest rank', () => {
  it('takes the nearest rank and is undefined for no values', () => {
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)).toBe(10);
    expect(percentile([1, 2, 3, 4], 0)).toBe(1);
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe('estimateTokens()', () => {
  it('counts four characters a token, rounded up, scaled by a calibration', () => {
    expect(estimateTokens(0)).toBe(0);
    expect(estimateTokens(9)).toBe(3);
    expect(estimateTokens(400, 1.5)).toBe(150);
  });
});
