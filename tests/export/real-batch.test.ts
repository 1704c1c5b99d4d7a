// @needs docker
import { testProvider } from '../helpers/docker.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseForagerCall } from '../../src/agent/index.js';
import { exportTrajectories, type ChatRecord } from '../../src/export/index.js';
import { harvest } from '../../src/scheduler/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { tempDir } from '../helpers/tasks.js';
import { readParquet, rebuildStep } from './duckdb.js';

describe('export of a real harvested batch', () => {
  it('round-trips the bundled example tasks through jsonl, chat (CWM) and Parquet', async () => {
    const dir = await tempDir('forager-real-batch-');
    const batch = join(dir, 'batch');
    const result = await harvest({ provider: testProvider(), paths: ['tasks'], out: batch, concurrency: 2, attempts: 1, retries: 1 });
    expect(result.outcomes.length).toBeGreaterThanOrEqual(4);
    const files = result.outcomes.map((o) => o.path).filter((p): p is string => typeof p === 'string').sort();
    const originals = await Promise.all(files.map((f) => readTrajectory(f)));
    expect(originals.every((t) => t.footer?.exit_status === 'submitted')).toBe(true);
    const byId = new Map(originals.map((t) => [t.header.trajectory_id, t]));

    await exportTrajectories([batch], { format: 'jsonl', out: join(dir, 'all.jsonl') });
    const lines = (await readFile(join(dir, 'all.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { header: { trajectory_id: string } });
    expect(lines).toHaveLength(originals.length);
    for (const line of lines) {
      const original = byId.get(line.header.trajectory_id)!;
      expect(line).toEqual({ header: original.header, steps: original.steps, footer: original.footer });
    }

    await exportTrajectories([batch], { format: 'chat', toolFormat: 'forager', out: join(dir, 'chat.jsonl') });
    const records = (await readFile(join(dir, 'chat.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as ChatRecord);
    for (const record of records) {
      const original = originals.find((t) => t.header.task.id === record.instance_id)!;
      const calls = record.messages.filter((m) => m.role === 'assistant').map((m) => parseForagerCall(m.content ?? ''));
      // CWM's bash call has no per-call timeout: everything else of the action survives.
      const expected = original.steps.map((s) => (s.action?.tool === 'bash' ? { tool: 'bash', command: s.action.command } : s.action));
      expect(calls.map((c) => ('action' in c ? c.action : c))).toEqual(expected);
    }

    await exportTrajectories([batch], { format: 'parquet', out: join(dir, 'parquet') });
    const steps = await readParquet(join(dir, 'parquet', 'steps.parquet'), 'trajectory_id, step_index');
    const expected = [...originals].sort((a, b) => a.header.trajectory_id.localeCompare(b.header.trajectory_id)).flatMap((t) => t.steps);
    expect(steps.map(rebuildStep)).toEqual(expected);
  });
});
