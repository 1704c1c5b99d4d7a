import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeStats, discoverTrajectoryFiles, exportTrajectories } from '../../src/export/index.js';
import { BatchRecord, readBatchStatus, stagingDir, tryPath, attemptPath } from '../../src/scheduler/index.js';
import { readBatchAttempts } from '../../src/swebench/index.js';
import { listTrajectories } from '../../src/viewer/index.js';
import { bashTrajectory, makeTempDir, writeTrajectory } from '../export/fixtures.js';

/**
 * A batch folder of one attempt that was retried once and that a dead worker also
 * staged: `0.jsonl` (final), `0.try-0.jsonl` (the retried try), and a staging file.
 */
async function batchWithTriesAndStaging(): Promise<string> {
  const out = await makeTempDir('forager-layout-');
  await mkdir(join(out, 'trajectories', 'alpha'), { recursive: true });
  await writeTrajectory(attemptPath(out, 'alpha', 0), bashTrajectory('final', 'alpha', ['ls']));
  await writeTrajectory(tryPath(out, 'alpha', 0, 0), bashTrajectory('retried', 'alpha', ['ls'], { footer: { exit_status: 'error', failure_kind: 'infrastructure' } }));
  const staging = stagingDir(out, 'alpha', 0, 'dead-worker-token');
  await mkdir(join(staging, 'trajectories', 'alpha'), { recursive: true });
  await writeTrajectory(tryPath(staging, 'alpha', 0, 0), bashTrajectory('staged', 'alpha', ['ls']));
  const record = await BatchRecord.open(out);
  await record.append({ type: 'planned', run_id: 'r', pid: 1, attempts: [{ key: 'alpha/0', task: 'alpha', attempt: 0, path: attemptPath(out, 'alpha', 0) }], rejected: [] });
  await record.close();
  return out;
}

describe('the batch layout: one trajectory per attempt for every reader', () => {
  it('export, stats, status and the viewer list count 1 for 0.jsonl + 0.try-0.jsonl + a staging file', async () => {
    const out = await batchWithTriesAndStaging();
    const files: string[] = [];
    for await (const file of discoverTrajectoryFiles([out])) files.push(file);
    expect(files).toEqual([attemptPath(out, 'alpha', 0)]);

    const exported = await exportTrajectories([out], { format: 'jsonl', out: join(out, '..', `${out.split('/').pop()}-export.jsonl`) });
    expect(exported.read.files).toBe(1);
    expect(exported.outputs[0]!.trajectories).toBe(1);

    const stats = await computeStats([out]);
    expect(stats.read.files).toBe(1);
    expect(stats.trajectories).toBe(1);

    expect(await readBatchStatus(out)).toMatchObject({ planned: 1, complete: 1, redo: 0, partial: 0, pending: 0 });

    const listed = await listTrajectories(out);
    expect(listed.map((t) => t.trajectory_id)).toEqual(['final']);

    const attempts = await readBatchAttempts(out);
    expect(attempts.map((a) => [a.taskId, a.attempt, a.file, a.header.trajectory_id])).toEqual([['alpha', 0, 'trajectories/alpha/0.jsonl', 'final']]);
  });

  it('reads tries and staging files only when asked (--include-tries)', async () => {
    const out = await batchWithTriesAndStaging();
    const stats = await computeStats([out], { includeTries: true });
    expect(stats.read.files).toBe(3);
    const listed = await listTrajectories(out, { includeTries: true });
    expect(listed.map((t) => t.trajectory_id).sort()).toEqual(['final', 'retried', 'staged']);
    const exported = await exportTrajectories([out], { format: 'jsonl', out: join(out, '..', `${out.split('/').pop()}-all.jsonl`), includeTries: true });
    expect(exported.outputs[0]!.trajectories).toBe(3);
  });

  it('takes a try file given by name as it is', async () => {
    const out = await batchWithTriesAndStaging();
    const stats = await computeStats([tryPath(out, 'alpha', 0, 0)]);
    expect(stats.read.files).toBe(1);
  });
});
