import { DuckDBInstance } from '@duckdb/node-api';
import type { Step, StreamCapture } from '../../src/trajectory/schema.js';

export type Row = Record<string, unknown>;

/** Run SQL in DuckDB, an independent Parquet reader. */
export async function query(sql: string): Promise<Row[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(sql)).getRowObjectsJS() as Row[];
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

export const readParquet = (path: string, order: string) => query(`SELECT * FROM read_parquet('${path}') ORDER BY ${order}`);

export async function describeParquet(path: string): Promise<Record<string, string>> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const result = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
  const types = Object.fromEntries(result.getRowObjectsJS().map((r) => [String(r['column_name']), String(r['column_type'])]));
  connection.closeSync();
  instance.closeSync();
  return types;
}

export const num = (value: unknown) => (typeof value === 'bigint' ? Number(value) : value);
export const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value);

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
export function rebuildStep(row: Row): Step {
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
  const optional = (target: Record<string, unknown> | null, key: string, value: unknown) => {
    if (target && value !== null && value !== undefined) target[key] = value;
  };
  const observation = step.observation as Record<string, unknown> | null;
  optional(observation, 'disk_limit_reached', row['disk_limit_reached']);
  optional(observation, 'pids_cleared', row['pids_cleared']);
  optional(observation, 'disk_overshoot_bytes', num(row['disk_overshoot_bytes']));
  optional(observation, 'duration_clock', row['duration_clock']);
  optional(observation, 'tool_restarted', row['tool_restarted']);
  const state = step.state as Record<string, unknown> | null;
  optional(state, 'changes_truncated', row['changes_truncated']);
  optional(state, 'changes_omitted', num(row['changes_omitted']));
  optional(state, 'cwd_truncated', row['cwd_truncated']);
  optional(state, 'outside', row['outside_json'] === null ? null : JSON.parse(row['outside_json'] as string));
  optional(state, 'outside_truncated', row['outside_truncated']);
  optional(state, 'outside_omitted', num(row['outside_omitted']));
  optional(state, 'probe', row['state_probe']);
  optional(state, 'probe_ms', row['probe_ms']);
  optional(state, 'changes_pruned', num(row['changes_pruned']));
  optional(state, 'probe_full_walks', row['probe_full_walks']);
  if (row['model_json'] !== null) step.model = JSON.parse(row['model_json'] as string);
  if (row['failure_kind'] !== null) step.failure = { kind: row['failure_kind'] as 'agent' | 'task' | 'infrastructure', code: row['failure_code'] as string, message: row['failure_message'] as string };
  if (row['tool_call_id'] !== null && row['tool_call_id'] !== undefined) step.tool_call_id = row['tool_call_id'] as string;
  return step;
}
