// @needs docker
import { join } from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { harvest, readBatchRecord, readBatchStatus } from '../../src/scheduler/index.js';
import { engine } from '../../src/docker/engine.js';
import { containersOf, testRunId, testProvider } from '../helpers/docker.js';
import { filesOfTask, waitFor, writeTasks } from '../helpers/batch.js';
import { tempDir } from '../helpers/tasks.js';

describe('harvest', () => {
  it('completes 30 tasks at concurrency 4, never running more than 4 at once', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    const ids = await writeTasks(join(dir, 'tasks'), 30, (i) => [
      { tool: 'bash', command: `echo task ${i} > out.txt` },
      { tool: 'bash', command: 'cat out.txt' },
      { tool: 'submit', result: String(i) },
    ]);
    const runId = testRunId();
    let running = 0;
    let peak = 0;
    const result = await harvest({ provider: testProvider(),
      paths: [join(dir, 'tasks')], out, concurrency: 4, attempts: 1, retries: 2, runId,
      onEvent: (e) => {
        if (e.type === 'started') peak = Math.max(peak, (running += 1));
        if (e.type === 'finished' || e.type === 'retry') running -= 1;
      },
    });
    expect(result.outcomes).toHaveLength(30);
    expect(result.outcomes.every((o) => o.status === 'submitted' && o.retries === 0)).toBe(true);
    expect(peak).toBe(4);
    for (const id of ids) expect(await filesOfTask(out, id)).toEqual({ '0.jsonl': 'complete' });
    expect(await readBatchStatus(out)).toMatchObject({ planned: 30, complete: 30, partial: 0, pending: 0 });
    expect(await containersOf(runId)).toEqual([]);
  });

  it('reports a malformed task file and completes the others', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    await writeTasks(dir, 3, () => [{ tool: 'bash', command: 'true' }], 'good');
    await writeFile(join(dir, 'broken.task.yaml'), 'id: broken\ninstruction: x\nimage: { ref: forager-base:bookworm }\nagent: { type: scripted, actions: [] }\n');
    const result = await harvest({ provider: testProvider(), paths: [dir], out, concurrency: 2, attempts: 1, retries: 0, runId: testRunId() });
    expect(result.outcomes.map((o) => o.status)).toEqual(['agent_finished', 'agent_finished', 'agent_finished']);
    expect(result.rejected).toEqual([{ source: join(dir, 'broken.task.yaml'), message: expect.stringContaining('field "agent.actions"') }]);
    expect((await readBatchStatus(out)).rejected).toHaveLength(1);
  });

  it('retries an attempt whose container was removed from outside, and records why', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    await writeTasks(dir, 1, () => [{ tool: 'bash', command: 'sleep 3' }, { tool: 'submit' }], 'victim');
    const runId = testRunId();
    const pending = harvest({ provider: testProvider(), paths: [dir], out, concurrency: 1, attempts: 1, retries: 2, runId, backoff: { baseMs: 10, capMs: 50 } });
    await waitFor(async () => (await containersOf(runId)).length === 1, 20_000, 'the container');
    await new Promise((r) => setTimeout(r, 800));
    await engine().getContainer((await containersOf(runId))[0]!).remove({ force: true });
    const result = await pending;
    expect(result.outcomes[0], JSON.stringify(result.outcomes[0])).toMatchObject({ status: 'submitted', retries: 1, reasons: ['CONTAINER_GONE'] });
    expect(await filesOfTask(out, 'victim-000')).toEqual({ '0.jsonl': 'complete', '0.try-0.jsonl': 'redo' });
    const retries = (await readBatchRecord(out)).filter((e) => e.type === 'retry');
    expect(retries).toMatchObject([{ key: 'victim-000/0', code: 'CONTAINER_GONE' }]);
    expect(await containersOf(runId)).toEqual([]);
  });

  it('does not retry an agent failure', async () => {
    const dir = await tempDir();
    await writeTasks(dir, 1, () => [{ tool: 'bash', command: 'true' }, { tool: 'bash', command: 'true' }], 'limited', { limits: { max_steps: 1 } });
    const result = await harvest({ provider: testProvider(), paths: [dir], out: join(dir, 'out'), concurrency: 1, attempts: 2, retries: 3, runId: testRunId() });
    expect(result.outcomes.map((o) => [o.key, o.status, o.failureKind, o.retries])).toEqual([
      ['limited-000/0', 'max_steps', 'agent', 0],
      ['limited-000/1', 'max_steps', 'agent', 0],
    ]);
  });

  it('on resume redoes an aborted trajectory, keeping the old one aside, and keeps a finished try the crash left unrenamed', async () => {
    const dir = await tempDir();
    const out = join(dir, 'out');
    await writeTasks(join(dir, 'tasks'), 2, () => [{ tool: 'submit' }], 'resume');
    const footer = (status: string, kind: string | null) => JSON.stringify({ type: 'footer', exit_status: status, failure_kind: kind, ended_at: 'x', duration_ms: 1, steps: 0, totals: { output_bytes: 0, action_ms: 0, agent_ms: 0 } });
    for (const id of ['resume-000', 'resume-001']) await mkdir(join(out, 'trajectories', id), { recursive: true });
    await writeFile(join(out, 'trajectories/resume-000/0.jsonl'), `{"type":"header"}\n${footer('aborted', 'infrastructure')}\n`);
    await writeFile(join(out, 'trajectories/resume-001/0.try-0.jsonl'), `{"type":"header"}\n${footer('submitted', null)}\n`);
    const result = await harvest({ provider: testProvider(), paths: [join(dir, 'tasks')], out, concurrency: 2, attempts: 1, retries: 0, runId: testRunId() });
    expect(result.outcomes.map((o) => [o.key, o.status])).toEqual([['resume-000/0', 'submitted']]);
    expect(result.skipped).toBe(1);
    expect(await filesOfTask(out, 'resume-000')).toEqual({ '0.jsonl': 'complete', '0.try-0.jsonl': 'redo' });
    expect(await filesOfTask(out, 'resume-001')).toEqual({ '0.jsonl': 'complete' });
  });
});
