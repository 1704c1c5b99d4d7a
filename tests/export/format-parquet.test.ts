import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportTrajectories } from '../../src/export/index.js';
import { readTrajectory, type Trajectory } from '../../src/trajectory/reader.js';
import { describeParquet, iso, num, query, readParquet, rebuildStep } from './duckdb.js';
import { bashTrajectory, makeTempDir, richTrajectory, writeTrajectory } from './fixtures.js';

describe('exportTrajectories() - parquet', () => {
  it('writes a trajectory table and a step table that DuckDB reads back equal to the input', async () => {
    const dir = await makeTempDir();
    const batch = join(dir, 'batch');
    const inputs = [
      richTrajectory('t-1', 'pkg-1', 'org/pkg'),
      bashTrajectory('t-2', 'lib-7', ['make', 'make test'], { footer: { exit_status: 'max_steps', failure_kind: 'agent', error: { kind: 'agent', code: 'MAX_STEPS', message: 'ran out of steps' } } }),
      richTrajectory('t-3', 'other-3'),
    ];
    for (const input of inputs) await writeTrajectory(join(batch, input.id, 'attempt.jsonl'), input);
    const out = join(dir, 'parquet');
    const report = await exportTrajectories([batch], { format: 'parquet', out });
    expect(report.outputs[0]?.files).toEqual([join(out, 'trajectories.parquet'), join(out, 'steps.parquet')]);

    const originals: Trajectory[] = await Promise.all(inputs.map((i) => readTrajectory(join(batch, i.id, 'attempt.jsonl'))));
    const trajectories = await readParquet(join(out, 'trajectories.parquet'), 'trajectory_id');
    expect(trajectories.map((r) => JSON.parse(r['header_json'] as string))).toEqual(originals.map((t) => t.header));
    expect(trajectories.map((r) => ({
      id: r['trajectory_id'], instance: r['instance_id'], repo: r['repo'], exit: r['exit_status'], kind: r['failure_kind'],
      code: r['failure_code'], steps: r['num_steps'], reward: r['reward'], resolved: r['resolved'], patch: r['model_patch'],
      prompt: num(r['prompt_tokens']), started: iso(r['started_at']), ended: iso(r['ended_at']), duration: r['duration_ms'], complete: r['complete'],
    }))).toEqual(originals.map((t) => ({
      id: t.header.trajectory_id, instance: t.header.task.id, repo: t.header.task.id === 'pkg-1' ? 'org/pkg' : t.header.task.id.replace(/-\d+$/, ''),
      exit: t.footer?.exit_status, kind: t.footer?.failure_kind, code: t.footer?.error?.code ?? null, steps: t.steps.length,
      reward: t.footer?.reward ?? null, resolved: t.footer?.reward === undefined ? null : true, patch: t.footer?.patch,
      prompt: t.footer?.totals.prompt_tokens ?? null, started: t.header.started_at, ended: t.footer?.ended_at, duration: t.footer?.duration_ms, complete: true,
    })));

    const steps = await readParquet(join(out, 'steps.parquet'), 'trajectory_id, step_index');
    expect(steps.map(rebuildStep)).toEqual(originals.flatMap((t) => t.steps));
    expect(steps.map((r) => r['trajectory_id'])).toEqual(originals.flatMap((t) => t.steps.map(() => t.header.trajectory_id)));
  });

  it('declares typed columns', async () => {
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'in', 'a.jsonl'), richTrajectory('t-1', 'pkg-1'));
    await exportTrajectories([join(dir, 'in')], { format: 'parquet', out: join(dir, 'out') });
    expect(await describeParquet(join(dir, 'out', 'trajectories.parquet'))).toMatchObject({
      trajectory_id: 'VARCHAR', attempt: 'INTEGER', seed: 'BIGINT', started_at: 'TIMESTAMP', complete: 'BOOLEAN', reward: 'DOUBLE', resolved: 'BOOLEAN', prompt_tokens: 'BIGINT',
    });
    expect(await describeParquet(join(dir, 'out', 'steps.parquet'))).toMatchObject({
      step_index: 'INTEGER', exit_code: 'INTEGER', timed_out: 'BOOLEAN', stdout_bytes: 'BIGINT', duration_ms: 'DOUBLE', shown: 'VARCHAR',
    });
  });

  it('writes many row groups that read back complete', async () => {
    const dir = await makeTempDir();
    for (let i = 0; i < 30; i += 1) {
      await writeTrajectory(join(dir, 'in', `t${String(i).padStart(2, '0')}.jsonl`), bashTrajectory(`t-${String(i).padStart(2, '0')}`, `pkg-${i}`, Array.from({ length: 1000 }, (_, k) => `echo ${i}-${k}`)));
    }
    await exportTrajectories([join(dir, 'in')], { format: 'parquet', out: join(dir, 'out') });
    const path = join(dir, 'out', 'steps.parquet');
    const [summary] = await query(`SELECT count(*) AS n, count(DISTINCT trajectory_id) AS t, max(step_index) AS last FROM read_parquet('${path}')`);
    expect(summary).toEqual({ n: 30_000n, t: 30n, last: 999 });
    const [groups] = await query(`SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata('${path}')`);
    expect(groups?.['n']).toBeGreaterThan(1n);
    const [last] = await query(`SELECT action_json FROM read_parquet('${path}') WHERE trajectory_id = 't-29' AND step_index = 999`);
    expect(last?.['action_json']).toBe(JSON.stringify({ tool: 'bash', command: 'echo 29-999' }));
  });
});
