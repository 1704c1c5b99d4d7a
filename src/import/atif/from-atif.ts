import { basename, dirname } from 'node:path';
import { contentText, type MediaFound } from './content.js';
import { actionOfAtifCall } from './harbor-tools.js';
import { describeValue, ImportError, isArray, isObject, optionalNumber, optionalString, type Json } from '../errors.js';
import type { ImportedRecord, Turn } from '../record.js';
import type { AgentDescription } from '../../trajectory/schema.js';

/** The ATIF versions Harbor's models define (RFC 0001 and harbor.models.trajectories); a later one may hold fields forager would lose. */
export const ATIF_VERSIONS = ['ATIF-v1.0', 'ATIF-v1.1', 'ATIF-v1.2', 'ATIF-v1.3', 'ATIF-v1.4', 'ATIF-v1.5', 'ATIF-v1.6', 'ATIF-v1.7', 'ATIF-v1.8'] as const;

/**
 * An ATIF document as forager trajectories: the first system step before any agent step is
 * the agent's system prompt, the first user step before any the task, each agent step a turn (message, reasoning, tool calls,
 * the observation results it was shown, token usage). When forager wrote the document,
 * `extra.forager` carries back what ATIF has no field for, so nothing is lost both ways.
 * The task id is `extra.forager.header.task.id`, else `extra.task_id`/`instance_id`, else
 * the file's name (Harbor writes `<trial>/agent/trajectory.json`, and `trajectory.cont-1.json`,
 * `trajectory.summarization-1-summary.json`… beside it: the trial folder's name).
 * A v1.7 document's embedded `subagent_trajectories` are trajectories of their own, each
 * imported after its parent and naming it.
 */
export function importAtif(doc: Json, where: string, path: string, record?: number): ImportedRecord[] {
  const records: ImportedRecord[] = [];
  importDocument(doc, where, path, record, undefined, records);
  return records;
}

interface Parent {
  /** The parent's forager trajectory id, when the parent names itself (session or trajectory id). */
  id: string | undefined;
  taskId: string;
  /** Where in the parent this subagent sits, as a field path (`subagent_trajectories.0`). */
  field: string;
}

