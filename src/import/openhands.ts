import { actionOfCall, parseArguments } from './actions.js';
import { isArray, isObject, optionalNumber, optionalString, requireField, type Json } from './errors.js';
import type { ImportedRecord, Turn } from './record.js';
import type { Action } from '../trajectory/schema.js';

/**
 * One line of an OpenHands evaluation `output.jsonl` (evaluation/benchmarks/swe_bench):
 * instance_id, instruction, instance (the SWE-bench record), metadata (agent_class,
 * llm_config.model), history (events: actions with `action`/`args`/`tool_call_metadata`,
 * observations with `observation`/`content`/`extras` and `cause` = the action's id),
 * test_result (git_patch, report.resolved when evaluated) and metrics.
 */
export function importOpenHands(line: Json, where: string, path: string, record?: number): ImportedRecord {
  const instanceId = requireField(where, line, 'instance_id', (v): v is string => typeof v === 'string' && v !== '', 'a non-empty string');
  const history = requireField(where, line, 'history', isArray, 'an array of events');
  const events = history.filter(isObject);
  const observations = new Map<unknown, Json>();
  for (const event of events) if (typeof event['observation'] === 'string' && event['cause'] !== undefined) observations.set(event['cause'], event);
  const instance = isObject(line['instance']) ? line['instance'] : {};
  const metadata = isObject(line['metadata']) ? line['metadata'] : {};
  const llm = isObject(metadata['llm_config']) ? metadata['llm_config'] : {};
  const testResult = isObject(line['test_result']) ? line['test_result'] : {};
  const report = isObject(testResult['report']) ? testResult['report'] : {};
  const system = events.find((e) => e['action'] === 'system');
  const firstUser = events.find((e) => e['source'] === 'user' && e['action'] === 'message');
  const turns: Turn[] = [];
  for (const event of events) {
    if (event['source'] !== 'agent' || typeof event['action'] !== 'string' || event['action'] === 'system') continue;
    turns.push(turnOf(event, observations.get(event['id'])));
  }
  const metrics = isObject(line['metrics']) ? line['metrics'] : {};
  const usage = isObject(metrics['accumulated_token_usage']) ? metrics['accumulated_token_usage'] : {};
  const cost = optionalNumber(metrics['accumulated_cost']);
  const resolved = typeof report['resolved'] === 'boolean' ? report['resolved'] : typeof line['resolved'] === 'boolean' ? line['resolved'] : undefined;
  const error = optionalString(line['error']);
  const patch = optionalString(testResult['git_patch']);
  const spec: Json = {};
  for (const key of ['base_commit', 'problem_statement', 'version', 'environment_setup_commit']) if (typeof instance[key] === 'string') spec[key] = instance[key];
  return {
    source: { kind: 'import', format: 'openhands', path, ...(record !== undefined ? { record } : {}), ...(error ? { extra: { error } } : {}) },
    taskId: instanceId,
    instruction: optionalString(line['instruction']) ?? optionalString(instance['problem_statement']) ?? (firstUser ? String(firstUser['message'] ?? '') : ''),
    ...(optionalString(instance['repo']) ? { repo: instance['repo'] as string } : {}),
    spec,
    agent: {
      type: 'model',
      model: {
        name: 'openhands',
        ...(optionalString(metadata['agent_class']) ? { agent_class: metadata['agent_class'] } : {}),
        ...(optionalString(llm['model']) ? { model: llm['model'] as string } : {}),
      },
      ...(system && isObject(system['args']) && typeof system['args']['content'] === 'string' ? { system_prompt: system['args']['content'] } : {}),
    },
    ...(optionalString(events[0]?.['timestamp']) ? { startedAt: events[0]!['timestamp'] as string } : {}),
    turns,
    ...(turns.at(-1)?.action?.tool === 'submit' ? { exitStatus: 'submitted' as const } : {}),
    ...(patch !== undefined ? { patch } : {}),
    ...(resolved !== undefined ? { resolved } : {}),
    tokens: { prompt: optionalNumber(usage['prompt_tokens']), completion: optionalNumber(usage['completion_tokens']) },
    ...(cost !== undefined ? { costUsd: cost } : {}),
  };
}

function turnOf(event: Json, observation: Json | undefined): Turn {
  const args = isObject(event['args']) ? event['args'] : {};
  const meta = isObject(event['tool_call_metadata']) ? event['tool_call_metadata'] : undefined;
  const response = meta && isObject(meta['model_response']) ? meta['model_response'] : {};
  const choice = isArray(response['choices']) && isObject(response['choices'][0]) ? response['choices'][0] : {};
  const message = isObject(choice['message']) ? choice['message'] : {};
  const action = actionOfEvent(String(event['action']), args, meta);
  const turn: Turn = {
    text: optionalString(message['content']) ?? optionalString(args['thought']) ?? (event['action'] === 'message' ? String(args['content'] ?? event['message'] ?? '') : ''),
    action,
    shown: observation ? String(observation['content'] ?? '') : '',
  };
  if (meta && typeof meta['function_name'] === 'string' && typeof meta['tool_call_id'] === 'string') {
    const recorded = isArray(message['tool_calls']) ? message['tool_calls'].filter(isObject).find((c) => c['id'] === meta['tool_call_id']) : undefined;
    const fn = recorded && isObject(recorded['function']) ? recorded['function'] : {};
    turn.calls = [{ id: meta['tool_call_id'], name: meta['function_name'], arguments: typeof fn['arguments'] === 'string' ? fn['arguments'] : JSON.stringify(args) }];
  }
  const extras = observation && isObject(observation['extras']) ? observation['extras'] : {};
  const obsMeta = isObject(extras['metadata']) ? extras['metadata'] : {};
  const exitCode = optionalNumber(obsMeta['exit_code']) ?? optionalNumber(extras['exit_code']);
  // -1 is OpenHands' "no exit code" (a command still running or timed out): left absent.
  if (action?.tool === 'bash' && exitCode !== undefined && exitCode >= 0) turn.exitCode = exitCode;
  const timestamp = optionalString(event['timestamp']);
  if (timestamp) turn.timestamp = timestamp;
  const usage = isObject(response['usage']) ? response['usage'] : undefined;
  const prompt = usage ? optionalNumber(usage['prompt_tokens']) : undefined;
  const completion = usage ? optionalNumber(usage['completion_tokens']) : undefined;
  if (prompt !== undefined && completion !== undefined) turn.usage = { prompt_tokens: prompt, completion_tokens: completion };
  return turn;
}

/** OpenHands' action kinds: run, edit (the str_replace editor), read, finish; others have no forager action. */
function actionOfEvent(kind: string, args: Json, meta: Json | undefined): Action | null {
  if (kind === 'run') return typeof args['command'] === 'string' ? { tool: 'bash', command: args['command'] } : null;
  if (kind === 'read') return actionOfCall('read', args);
  if (kind === 'edit') return actionOfCall('str_replace_editor', { ...args, ...(args['command'] === undefined && typeof args['file_text'] === 'string' ? { command: 'create' } : {}) });
  if (kind === 'finish') return { tool: 'submit', ...(typeof args['final_thought'] === 'string' && args['final_thought'] !== '' ? { result: args['final_thought'] } : {}) };
  if (meta && typeof meta['function_name'] === 'string') return actionOfCall(meta['function_name'], parseArguments(args));
  return null;
}
