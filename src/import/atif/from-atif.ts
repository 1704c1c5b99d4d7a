import { basename, dirname } from 'node:path';
import { textOf } from '../read-input.js';
import { actionOfAtifCall } from './harbor-tools.js';
import { describeValue, ImportError, isArray, isObject, optionalNumber, optionalString, requireField, type Json } from '../errors.js';
import type { ImportedRecord, Turn } from '../record.js';
import type { AgentDescription } from '../../trajectory/schema.js';

/**
 * An ATIF document as a forager trajectory: the system step is the agent's system prompt,
 * the first user step the task, each agent step a turn (message, reasoning, tool calls,
 * the observation results it was shown, token usage). When forager wrote the document,
 * `extra.forager` carries back what ATIF has no field for, so nothing is lost both ways.
 * The task id is `extra.forager.header.task.id`, else `extra.task_id`/`instance_id`, else
 * the file's name (Harbor writes `<trial>/agent/trajectory.json`: the trial folder's name).
 */
export function importAtif(doc: Json, where: string, path: string, record?: number): ImportedRecord {
  const version = requireField(where, doc, 'schema_version', (v): v is string => typeof v === 'string' && /^ATIF-v1\.\d+$/.test(v), 'an ATIF version such as "ATIF-v1.4"');
  const sessionId = requireField(where, doc, 'session_id', (v): v is string => typeof v === 'string' && v !== '', 'a non-empty string');
  const agent = requireField(where, doc, 'agent', isObject, 'an object with name and version');
  const steps = requireField(where, doc, 'steps', isArray, 'an array of steps');
  const extra = isObject(doc['extra']) ? doc['extra'] : {};
  const carried = isObject(extra['forager']) ? extra['forager'] : undefined;
  const header = carried && isObject(carried['header']) ? carried['header'] : undefined;
  const task = header && isObject(header['task']) ? header['task'] : undefined;
  const agentExtra = isObject(agent['extra']) ? agent['extra'] : {};
  const foragerAgent = isObject(agentExtra['forager_agent']) ? agentExtra['forager_agent'] : undefined;
  let system: string | undefined;
  let instruction: string | undefined;
  const turns: Turn[] = [];
  const images: ImageRecord[] = [];
  let copied = 0;
  steps.forEach((value, i) => {
    if (!isObject(value)) throw new ImportError(`${where}: field "steps.${i}": expected an object, found ${describeValue(value)}`);
    const source = value['source'];
    if (source !== 'system' && source !== 'user' && source !== 'agent') throw new ImportError(`${where}: field "steps.${i}.source": expected "system", "user" or "agent", found ${describeValue(source)}`);
    // v1.5: steps copied from an earlier trajectory as context are not this run's turns; counted, not taken.
    if (value['is_copied_context'] === true) {
      copied += 1;
      return;
    }
    if (source === 'system') system ??= contentText(value['message'], images, i, 'message');
    else if (source === 'user') instruction ??= contentText(value['message'], images, i, 'message');
    else turns.push(turnOf(value, where, i, images));
  });
  const finalMetrics = isObject(doc['final_metrics']) ? doc['final_metrics'] : {};
  const cost = optionalNumber(finalMetrics['total_cost_usd']);
  const footer = carried && isObject(carried['footer']) ? carried['footer'] : undefined;
  const model = optionalString(agent['model_name']);
  const tools = isArray(agent['tool_definitions']) && agent['tool_definitions'].length > 0 ? agent['tool_definitions'] : undefined;
  const sourceExtra = {
    schema_version: version,
    ...(copied > 0 ? { copied_context_steps: copied } : {}),
    ...(optionalString(doc['continued_trajectory_ref']) ? { continued_trajectory_ref: doc['continued_trajectory_ref'] } : {}),
    ...(images.length > 0 ? { images } : {}),
  };
  return {
    source: { kind: 'import', format: 'atif', path, ...(record !== undefined ? { record } : {}), extra: sourceExtra },
    id: sessionId,
    taskId: optionalString(task?.['id']) ?? optionalString(extra['task_id']) ?? optionalString(extra['instance_id']) ?? taskIdFromPath(path),
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
  };
}