function importDocument(doc: Json, where: string, path: string, record: number | undefined, parent: Parent | undefined, out: ImportedRecord[]): void {
  const prefix = parent ? `${parent.field}.` : '';
  const fieldError = (name: string, expected: string, value: unknown) => new ImportError(`${where}: field "${prefix}${name}": expected ${expected}, found ${describeValue(value)}`);
  const version = doc['schema_version'];
  if (typeof version !== 'string' || !(ATIF_VERSIONS as readonly string[]).includes(version)) throw fieldError('schema_version', `one of ${ATIF_VERSIONS.join(', ')}`, version);
  // v1.7 made session_id optional (run-scoped, shared by a parent and its subagents) and added trajectory_id (one per document).
  const since17 = ATIF_VERSIONS.indexOf(version as (typeof ATIF_VERSIONS)[number]) >= ATIF_VERSIONS.indexOf('ATIF-v1.7');
  const sessionId = optionalNullable(doc, 'session_id', since17 ? 'a non-empty string or null' : 'a non-empty string', fieldError);
  if (!since17 && sessionId === undefined) throw fieldError('session_id', 'a non-empty string', doc['session_id']);
  const trajectoryId = optionalNullable(doc, 'trajectory_id', 'a non-empty string or null', fieldError);
  if (parent && trajectoryId === undefined) throw fieldError('trajectory_id', 'a non-empty string (every embedded subagent names itself)', doc['trajectory_id']);
  const agent = requireObject(doc, 'agent', 'an object with name and version', fieldError);
  const steps = doc['steps'];
  if (!isArray(steps)) throw fieldError('steps', 'an array of steps', steps);
  const extra = isObject(doc['extra']) ? doc['extra'] : {};
  const carried = isObject(extra['forager']) ? extra['forager'] : undefined;
  const header = carried && isObject(carried['header']) ? carried['header'] : undefined;
  const task = header && isObject(header['task']) ? header['task'] : undefined;
  const agentExtra = isObject(agent['extra']) ? agent['extra'] : {};
  const foragerAgent = isObject(agentExtra['forager_agent']) ? agentExtra['forager_agent'] : undefined;
  let system: string | undefined;
  let instruction: string | undefined;
  const turns: Turn[] = [];
  const media: MediaFound = { images: [], audio: [] };
  const found: Found = { refs: [], otherSteps: [], stepFields: [] };
  let copied = 0;
  steps.forEach((value, i) => {
    if (!isObject(value)) throw fieldError(`steps.${i}`, 'an object', value);
    const source = value['source'];
    if (source !== 'system' && source !== 'user' && source !== 'agent') throw fieldError(`steps.${i}.source`, '"system", "user" or "agent"', source);
    // v1.5: steps copied from an earlier trajectory as context are not this run's turns; counted, not taken.
    if (value['is_copied_context'] === true) {
      copied += 1;
      return;
    }
    const unmapped = unmappedFields(value, optionalString(agent['model_name']));
    if (unmapped) found.stepFields.push({ step: i, ...unmapped });
    if (source === 'agent') {
      turns.push(turnOf(value, where, prefix, i, media, found));
      return;
    }
    const text = contentText(value['message'], media, where, `${prefix}steps.${i}`, i, 'message');
    recordRefs(value, i, found, fieldError);
    // The prompt and the task come before the agent's first turn; a later user or system step
    // (a summarisation's handoff, a notice) is kept where it stood, not taken for either, nor dropped.
    if (source === 'system' && system === undefined && turns.length === 0) system = text;
    else if (source === 'user' && instruction === undefined && turns.length === 0) instruction = text;
    else found.otherSteps.push({ step: i, source, message: text, ...(observationText(value, where, `${prefix}steps.${i}`, i, media) ?? {}) });
  });
  const finalMetrics = isObject(doc['final_metrics']) ? doc['final_metrics'] : {};
  const cost = optionalNumber(finalMetrics['total_cost_usd']);
  const footer = carried && isObject(carried['footer']) ? carried['footer'] : undefined;
  const model = optionalString(agent['model_name']);
  const tools = isArray(agent['tool_definitions']) && agent['tool_definitions'].length > 0 ? agent['tool_definitions'] : undefined;
  const subagents = doc['subagent_trajectories'];
  if (subagents !== undefined && subagents !== null && !isArray(subagents)) throw fieldError('subagent_trajectories', 'an array of ATIF trajectories or null', subagents);
  const sourceExtra = {
    schema_version: version,
    ...(trajectoryId !== undefined ? { trajectory_id: trajectoryId } : {}),
    ...(sessionId !== undefined && trajectoryId !== undefined ? { session_id: sessionId } : {}),
    ...(parent?.id !== undefined ? { parent_trajectory_id: parent.id } : {}),
    ...(parent ? { parent_field: parent.field } : {}),
    ...(copied > 0 ? { copied_context_steps: copied } : {}),
    ...(optionalString(doc['continued_trajectory_ref']) ? { continued_trajectory_ref: doc['continued_trajectory_ref'] } : {}),
    ...(optionalString(doc['notes']) ? { notes: doc['notes'] } : {}),
    ...(media.images.length > 0 ? { images: media.images } : {}),
    ...(media.audio.length > 0 ? { audio: media.audio } : {}),
    ...(found.refs.length > 0 ? { subagent_refs: found.refs } : {}),
    ...(found.otherSteps.length > 0 ? { other_steps: found.otherSteps } : {}),
    ...(found.stepFields.length > 0 ? { step_fields: found.stepFields } : {}),
    ...(isArray(subagents) && subagents.length > 0 ? { subagent_trajectories: subagents.map((s) => (isObject(s) ? s['trajectory_id'] : null)) } : {}),
    // What the document holds beyond forager's own fields: the agent's and the run's extra, the totals forager has no place for.
    ...keptObject('agent_extra', agentExtra, ['forager_agent']),
    ...keptObject('extra', extra, ['forager']),
    ...keptObject('final_metrics', finalMetrics, ['total_prompt_tokens', 'total_completion_tokens', 'total_cost_usd']),
  };
  const taskId = parent?.taskId ?? optionalString(task?.['id']) ?? optionalString(extra['task_id']) ?? optionalString(extra['instance_id']) ?? taskIdFromPath(path);
  // The document's own id: trajectory_id (one per document since v1.7), else the run's session_id.
  const id = trajectoryId ?? sessionId;
  out.push({
    source: { kind: 'import', format: 'atif', path, ...(record !== undefined ? { record } : {}), extra: sourceExtra },
    ...(id !== undefined ? { id } : {}),
    taskId,
    instruction: instruction ?? '',
    // forager's own description when forager wrote the document (validated as the header is written).
    agent: (foragerAgent as AgentDescription | undefined) ?? {
      type: 'model',
      model: { name: String(agent['name'] ?? ''), version: String(agent['version'] ?? ''), ...(model ? { model } : {}) },
      ...(system !== undefined ? { system_prompt: system } : {}),
      ...(tools ? { tools } : {}),
    },
    turns,
    tokens: { prompt: optionalNumber(finalMetrics['total_prompt_tokens']), completion: optionalNumber(finalMetrics['total_completion_tokens']) },
    ...(cost !== undefined ? { costUsd: cost } : {}),
    ...(header ? { restoreHeader: header } : {}),
    ...(footer ? { restoreFooter: footer } : {}),
  });
  if (!isArray(subagents)) return;
  const seen = new Set<string>();
  subagents.forEach((sub, k) => {
    const field = `${prefix}subagent_trajectories.${k}`;
    if (!isObject(sub)) throw new ImportError(`${where}: field "${field}": expected an ATIF trajectory, found ${describeValue(sub)}`);
    const subId = sub['trajectory_id'];
    if (typeof subId === 'string' && seen.has(subId)) throw new ImportError(`${where}: field "${field}.trajectory_id": expected an id unique among subagent_trajectories, found ${describeValue(subId)} twice`);
    if (typeof subId === 'string') seen.add(subId);
    // A parent naming itself by neither id is still named by the file and `parent_field`.
    importDocument(sub, where, path, record, { id, taskId, field }, out);
  });
}

