import type { DatasetTrajectory as Trajectory } from '../../trajectory/dataset-reader.js';
import type { DatasetStep as Step } from '../../trajectory/dataset-reader.js';
import type { StreamCapture } from '../../trajectory/schema.js';
import { rewardOf } from '../facts.js';
import { summarise } from './record.js';

/** Parquet column types used here (hyparquet-writer basic types). */
export type ColumnType = 'STRING' | 'INT32' | 'INT64' | 'DOUBLE' | 'BOOLEAN' | 'TIMESTAMP';

export interface Column<T> {
  name: string;
  type: ColumnType;
  nullable: boolean;
  /** INT64 values are returned as numbers and widened to bigint on write; TIMESTAMP as ISO strings. */
  get: (row: T) => string | number | boolean | null;
}

const col = <T>(name: string, type: ColumnType, nullable: boolean, get: Column<T>['get']): Column<T> => ({ name, type, nullable, get });
const json = (value: unknown): string | null => (value === undefined || value === null ? null : JSON.stringify(value));

/** The trajectory table: one row per trajectory; `header_json` keeps the header whole. */
export const TRAJECTORY_COLUMNS: Column<Trajectory>[] = [
  col('trajectory_id', 'STRING', false, (t) => t.header.trajectory_id),
  col('run_id', 'STRING', false, (t) => t.header.run_id),
  col('attempt', 'INT32', false, (t) => t.header.attempt),
  col('instance_id', 'STRING', false, (t) => t.header.task.id),
  col('task_hash', 'STRING', false, (t) => t.header.task.hash),
  col('repo', 'STRING', false, (t) => summarise(t).repo),
  col('instruction', 'STRING', false, (t) => t.header.task.instruction),
  col('model', 'STRING', true, (t) => summarise(t).model),
  col('image_ref', 'STRING', true, (t) => t.header.image?.ref ?? null),
  col('image_id', 'STRING', true, (t) => t.header.image?.id ?? null),
  col('seed', 'INT64', true, (t) => t.header.seed ?? null),
  col('started_at', 'TIMESTAMP', true, (t) => t.header.started_at ?? null),
  col('ended_at', 'TIMESTAMP', true, (t) => t.footer?.ended_at ?? null),
  col('complete', 'BOOLEAN', false, (t) => t.footer !== undefined),
  col('exit_status', 'STRING', true, (t) => t.footer?.exit_status ?? null),
  col('failure_kind', 'STRING', true, (t) => t.footer?.failure_kind ?? null),
  col('failure_code', 'STRING', true, (t) => t.footer?.error?.code ?? null),
  col('failure_message', 'STRING', true, (t) => t.footer?.error?.message ?? null),
  col('num_steps', 'INT32', false, (t) => t.steps.length),
  col('duration_ms', 'DOUBLE', true, (t) => t.footer?.duration_ms ?? null),
  col('submission', 'STRING', true, (t) => t.footer?.submission ?? null),
  col('model_patch', 'STRING', true, (t) => t.footer?.patch ?? null),
  col('reward', 'DOUBLE', true, (t) => rewardOf(t)),
  col('resolved', 'BOOLEAN', true, (t) => summarise(t).resolved),
  col('prompt_tokens', 'INT64', true, (t) => t.footer?.totals?.prompt_tokens ?? null),
  col('completion_tokens', 'INT64', true, (t) => t.footer?.totals?.completion_tokens ?? null),
  col('output_bytes', 'INT64', true, (t) => t.footer?.totals?.output_bytes ?? null),
  col('evaluation_json', 'STRING', true, (t) => json(t.footer?.evaluation)),
  col('header_json', 'STRING', false, (t) => JSON.stringify(t.header)),
  col('footer_json', 'STRING', true, (t) => json(t.footer)),
  col('source_path', 'STRING', false, (t) => t.path),
];

export interface StepRow {
  trajectory_id: string;
  step: Step;
}

const streamColumns = (which: 'stdout' | 'stderr'): Column<StepRow>[] => {
  const capture = (r: StepRow): Partial<StreamCapture> | undefined => r.step.observation?.[which];
  return [
    col(`${which}_text`, 'STRING', true, (r) => capture(r)?.text ?? null),
    col(`${which}_tail`, 'STRING', true, (r) => capture(r)?.tail ?? null),
    col(`${which}_encoding`, 'STRING', true, (r) => capture(r)?.encoding ?? null),
    col(`${which}_bytes`, 'INT64', true, (r) => capture(r)?.bytes ?? null),
    col(`${which}_omitted_bytes`, 'INT64', true, (r) => capture(r)?.omitted_bytes ?? null),
    col(`${which}_sha256`, 'STRING', true, (r) => capture(r)?.sha256 ?? null),
  ];
};

