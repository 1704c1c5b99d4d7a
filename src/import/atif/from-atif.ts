import { basename, dirname } from 'node:path';
import { actionOfCall } from '../actions.js';
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
  steps.forEach((value, i) => {
    if (!isObject(value)) throw new ImportError(`${where}: field "steps.${i}": expected an object, found ${describeValue(value)}`);
    const source = value['source'];
    const message = typeof value['message'] === 'string' ? value['message'] : '';
    if (source === 'system') system ??= message;
    else if (source === 'user') instruction ??= message;
    else if (source === 'agent') turns.push(turnOf(value, where, i));
    else throw new ImportError(`${where}: field "steps.${i}.source": expected "system", "user" or "agent", found ${describeValue(source)}`);
  });
  const finalMetrics = isObject(doc['final_metrics']) ? doc['final_metrics'] : {};
  const cost = optionalNumber(finalMetrics['total_cost_usd']);
  const footer = carried && isObject(carried['footer']) ? carried['footer'] : undefined;
  const model = optionalString(agent['model_name']);
  return {
    source: { kind: 'import', format: 'atif', path, ...(record !== undefined ? { record } : {}), extra: { schema_version: version } },
    id: sessionId,
    taskId: optionalString(task?.['id']) ?? optionalString(extra['task_id']) ?? optionalString(extra['instance_id']) ?? taskIdFromPath(path),
    instruction: instruction ?? '',
    // forager's own description when forager wrote the document (validated as the header is written).
    agent: (foragerAgent as AgentDescription | undefined) ?? {
      type: 'model',
      model: { name: String(agent['name'] ?? ''), version: String(agent['version'] ?? ''), ...(model ? { model } : {}) },
      ...(system !== undefined ? { system_prompt: system } : {}),
    },
    turns,
    tokens: { prompt: optionalNumber(finalMetrics['total_prompt_tokens']), completion: optionalNumber(finalMetrics['total_completion_tokens']) },
    ...(cost !== undefined ? { costUsd: cost } : {}),
    ...(header ? { restoreHeader: header } : {}),
    ...(footer ? { restoreFooter: footer } : {}),
  };
}

function turnOf(step: Json, where: string, i: number): Turn {
  const extra = isObject(step['extra']) ? step['extra'] : {};
  const carried = isObject(extra['forager']) ? extra['forager'] : undefined;
  const rawCalls = isArray(step['tool_calls']) ? step['tool_calls'] : [];
  const calls = rawCalls.map((call, k) => {
    if (!isObject(call) || typeof call['tool_call_id'] !== 'string' || typeof call['function_name'] !== 'string' || !isObject(call['arguments'])) {
      throw new ImportError(`${where}: field "steps.${i}.tool_calls.${k}": expected {tool_call_id, function_name, arguments: object}`);
    }
    return { id: call['tool_call_id'], name: call['function_name'], arguments: JSON.stringify(call['arguments']), args: call['arguments'] };
  });
  const observation = isObject(step['observation']) ? step['observation'] : {};
  const results = isArray(observation['results']) ? observation['results'].filter(isObject) : [];
  const metrics = isObject(step['metrics']) ? step['metrics'] : {};
  const prompt = optionalNumber(metrics['prompt_tokens']);
  const completion = optionalNumber(metrics['completion_tokens']);
  const first = calls[0];
  const turn: Turn = {
    text: typeof step['message'] === 'string' ? step['message'] : '',
    action: first ? actionOfCall(first.name, first.args) : null,
    shown: results.map((r) => (typeof r['content'] === 'string' ? r['content'] : '')).join('\n\n'),
  };
  // A call forager synthesised from its action when no model call was recorded is not a recorded call.
  if (calls.length > 0 && carried?.['synthesised_call'] !== true) turn.calls = calls.map(({ id, name, arguments: a }) => ({ id, name, arguments: a }));
  if (typeof step['reasoning_content'] === 'string') turn.reasoning = step['reasoning_content'];
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

function taskIdFromPath(path: string): string {
  const name = basename(path).replace(/\.json$/, '');
  if (name !== 'trajectory') return name;
  const parent = basename(dirname(path));
  return parent === 'agent' ? basename(dirname(dirname(path))) : parent;
}