/** What a document holds that is not a turn, gathered as the steps are read. */
interface Found {
  refs: Json[];
  otherSteps: Json[];
  stepFields: Json[];
}

/** The parts of a step forager maps to its own fields; anything else a step holds is kept as it is. */
const MAPPED_STEP = new Set(['step_id', 'timestamp', 'source', 'message', 'reasoning_content', 'tool_calls', 'observation', 'metrics', 'is_copied_context']);
const MAPPED_METRICS = new Set(['prompt_tokens', 'completion_tokens', 'cached_tokens', 'cost_usd']);
const MAPPED_CALL = new Set(['tool_call_id', 'function_name', 'arguments']);
const MAPPED_RESULT = new Set(['source_call_id', 'content', 'subagent_trajectory_ref']);

/**
 * What a step holds that forager has no field for, by the source's own names: its `extra`
 * (unless forager's own), a step's `model_name` when it differs from the agent's,
 * `reasoning_effort`, `llm_call_count` (v1.7), metrics beyond the token counts and cost
 * (token ids, logprobs, `extra`), and each tool call's and result's other fields (their
 * `extra`), at the index they stood. Undefined when there is nothing.
 */
function unmappedFields(step: Json, agentModel: string | undefined): Json | undefined {
  const kept: Json = {};
  for (const [key, value] of Object.entries(step)) {
    if (MAPPED_STEP.has(key) || value === null || value === undefined) continue;
    if (key === 'extra' && isObject(value) && isObject(value['forager'])) continue;
    if (key === 'model_name' && value === agentModel) continue;
    kept[key] = value;
  }
  const rest = (value: unknown, mapped: Set<string>): Json | undefined => {
    if (!isObject(value)) return undefined;
    const left = Object.entries(value).filter(([key, v]) => !mapped.has(key) && v !== null && v !== undefined);
    return left.length > 0 ? Object.fromEntries(left) : undefined;
  };
  const metrics = rest(step['metrics'], MAPPED_METRICS);
  if (metrics) kept['metrics'] = metrics;
  const perItem = (list: unknown, mapped: Set<string>): Json | undefined => {
    if (!isArray(list)) return undefined;
    const items = list.map((item, k) => [String(k), rest(item, mapped)] as const).filter(([, v]) => v !== undefined);
    return items.length > 0 ? Object.fromEntries(items) : undefined;
  };
  const calls = perItem(step['tool_calls'], MAPPED_CALL);
  if (calls) kept['tool_calls'] = calls;
  const results = perItem(isObject(step['observation']) ? step['observation']['results'] : undefined, MAPPED_RESULT);
  if (results) kept['observation_results'] = results;
  return Object.keys(kept).length > 0 ? kept : undefined;
}