/** The step table: one row per step, joined to trajectories on `trajectory_id`. */
export const STEP_COLUMNS: Column<StepRow>[] = [
  col('trajectory_id', 'STRING', false, (r) => r.trajectory_id),
  col('step_index', 'INT32', false, (r) => r.step.index),
  col('started_at', 'TIMESTAMP', true, (r) => r.step.started_at ?? null),
  col('tool', 'STRING', true, (r) => r.step.action?.tool ?? null),
  col('action_json', 'STRING', true, (r) => json(r.step.action)),
  col('exit_code', 'INT32', true, (r) => r.step.observation?.exit_code ?? null),
  col('signal', 'STRING', true, (r) => r.step.observation?.signal ?? null),
  col('timed_out', 'BOOLEAN', true, (r) => r.step.observation?.timed_out ?? null),
  col('duration_ms', 'DOUBLE', true, (r) => r.step.observation?.duration_ms ?? null),
  col('session_restarted', 'BOOLEAN', true, (r) => r.step.observation?.session_restarted ?? null),
  col('disk_limit_reached', 'BOOLEAN', true, (r) => r.step.observation?.disk_limit_reached ?? null),
  col('pids_cleared', 'INT32', true, (r) => r.step.observation?.pids_cleared ?? null),
  col('disk_overshoot_bytes', 'INT64', true, (r) => r.step.observation?.disk_overshoot_bytes ?? null),
  col('duration_clock', 'STRING', true, (r) => r.step.observation?.duration_clock ?? null),
  col('tool_restarted', 'BOOLEAN', true, (r) => r.step.observation?.tool_restarted ?? null),
  ...streamColumns('stdout'),
  ...streamColumns('stderr'),
  col('shown', 'STRING', false, (r) => r.step.shown),
  col('cwd', 'STRING', true, (r) => r.step.state?.cwd ?? null),
  col('changes_json', 'STRING', true, (r) => json(r.step.state?.changes)),
  col('changes_truncated', 'BOOLEAN', true, (r) => r.step.state?.changes_truncated ?? null),
  col('changes_omitted', 'INT64', true, (r) => r.step.state?.changes_omitted ?? null),
  col('cwd_truncated', 'BOOLEAN', true, (r) => r.step.state?.cwd_truncated ?? null),
  col('outside_json', 'STRING', true, (r) => json(r.step.state?.outside)),
  col('outside_truncated', 'BOOLEAN', true, (r) => r.step.state?.outside_truncated ?? null),
  col('outside_omitted', 'INT64', true, (r) => r.step.state?.outside_omitted ?? null),
  col('state_probe', 'STRING', true, (r) => r.step.state?.probe ?? null),
  col('probe_ms', 'DOUBLE', true, (r) => r.step.state?.probe_ms ?? null),
  col('changes_pruned', 'INT64', true, (r) => r.step.state?.changes_pruned ?? null),
  col('probe_full_walks', 'INT32', true, (r) => r.step.state?.probe_full_walks ?? null),
  col('agent_ms', 'DOUBLE', true, (r) => r.step.timing?.agent_ms ?? null),
  col('action_ms', 'DOUBLE', true, (r) => r.step.timing?.action_ms ?? null),
  col('model_raw_text', 'STRING', true, (r) => r.step.model?.raw_text ?? null),
  col('model_format_error', 'STRING', true, (r) => r.step.model?.format_error ?? null),
  col('prompt_tokens', 'INT64', true, (r) => r.step.model?.usage?.prompt_tokens ?? null),
  col('completion_tokens', 'INT64', true, (r) => r.step.model?.usage?.completion_tokens ?? null),
  col('model_json', 'STRING', true, (r) => json(r.step.model)),
  col('tool_call_id', 'STRING', true, (r) => r.step.tool_call_id ?? null),
  col('failure_kind', 'STRING', true, (r) => r.step.failure?.kind ?? null),
  col('failure_code', 'STRING', true, (r) => r.step.failure?.code ?? null),
  col('failure_message', 'STRING', true, (r) => r.step.failure?.message ?? null),
];