function turnOf(step: Json, where: string, i: number, images: ImageRecord[]): Turn {
  const extra = isObject(step['extra']) ? step['extra'] : {};
  const carried = isObject(extra['forager']) ? extra['forager'] : undefined;
  const rawCalls = isArray(step['tool_calls']) ? step['tool_calls'] : [];
  const calls = rawCalls.map((call, k) => {
    if (!isObject(call) || typeof call['function_name'] !== 'string') {
      throw new ImportError(`${where}: field "steps.${i}.tool_calls.${k}": expected {tool_call_id, function_name, arguments}`);
    }
    const args = isObject(call['arguments']) ? call['arguments'] : {};
    return { id: typeof call['tool_call_id'] === 'string' ? call['tool_call_id'] : `call_${i}_${k}`, name: call['function_name'], arguments: JSON.stringify(args), args };
  });
  const observation = isObject(step['observation']) ? step['observation'] : {};
  const results = isArray(observation['results']) ? observation['results'].filter(isObject) : [];
  const metrics = isObject(step['metrics']) ? step['metrics'] : {};
  const prompt = optionalNumber(metrics['prompt_tokens']);
  const completion = optionalNumber(metrics['completion_tokens']);
  const text = contentText(step['message'], images, i, 'message');
  const resultText = (r: Json, k: number) => contentText(r['content'], images, i, `observation.results.${k}`);
  // Forager's own documents carry one action per step and its whole observation: restored as they were.
  const split = carried === undefined && calls.length > 1;
  const shownOf = (callIndex: number): string => {
    if (!split) return results.map(resultText).join('\n\n');
    const id = calls[callIndex]!.id;
    const own = results.map((r, k) => ({ r, k })).filter(({ r }) => r['source_call_id'] === id);
    // Results naming no call (terminus-2 shows the terminal once, after the batch) go to the batch's last call.
    const loose = callIndex === calls.length - 1 ? results.map((r, k) => ({ r, k })).filter(({ r }) => !calls.some((c) => c.id === r['source_call_id'])) : [];
    return [...own, ...loose].map(({ r, k }) => resultText(r, k)).join('\n\n');
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
  if (prompt !== undefined && completion !== undefined) turn.usage = { prompt_tokens: prompt, completion_tokens: completion };
  const cost = optionalNumber(metrics['cost_usd']);
  if (cost !== undefined) turn.costUsd = cost;
  if (carried) {
    const { synthesised_call: _s, ...restore } = carried;
    turn.restore = restore;
  }
  return turn;
}

/** An image an ATIF document holds (v1.6 content parts): where, and its source; forager keeps the text, and lists these. */
export interface ImageRecord {
  step: number;
  field: string;
  media_type?: string;
  path?: string;
}

/** A message or result's text: a string, or the text parts of a v1.6 content-part list (its images recorded, not dropped). */
function contentText(content: unknown, images: ImageRecord[], step: number, field: string): string {
  if (typeof content === 'string') return content;
  if (!isArray(content)) return '';
  for (const part of content.filter(isObject)) {
    if (part['type'] !== 'image') continue;
    const source = isObject(part['source']) ? part['source'] : {};
    images.push({ step, field, ...(typeof source['media_type'] === 'string' ? { media_type: source['media_type'] } : {}), ...(typeof source['path'] === 'string' ? { path: source['path'] } : {}) });
  }
  return textOf(content.filter((p) => !isObject(p) || p['type'] !== 'image'));
}

function taskIdFromPath(path: string): string {
  const name = basename(path).replace(/\.json$/, '');
  if (name !== 'trajectory') return name;
  const parent = basename(dirname(path));
  return parent === 'agent' ? basename(dirname(dirname(path))) : parent;
}
