import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeStats } from '../../src/export/index.js';
import { bashTrajectory, makeTempDir, writeTrajectory } from './fixtures.js';

describe('computeStats()', () => {
  it('counts outcomes, rates and distributions, overall and per repository', async () => {
    const dir = await makeTempDir();
    const tokens = (prompt: number) => ({ totals: { output_bytes: 1, action_ms: 1, agent_ms: 1, prompt_tokens: prompt, completion_tokens: 0 } });
    await writeTrajectory(join(dir, 'a.jsonl'), bashTrajectory('a', 'x-1', ['ls'], { repo: 'org/x', footer: { reward: 1, duration_ms: 1000, ...tokens(100) } }));
    await writeTrajectory(join(dir, 'b.jsonl'), bashTrajectory('b', 'x-2', ['ls', 'pwd', 'id'], { repo: 'org/x', footer: { reward: 0, duration_ms: 3000, ...tokens(300) } }));
    await writeTrajectory(join(dir, 'c.jsonl'), bashTrajectory('c', 'y-1', ['ls', 'pwd'], { repo: 'org/y', footer: { exit_status: 'wall_time', failure_kind: 'agent', duration_ms: 2000 } }));
    await writeTrajectory(join(dir, 'd.jsonl'), bashTrajectory('d', 'y-2', ['ls'], { repo: 'org/y', footer: null }));

    const stats = await computeStats([dir]);
    expect(stats.read).toMatchObject({ files: 4, partial: 1 });
    expect(stats).toMatchObject({ trajectories: 3, submitted: 2, evaluated: 2, resolved: 1, resolved_rate: 0.5 });
    expect(stats.exit_statuses).toEqual({ submitted: 2, wall_time: 1 });
    expect(stats.failure_kinds).toEqual({ none: 2, agent: 1 });
    expect(stats.steps).toEqual({ count: 3, min: 1, p50: 2, p95: 3, max: 3, mean: 2 });
    expect(stats.tokens).toMatchObject({ count: 2, min: 100, max: 300 });
    expect(stats.duration_ms).toMatchObject({ min: 1000, p50: 2000, max: 3000 });
    expect(Object.keys(stats.repos)).toEqual(['org/x', 'org/y']);
    expect(stats.repos['org/x']).toMatchObject({ trajectories: 2, resolved: 1, resolved_rate: 0.5 });
    expect(stats.repos['org/y']).toMatchObject({ trajectories: 1, evaluated: 0, resolved_rate: null });

    const withPartial = await computeStats([dir], { includePartial: true });
    expect(withPartial.trajectories).toBe(4);
    expect(withPartial.exit_statuses['partial']).toBe(1);
  });
});