type FieldError = (name: string, expected: string, value: unknown) => ImportError;

/** `{name: the object without the keys forager maps}`, or nothing when that leaves nothing. */
function keptObject(name: string, value: Json, mapped: string[]): Json {
  const left = Object.entries(value).filter(([key, v]) => !mapped.includes(key) && v !== null && v !== undefined);
  return left.length > 0 ? { [name]: Object.fromEntries(left) } : {};
}

function optionalNullable(doc: Json, name: string, expected: string, fieldError: FieldError): string | undefined {
  const value = doc[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw fieldError(name, expected, value);
  return value;
}

function requireObject(doc: Json, name: string, expected: string, fieldError: FieldError): Json {
  const value = doc[name];
  if (!isObject(value)) throw fieldError(name, expected, value);
  return value;
}

/**
 * The subagent references of a step's results (v1.5 `session_id` + `trajectory_path`, v1.7
 * `trajectory_id`), kept as they are with where they stood: forager imports the trajectory
 * files they name on their own, and embedded ones as the document's subagents.
 */
function recordRefs(step: Json, i: number, found: Found, fieldError: FieldError): void {
  const observation = isObject(step['observation']) ? step['observation'] : {};
  const results = isArray(observation['results']) ? observation['results'] : [];
  results.forEach((result, k) => {
    if (!isObject(result)) return;
    const refs = result['subagent_trajectory_ref'];
    if (refs === undefined || refs === null) return;
    if (!isArray(refs)) throw fieldError(`steps.${i}.observation.results.${k}.subagent_trajectory_ref`, 'an array of subagent references or null', refs);
    refs.forEach((ref, r) => {
      if (!isObject(ref)) throw fieldError(`steps.${i}.observation.results.${k}.subagent_trajectory_ref.${r}`, '{session_id, trajectory_id, trajectory_path}', ref);
      found.refs.push({ step: i, result: k, ...ref });
    });
  });
}

/** The results of a user or system step (a summarisation's notice, say), as text, when it has any. */
function observationText(step: Json, where: string, at: string, i: number, media: MediaFound): { observation: string } | undefined {
  const observation = isObject(step['observation']) ? step['observation'] : undefined;
  const results = observation && isArray(observation['results']) ? observation['results'].filter(isObject) : [];
  const texts = results.map((r, k) => contentText(r['content'], media, where, at, i, `observation.results.${k}.content`)).filter((t) => t !== '');
  return texts.length > 0 ? { observation: texts.join('\n\n') } : undefined;
}

function turnOf(step: Json, where: string, prefix: string, i: number, media: MediaFound, found: Found): Turn {
  const at = `${prefix}steps.${i}`;
  const extra = isObject(step['extra']) ? step['extra'] : {};
  const carried = isObject(extra['forager']) ? extra['forager'] : undefined;
  const rawCalls = step['tool_calls'] ?? [];
  if (!isArray(rawCalls)) throw new ImportError(`${where}: field "${at}.tool_calls": expected an array of tool calls or null, found ${describeValue(rawCalls)}`);
  const calls = rawCalls.map((call, k) => {
    if (!isObject(call) || typeof call['function_name'] !== 'string') {
      throw new ImportError(`${where}: field "${at}.tool_calls.${k}": expected {tool_call_id, function_name, arguments}, found ${describeValue(call)}`);
    }
    const rawArgs = call['arguments'] ?? {};
    if (!isObject(rawArgs)) throw new ImportError(`${where}: field "${at}.tool_calls.${k}.arguments": expected an object, found ${describeValue(rawArgs)}`);
    return { id: typeof call['tool_call_id'] === 'string' ? call['tool_call_id'] : `call_${i}_${k}`, name: call['function_name'], arguments: JSON.stringify(rawArgs), args: rawArgs };
  });
  const observation = step['observation'] ?? {};
  if (!isObject(observation)) throw new ImportError(`${where}: field "${at}.observation": expected {results} or null, found ${describeValue(observation)}`);
  const results = observation['results'] ?? [];
  if (!isArray(results)) throw new ImportError(`${where}: field "${at}.observation.results": expected an array, found ${describeValue(results)}`);
  results.forEach((r, k) => {
    if (!isObject(r)) throw new ImportError(`${where}: field "${at}.observation.results.${k}": expected {source_call_id, content}, found ${describeValue(r)}`);
  });
  const texts = (results as Json[]).map((r, k) => contentText(r['content'], media, where, at, i, `observation.results.${k}.content`));
  recordRefs(step, i, found, (name, expected, value) => new ImportError(`${where}: field "${prefix}${name}": expected ${expected}, found ${describeValue(value)}`));
  const metrics = isObject(step['metrics']) ? step['metrics'] : {};
  const prompt = optionalNumber(metrics['prompt_tokens']);
  const completion = optionalNumber(metrics['completion_tokens']);
  const text = contentText(step['message'], media, where, at, i, 'message');
  // Forager's own documents carry one action per step and its whole observation: restored as they were.
  const split = carried === undefined && calls.length > 1;
  const shownOf = (callIndex: number): string => {
    if (!split) return texts.join('\n\n');
    const id = calls[callIndex]!.id;
    const ids = (results as Json[]).map((r) => r['source_call_id']);
    // Results naming no call (terminus-2 shows the terminal once, after the batch) go to the batch's last call.
    const last = callIndex === calls.length - 1;
    return texts.filter((_, k) => ids[k] === id || (last && !calls.some((c) => c.id === ids[k]))).join('\n\n');
  };
  const first = calls[0];
  const turn: Turn = { text, action: first ? actionOfAtifCall(first.name, first.args) : null, shown: shownOf(0) };
  // A call forager synthesised from its action when no model call was recorded is not a recorded call.
  if (calls.length > 0 && carried?.['synthesised_call'] !== true) turn.calls = calls.map(({ id, name, arguments: a }) => ({ id, name, arguments: a }));
  if (first && carried === undefined) turn.toolCallId = first.id;
  if (split) {
    turn.more = calls.slice(1).map((call, k) => ({ action: actionOfAtifCall(call.name, call.args), shown: shownOf(k + 1), toolCallId: call.id }));
  }
  if (typeof step['reasoning_content'] === 'string' && step['reasoning_content'] !== '') turn.reasoning = step['reasoning_content'];
  if (typeof step['timestamp'] === 'string') turn.timestamp = step['timestamp'];
  // ATIF's prompt_tokens count the cached ones too, as forager's do.
  const cached = optionalNumber(metrics['cached_tokens']);
  if (prompt !== undefined && completion !== undefined) turn.usage = { prompt_tokens: prompt, completion_tokens: completion, ...(cached !== undefined ? { cache_read_tokens: cached } : {}) };
  const cost = optionalNumber(metrics['cost_usd']);
  if (cost !== undefined) turn.costUsd = cost;
  if (carried) {
    const { synthesised_call: _s, ...restore } = carried;
    turn.restore = restore;
  }
  return turn;
}

function taskIdFromPath(path: string): string {
  const name = basename(path).replace(/\.json$/, '');
  // Harbor's trajectory.json and the files beside it (trajectory.cont-1.json, trajectory.summarization-1-summary.json…).
  if (name !== 'trajectory' && !name.startsWith('trajectory.')) return name;
  const parent = basename(dirname(path));
  return parent === 'agent' ? basename(dirname(dirname(path))) : parent;
}
