import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { exportTrajectories } from '../../src/export/index.js';
import { readTrajectory, type Trajectory } from '../../src/trajectory/reader.js';
import type { Step, StreamCapture } from '../../src/trajectory/schema.js';
import { bashTrajectory, makeTempDir, richTrajectory, writeTrajectory } from './fixtures.js';

type Row = Record<string, unknown>;

/** Run SQL in DuckDB, an independent Parquet reader. */
async function query(sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const readParquet = (path: string, order: string) => query(`SELECT * FROM read_parquet('${path}') ORDER BY ${order}`);

async function describeParquet(path: string): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const result = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
  const types = Object.fromEntries(result.getRowObjectsJS().map((r) => [String(r['column_name']), String(r['column_type'])]));
  connection.closeSync();
  instance.closeSync();
  return types;
}

const num = (value: unknown) => (typeof value === 'bigint' ? Number(value) : value);
const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

function rebuildCapture(row: Row, which: string): StreamCapture {
  const capture: StreamCapture = {
    text: row[`${which}_text`] as string,
    encoding: row[`${which}_encoding`] as 'utf8' | 'base64',
    bytes: num(row[`${which}_bytes`]) as number,
    omitted_bytes: num(row[`${which}_omitted_bytes`]) as number,
    sha256: row[`${which}_sha256`] as string,
  };
  if (row[`${which}_tail`] !== null) capture.tail = row[`${which}_tail`] as string;
  return { text: capture.text, ...(capture.tail !== undefined ? { tail: capture.tail } : {}), encoding: capture.encoding, bytes: capture.bytes, omitted_bytes: capture.omitted_bytes, sha256: capture.sha256 };
}

/** Rebuild a step from its typed columns (not from a JSON copy of the whole step). */
function rebuildStep(row: Row): Step {
  const step: Step = {
    type: 'step',
    index: row['step_index'] as number,
    started_at: iso(row['started_at']) as string,
    action: row['action_json'] === null ? null : JSON.parse(row['action_json'] as string),
    observation: row['stdout_text'] === null ? null : {
      stdout: rebuildCapture(row, 'stdout'),
      stderr: rebuildCapture(row, 'stderr'),
      exit_code: row['exit_code'] as number | null,
      signal: row['signal'] as string | null,
      timed_out: row['timed_out'] as boolean,
      duration_ms: row['duration_ms'] as number,
      session_restarted: row['session_restarted'] as boolean,
    },
    shown: row['shown'] as string,
    state: row['cwd'] === null ? null : { cwd: row['cwd'] as string, changes: JSON.parse(row['changes_json'] as string) },
    timing: { agent_ms: row['agent_ms'] as number, action_ms: row['action_ms'] as number },
  };
  if (row['model_json'] !== null) step.model = JSON.parse(row['model_json'] as string);
  return step;
}

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
