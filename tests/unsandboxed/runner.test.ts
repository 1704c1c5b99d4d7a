import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureText } from '../../src/core/capture.js';
import { runTask } from '../../src/runner/index.js';
import { harvest, readBatchStatus } from '../../src/scheduler/index.js';
import { loadTask } from '../../src/task/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { tempDir } from '../helpers/tasks.js';
import { unsandboxedProvider, writeLocalTask } from '../helpers/unsandboxed.js';

// The runner and the scheduler over the test backend: their logic, with no engine.
describe('runTask without an engine (unsandboxed test backend)', () => {
  it('records a complete trajectory: steps with their state, the submission and the footer', async () => {
    const task = await loadTask(await writeLocalTask([
      { tool: 'bash', command: 'echo hi > greeting.txt && cat greeting.txt' },
      { tool: 'create', path: 'notes.md', content: 'one\n' },
      { tool: 'edit', path: 'notes.md', search: 'one', replace: 'two' },
      { tool: 'view', path: 'notes.md' },
      { tool: 'submit', result: 'done' },
    ], { files: [{ path: 'input.txt', content: 'x' }] }));
    const out = join(await tempDir(), 't.jsonl');
    const result = await runTask(task, { provider: unsandboxedProvider(), out, runId: 'local' });
    const { header, steps, footer } = await readTrajectory(out);
    expect(header.image.id).toBe('unsandboxed');
    expect(steps).toHaveLength(5);
    expect(captureText(steps[0]!.observation!.stdout)).toBe('hi\n');
    expect(steps[0]!.state?.changes).toEqual([{ path: `${task.spec.workdir}/greeting.txt`, change: 'added', size: 3 }]);
    expect(steps[2]!.state?.changes).toEqual([{ path: `${task.spec.workdir}/notes.md`, change: 'modified', size: 4 }]);
    expect(captureText(steps[3]!.observation!.stdout)).toBe('     1\ttwo\n');
    expect(footer).toMatchObject({ exit_status: 'submitted', failure_kind: null, steps: 5, submission: 'done' });
    expect(result.footer).toEqual(footer);
  });

  it('ends as a task failure when a setup command fails, and at the step limit when the agent never submits', async () => {
    const failing = await loadTask(await writeLocalTask([{ tool: 'bash', command: 'true' }], { setup: ['echo preparing', 'exit 4'] }));
    const first = await runTask(failing, { provider: unsandboxedProvider(), out: join(await tempDir(), 'a.jsonl') });
    expect(first.footer).toMatchObject({ exit_status: 'error', failure_kind: 'task', error: { code: 'SETUP_FAILED' } });
    const endless = await loadTask(await writeLocalTask(Array.from({ length: 5 }, () => ({ tool: 'bash' as const, command: 'true' })), { limits: { max_steps: 3 } }));
    const second = await runTask(endless, { provider: unsandboxedProvider(), out: join(await tempDir(), 'b.jsonl') });
    expect(second.footer).toMatchObject({ exit_status: 'max_steps', failure_kind: 'agent', steps: 3 });
  });

  it('stops at the wall time limit while a command runs', async () => {
    const task = await loadTask(await writeLocalTask([{ tool: 'bash', command: 'sleep 60' }], { limits: { wall_time_s: 2, action_timeout_s: 100 } }));
    const started = Date.now();
    const { footer } = await runTask(task, { provider: unsandboxedProvider(), out: join(await tempDir(), 't.jsonl') });
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(footer).toMatchObject({ exit_status: 'wall_time', failure_kind: 'agent' });
  });
});

describe('harvest without an engine (unsandboxed test backend)', () => {
  it('runs a batch at concurrency 3 and a resumed harvest finds nothing left to do', async () => {
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    for (let i = 0; i < 12; i += 1) await writeLocalTask([{ tool: 'bash', command: `echo ${i}` }, { tool: 'submit', result: String(i) }], { id: `t${i}` }, tasks);
    const out = join(dir, 'out');
    let running = 0;
    let peak = 0;
    const options = {
      provider: unsandboxedProvider(), paths: [tasks], out, concurrency: 3, attempts: 1, retries: 0,
      onEvent: (e: { type: string }) => {
        if (e.type === 'started') peak = Math.max(peak, (running += 1));
        if (e.type === 'finished') running -= 1;
      },
    };
    const result = await harvest(options);
    expect(result.outcomes).toHaveLength(12);
    expect(result.outcomes.every((o) => o.status === 'submitted')).toBe(true);
    expect(peak).toBe(3);
    expect(await readBatchStatus(out)).toMatchObject({ planned: 12, complete: 12, pending: 0 });
    const again = await harvest(options);
    expect(again).toMatchObject({ planned: 12, skipped: 12, outcomes: [] });
  });
});
