import { appendFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchRecord, inspectAttemptFile, readBatchRecord, readBatchStatus } from '../../src/scheduler/index.js';
import { tempDir } from '../helpers/tasks.js';
import { withLineLimit } from '../lines/helpers.js';

const footer = (extra: Record<string, unknown>) => JSON.stringify({
  type: 'footer', exit_status: 'submitted', failure_kind: null, ended_at: 'now', duration_ms: 5, steps: 1,
  totals: { output_bytes: 0, action_ms: 0, agent_ms: 0 }, ...extra,
});

describe('the batch index', () => {
  it('skips a torn last line from a crash and keeps appending on a line of its own', async () => {
    const out = await tempDir();
    const first = await BatchRecord.open(out);
    await first.append({ type: 'started', key: 'a/0', try: 0 });
    await first.close();
    await appendFile(join(out, 'batch.jsonl'), '{"type":"finished","key":"a/0","sta');
    const second = await BatchRecord.open(out);
    await second.append({ type: 'started', key: 'a/0', try: 1 });
    await second.close();
    const events = await readBatchRecord(out);
    expect(events.map((e) => [e.type, (e as { try?: number }).try])).toEqual([['started', 0], ['started', 1]]);
    expect((await readFile(join(out, 'batch.jsonl'), 'utf8')).split('\n')).toHaveLength(4);
  });
});

describe('inspectAttemptFile', () => {
  it('tells complete, to-redo, partial and missing trajectories apart by their last line', async () => {
    const dir = await tempDir();
    const header = '{"type":"header"}\n';
    await writeFile(join(dir, 'done.jsonl'), `${header}${footer({})}\n`);
    await writeFile(join(dir, 'agent-failed.jsonl'), `${header}${footer({ exit_status: 'max_steps', failure_kind: 'agent' })}\n`);
    await writeFile(join(dir, 'aborted.jsonl'), `${header}${footer({ exit_status: 'aborted', failure_kind: 'infrastructure' })}\n`);
    await writeFile(join(dir, 'infra.jsonl'), `${header}${footer({ exit_status: 'error', failure_kind: 'infrastructure' })}\n`);
    await writeFile(join(dir, 'partial.jsonl'), `${header}{"type":"step","ind`);
    expect((await inspectAttemptFile(join(dir, 'done.jsonl'))).state).toBe('complete');
    expect((await inspectAttemptFile(join(dir, 'agent-failed.jsonl'))).state).toBe('complete');
    expect((await inspectAttemptFile(join(dir, 'aborted.jsonl'))).state).toBe('redo');
    expect((await inspectAttemptFile(join(dir, 'infra.jsonl'))).state).toBe('redo');
    expect((await inspectAttemptFile(join(dir, 'partial.jsonl'))).state).toBe('partial');
    expect((await inspectAttemptFile(join(dir, 'none.jsonl'))).state).toBe('missing');
  });
});

describe('readBatchStatus', () => {
  it('counts from the trajectory files and takes the plan and retries from the index', async () => {
    const out = await tempDir();
    const record = await BatchRecord.open(out);
    const attempts = ['a', 'b', 'c', 'd'].map((task) => ({ key: `${task}/0`, task, attempt: 0, path: '' }));
    await record.append({ type: 'planned', run_id: 'r1', pid: 1, attempts, rejected: [{ source: 'bad.yaml', message: 'bad.yaml: broken' }] });
    await record.append({ type: 'retry', key: 'a/0', try: 0, code: 'CONTAINER_GONE', message: '', delay_ms: 5 });
    await record.close();
    for (const task of ['a', 'b', 'c']) await mkdir(join(out, 'trajectories', task), { recursive: true });
    await writeFile(join(out, 'trajectories/a/0.jsonl'), `{}\n${footer({})}\n`);
    await writeFile(join(out, 'trajectories/a/0.try-0.jsonl'), `{}\n${footer({ exit_status: 'error', failure_kind: 'infrastructure' })}\n`);
    await writeFile(join(out, 'trajectories/b/0.jsonl'), `{}\n${footer({ exit_status: 'max_steps', failure_kind: 'agent', error: { kind: 'agent', code: 'MAX_STEPS', message: '' } })}\n`);
    await writeFile(join(out, 'trajectories/c/0.try-0.jsonl'), '{}\n');
    const status = await readBatchStatus(out);
    expect(status).toMatchObject({
      runId: 'r1', planned: 4, complete: 2, redo: 0, partial: 1, pending: 1, retries: 1,
      outcomes: { submitted: 1, 'max_steps/agent:MAX_STEPS': 1 }, retryReasons: { CONTAINER_GONE: 1 },
    });
    expect(status.rejected).toHaveLength(1);
    await rm(join(out, 'batch.jsonl'));
    expect(await readBatchStatus(out)).toMatchObject({ runId: null, planned: 3, complete: 2, partial: 1, pending: 0, retries: 0 });
  });
});

describe('over-long lines in batch files', () => {
  it('the batch index refuses a line past the limit with the file and line; an attempt whose last line is past it is partial (redone, kept aside)', async () => {
    const out = await tempDir();
    await writeFile(join(out, 'batch.jsonl'), `{"type":"started","key":"a/0","try":0}\n{"type":"skipped","key":"a/1","reason":"${'r'.repeat(8192)}"}\n`);
    await withLineLimit(4096, async () => {
      await expect(readBatchRecord(out)).rejects.toMatchObject({ code: 'LINE_TOO_LONG', message: expect.stringContaining(`${join(out, 'batch.jsonl')}:2: line longer than 4096 bytes`) });
      const attempt = join(out, '0.jsonl');
      await writeFile(attempt, `{"type":"header"}\n${footer({ pad: 'p'.repeat(8192) })}\n`);
      expect(await inspectAttemptFile(attempt)).toEqual({ state: 'partial' });
    });
    expect(await readBatchRecord(out)).toHaveLength(2);
  });
});
