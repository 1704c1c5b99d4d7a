import type { DatasetTrajectory as Trajectory } from '../../../trajectory/dataset-reader.js';
import type { ChatMessage, ChatRecord } from '../chat.js';
import { STEP_COLUMNS, TRAJECTORY_COLUMNS, type Column, type StepRow } from '../parquet-columns.js';
import { scalarField, type Field } from './fields.js';
import type { HfColumn } from './sharded-table.js';

/** Columns of free text: unique per row, so neither dictionaries nor min/max statistics pay. */
const LONG_TEXT = /^(instruction|submission|model_patch|failure_message|shown|model_raw_text|(std(out|err)_(text|tail))|.*_json|messages(_cwm)?)$/;

/**
 * Min/max statistics are kept where readers filter: in the trajectory table on every number,
 * boolean and time and on ids, names and outcomes; in the (much longer) step table on the
 * columns that find steps (trajectory, index, tool, outcome). Elsewhere they cost time per
 * value and help no reader.
 */
const KEY_TEXT = new Set(['trajectory_id', 'run_id', 'instance_id', 'task_hash', 'repo', 'model', 'exit_status', 'failure_kind', 'failure_code', 'source_format']);
const STEP_KEYS = new Set(['trajectory_id', 'step_index', 'started_at', 'tool', 'exit_code', 'timed_out', 'duration_ms', 'failure_kind']);

const fromColumn = <T>(column: Column<T>, statistics: boolean): HfColumn<T> => ({
  field: scalarField(column.name, column.type, column.nullable),
  get: column.get,
  longText: LONG_TEXT.test(column.name),
  statistics,
});

/** Config `trajectories`: one row per trajectory, the columns of the `parquet` format plus where it came from. */
export const HF_TRAJECTORY_COLUMNS: HfColumn<Trajectory>[] = [
  ...TRAJECTORY_COLUMNS.map((c) => fromColumn(c, c.type !== 'STRING' || KEY_TEXT.has(c.name))),
  { field: { name: 'source_format', nullable: true, type: 'string' }, get: (t) => ('source' in t.header ? t.header.source.format : null), statistics: true },
];

/** Config `steps`: one row per step, joined on `trajectory_id`. */
export const HF_STEP_COLUMNS: HfColumn<StepRow>[] = STEP_COLUMNS.map((c) => fromColumn(c, STEP_KEYS.has(c.name)));

/** The row of config `chat`: one conversation in both tool formats. */
export interface ChatRow {
  openai: ChatRecord;
  cwm: ChatRecord;
}

const str = (name: string, nullable = true): Field => ({ name, nullable, type: 'string' });

const TOOL_CALL: Field[] = [str('id', false), str('type', false), { name: 'function', nullable: false, struct: [str('name', false), str('arguments', false)] }];

/** An OpenAI-style message as a struct; absent keys are null, as `datasets` stores a list of dicts with differing keys. */
const OPENAI_MESSAGE: Field[] = [
  str('role', false), str('content'),
  { name: 'tool_calls', nullable: true, list: TOOL_CALL },
  str('tool_call_id'), str('name'), str('reasoning_content'),
  { name: 'train', nullable: false, type: 'bool' }, { name: 'loss_mask', nullable: false, type: 'int32' },
];
const CWM_MESSAGE: Field[] = [str('role', false), str('content'), { name: 'train', nullable: false, type: 'bool' }, { name: 'loss_mask', nullable: false, type: 'int32' }];

// Messages go to the writer as they are: a key a message lacks is written as null, a key the struct lacks is not written.
const messages = (list: ChatMessage[]) => list;

const TOOLS_JSON = new WeakMap<unknown[], string>();

/** The tools as JSON, made once per tools list: most conversations share the default list, and one string is also one dictionary entry. */
function toolsJson(tools: unknown[] | undefined): string {
  if (!tools) return '[]';
  let json = TOOLS_JSON.get(tools);
  if (json === undefined) {
    json = JSON.stringify(tools);
    TOOLS_JSON.set(tools, json);
  }
  return json;
}

/**
 * Config `chat`: the fields public SFT sets carry, `messages` in OpenAI's format (with
 * `tools` as a JSON string, as those sets store it) and `messages_cwm` in CWM's.
 */
export const HF_CHAT_COLUMNS: HfColumn<ChatRow>[] = [
  { field: str('instance_id', false), get: (r) => r.openai.instance_id, statistics: true },
  { field: str('trajectory_id', false), get: (r) => r.openai.trajectory_id, statistics: true },
  { field: str('run_id', false), get: (r) => r.openai.run_id, statistics: true },
  { field: str('repo', false), get: (r) => r.openai.repo, statistics: true },
  { field: str('model'), get: (r) => r.openai.model, statistics: true },
  { field: str('exit_status'), get: (r) => r.openai.exit_status, statistics: true },
  { field: str('failure_kind'), get: (r) => r.openai.failure_kind, statistics: true },
  { field: { name: 'resolved', nullable: true, type: 'bool' }, get: (r) => r.openai.resolved, statistics: true },
  { field: { name: 'reward', nullable: true, type: 'float64' }, get: (r) => r.openai.reward, statistics: true },
  { field: str('model_patch'), get: (r) => r.openai.model_patch, longText: true },
  { field: { name: 'steps', nullable: false, type: 'int32' }, get: (r) => r.openai.steps, statistics: true },
  { field: { name: 'tokens', nullable: true, type: 'int64' }, get: (r) => r.openai.tokens, statistics: true },
  { field: { name: 'messages', nullable: false, list: OPENAI_MESSAGE }, get: (r) => messages(r.openai.messages), longText: true },
  { field: str('tools', false), get: (r) => toolsJson(r.openai.tools) },
  { field: { name: 'messages_cwm', nullable: false, list: CWM_MESSAGE }, get: (r) => messages(r.cwm.messages), longText: true },
];
