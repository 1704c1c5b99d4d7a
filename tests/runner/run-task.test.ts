// @needs docker
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Agent } from '../../src/core/contracts.js';
import { runTask } from '../../src/runner/index.js';
import { captureText } from '../../src/core/capture.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { containersOf, testRunId, testProvider } from '../helpers/docker.js';
import { scriptedTask, tempDir } from '../helpers/tasks.js';

describe('runTask', () => {
  it('records a complete trajectory with provenance, steps and a footer, and leaves no container', async () => {
    const runId = testRunId();
    const task = await scriptedTask(
      [
        { tool: 'bash', command: 'echo hi > greeting.txt && cat greeting.txt' },
        { tool: 'bash', command: 'echo "$TZ $LC_ALL $PYTHONHASHSEED $HOME $(hostname) $MY_VAR"' },
        { tool: 'submit', result: 'done' },
      ],
      { env: { MY_VAR: 'mine' }, files: [{ path: 'input.txt', content: 'x' }] },
    );
    const out = join(await tempDir(), 't.jsonl');
    const result = await runTask(task, { provider: testProvider(), out, runId });
    const trajectory = await readTrajectory(out);
    expect(trajectory.header.image.id).toMatch(/^sha256:/);
    expect(trajectory.header.task.hash).toBe(task.hash);
    expect(trajectory.header.environment).toMatchObject({ TZ: 'UTC', PYTHONHASHSEED: '0', MY_VAR: 'mine' });
    expect(trajectory.header.limits.network).toBe('none');
    expect(trajectory.steps).toHaveLength(3);
    expect(trajectory.steps[0]!.state?.changes).toEqual([{ path: '/work/greeting.txt', change: 'added', size: 3 }]);
    expect(captureText(trajectory.steps[1]!.observation!.stdout)).toBe('UTC C.UTF-8 0 /root forager mine\n');
    expect(trajectory.footer).toMatchObject({ exit_status: 'submitted', failure_kind: null, steps: 3, submission: 'done' });
    expect(result.footer).toEqual(trajectory.footer);
    expect(await containersOf(runId)).toEqual([]);
  });

  it('ends as a task failure when a setup command fails', async () => {
    const runId = testRunId();
    const task = await scriptedTask([{ tool: 'bash', command: 'true' }], { setup: ['echo preparing', 'exit 4'] });
    const out = join(await tempDir(), 't.jsonl');
    const { footer } = await runTask(task, { provider: testProvider(), out, runId });
    expect(footer).toMatchObject({ exit_status: 'error', failure_kind: 'task', error: { code: 'SETUP_FAILED' } });
    const { header } = await readTrajectory(out);
    expect(header.setup.map((s) => s.exit_code)).toEqual([0, 4]);
    expect(await containersOf(runId)).toEqual([]);
  });

  it('writes a trajectory with an error footer when the image is missing', async () => {
    const task = await scriptedTask([{ tool: 'bash', command: 'true' }], { image: { ref: 'forager-test-absent:none' } });
    const out = join(await tempDir(), 't.jsonl');
    const { footer } = await runTask(task, { provider: testProvider(), out });
    expect(footer).toMatchObject({ exit_status: 'error', failure_kind: 'task', error: { code: 'IMAGE_MISSING' } });
    expect((await readTrajectory(out)).footer).toBeDefined();
  });

  it('removes the container when the agent throws', async () => {
    const runId = testRunId();
    const task = await scriptedTask([{ tool: 'bash', command: 'true' }]);
    const agent: Agent = {
      describe: () => ({ type: 'unknown', record: { type: 'throwing' } }),
      start: async () => undefined,
      next: async () => { throw new Error('agent exploded'); },
      render: () => '',
    };
    const out = join(await tempDir(), 't.jsonl');
    const { footer } = await runTask(task, { provider: testProvider(), out, runId, agent });
    expect(footer).toMatchObject({ exit_status: 'error', failure_kind: 'infrastructure', error: { message: 'agent exploded' } });
    expect(await containersOf(runId)).toEqual([]);
  });

  it('stops at the wall time limit even while a command is running', async () => {
    const runId = testRunId();
    const task = await scriptedTask([{ tool: 'bash', command: 'sleep 60' }], { limits: { wall_time_s: 3, action_timeout_s: 100 } });
    const out = join(await tempDir(), 't.jsonl');
    const started = Date.now();
    const { footer } = await runTask(task, { provider: testProvider(), out, runId });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(footer).toMatchObject({ exit_status: 'wall_time', failure_kind: 'agent' });
    expect(await containersOf(runId)).toEqual([]);
  });

  it('ends with max_steps when the agent never submits', async () => {
    const task = await scriptedTask(Array.from({ length: 5 }, () => ({ tool: 'bash' as const, command: 'true' })), { limits: { max_steps: 3 } });
    const out = join(await tempDir(), 't.jsonl');
    const { footer } = await runTask(task, { provider: testProvider(), out });
    expect(footer).toMatchObject({ exit_status: 'max_steps', failure_kind: 'agent', steps: 3 });
  });

  it('records edits whose search text matches zero or several times as failed observations', async () => {
    const task = await scriptedTask([
      { tool: 'create', path: 'f.txt', content: 'a\na\nb\n' },
      { tool: 'edit', path: 'f.txt', search: 'zzz', replace: 'y' },
      { tool: 'edit', path: 'f.txt', search: 'a', replace: 'y' },
      { tool: 'edit', path: 'f.txt', search: 'b', replace: 'c' },
      { tool: 'create', path: 'f.txt', content: 'again' },
      { tool: 'bash', command: 'cat f.txt' },
    ]);
    const out = join(await tempDir(), 't.jsonl');
    await runTask(task, { provider: testProvider(), out });
    const { steps } = await readTrajectory(out);
    expect(steps.map((s) => s.observation?.exit_code)).toEqual([0, 1, 1, 0, 1, 0]);
    expect(captureText(steps[1]!.observation!.stderr)).toMatch(/not found/);
    expect(captureText(steps[2]!.observation!.stderr)).toMatch(/matches 2 places/);
    expect(steps[3]!.state?.changes).toEqual([{ path: '/work/f.txt', change: 'modified', size: 6 }]);
    expect(captureText(steps[4]!.observation!.stderr)).toMatch(/already exists/);
    expect(captureText(steps[5]!.observation!.stdout)).toBe('a\na\nc\n');
  });
});
