import { actionOfCall, parseArguments } from './actions.js';
import { isArray, isObject, optionalNumber, optionalString, requireField, type Json } from './errors.js';
import type { ImportedRecord, Turn } from './record.js';
import type { Action } from '../trajectory/schema.js';

/**
 * One line of an OpenHands `output.jsonl`, in either of its layouts:
 * - evaluation (evaluation/benchmarks/*: run_infer.py `EvalOutput`): instance_id,
 *   instruction, instance (the SWE-bench record), metadata (agent_class, llm_config.model),
 *   history (events: actions with `id`/`action`/`args`/`tool_call_metadata`, observations
 *   with `observation`/`content`/`extras` and `cause` = the action's id), test_result
 *   (git_patch, report.resolved when evaluated) and metrics;
 * - resolver (openhands/resolver: `ResolverOutput`): issue {owner, repo, number, title,
 *   body}, instruction, base_commit, git_patch, history as alternating action and
 *   observation dicts (no ids: an observation answers the action before it), success.
 * An `error` observation no action caused is a refused turn (OpenHands rejected the call):
 * a step with no action, the error as what the model was shown.
 */
export function importOpenHands(line: Json, where: string, path: string, record?: number): ImportedRecord {
  const history = requireField(where, line, 'history', isArray, 'an array of events');
  const events = history.filter(isObject);
  if (line['instance_id'] === undefined && isObject(line['issue'])) return resolverRecord(line, events, where, path, record);
  const instanceId = requireField(where, line, 'instance_id', (v): v is string => typeof v === 'string' && v !== '', 'a non-empty string');
  const instance = isObject(line['instance']) ? line['instance'] : {};
  const metadata = isObject(line['metadata']) ? line['metadata'] : {};
  const llm = isObject(metadata['llm_config']) ? metadata['llm_config'] : {};
  const testResult = isObject(line['test_result']) ? line['test_result'] : {};
  const report = isObject(testResult['report']) ? testResult['report'] : {};
  const system = events.find((e) => e['action'] === 'system');
  const firstUser = events.find((e) => e['source'] === 'user' && e['action'] === 'message');
  const turns = turnsOfEvents(events);
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

/** The resolver's output: a GitHub issue fixed in a repository; `success` is the resolver's own judgement, kept as such (not a grade). */
function resolverRecord(line: Json, events: Json[], where: string, path: string, record?: number): ImportedRecord {
  const issue = line['issue'] as Json;
  const owner = requireField(`${where}: field "issue"`, issue, 'owner', (v): v is string => typeof v === 'string' && v !== '', 'a non-empty string');
  const repo = requireField(`${where}: field "issue"`, issue, 'repo', (v): v is string => typeof v === 'string' && v !== '', 'a non-empty string');
  const number = optionalNumber(issue['number']);
  const patch = optionalString(line['git_patch']);
  const error = optionalString(line['error']);
  const turns = turnsOfEvents(events.filter((e, i) => !(i === 0 && e['action'] === 'message')));
  const extra = {
    layout: 'resolver', issue_type: line['issue_type'] ?? null,
    ...(typeof line['success'] === 'boolean' ? { success: line['success'] } : {}),
    ...(optionalString(line['result_explanation']) ? { result_explanation: line['result_explanation'] } : {}),
    ...(error ? { error } : {}),
  };
  return {
    source: { kind: 'import', format: 'openhands', path, ...(record !== undefined ? { record } : {}), extra },
    taskId: `${owner}__${repo}-${number ?? 'issue'}`,
    instruction: optionalString(line['instruction']) ?? '',
    repo: `${owner}/${repo}`,
    spec: { ...(optionalString(line['base_commit']) ? { base_commit: line['base_commit'] } : {}), ...(optionalString(issue['title']) ? { issue_title: issue['title'] } : {}) },
    agent: { type: 'model', model: { name: 'openhands', layout: 'resolver' } },
    turns,
    ...(turns.at(-1)?.action?.tool === 'submit' ? { exitStatus: 'submitted' as const } : {}),
    ...(patch !== undefined ? { patch } : {}),
  };
}

/**
 * The agent's turns, in order: each action event with the observation that answers it (by
 * `cause`, else the event right after it when the history has no ids), and each `error`
 * observation no action caused, as a refused turn.
 */
function turnsOfEvents(events: Json[]): Turn[] {
  const withIds = events.some((e) => e['id'] !== undefined);
  const byCause = new Map<unknown, Json>();
  for (const event of events) if (typeof event['observation'] === 'string' && event['cause'] !== undefined && event['cause'] !== null) byCause.set(event['cause'], event);
  const answered = new Set<Json>();
  const turns: Turn[] = [];
  events.forEach((event, i) => {
    if (typeof event['action'] === 'string') {
      if (event['action'] === 'system' || event['action'] === 'recall' || event['source'] === 'user' || event['source'] === 'environment') return;
      const next = events[i + 1];
      const observation = withIds ? byCause.get(event['id']) : next && typeof next['observation'] === 'string' ? next : undefined;
      if (observation) answered.add(observation);
      turns.push(turnOf(event, observation));
    } else if (event['observation'] === 'error' && !answered.has(event) && (event['cause'] === undefined || event['cause'] === null) && event['source'] !== 'user') {
      const shown = String(event['content'] ?? event['message'] ?? '');
      turns.push({ text: '', action: null, shown, formatError: shown, ...(optionalString(event['timestamp']) ? { timestamp: event['timestamp'] as string } : {}) });
    }
  });
  return turns;
}

function turnOf(event: Json, observation: Json | undefined): Turn {
  const args = isObject(event['args']) ? event['args'] : flatArgs(event);
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
  } else if (action === null && event['action'] !== 'message') {
    // An action forager has no tool for (run_ipython, browse…) still ran: kept as the call it was.
    turn.calls = [{ id: `event_${String(event['id'] ?? '')}`, name: String(event['action']), arguments: JSON.stringify(withoutThought(args)) }];
  }
  const extras = observation && isObject(observation['extras']) ? observation['extras'] : observation ?? {};
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

/** The resolver's old event layout keeps the arguments on the event itself. */
function flatArgs(event: Json): Json {
  const { action: _a, action_risk: _r, is_confirmed: _c, keep_prompt: _k, ...args } = event;
  return args;
}

function withoutThought(args: Json): Json {
  const { thought: _t, ...rest } = args;
  return rest;
}

/** OpenHands' action kinds: run, edit (the str_replace editor), read, finish; others have no forager action. */
function actionOfEvent(kind: string, args: Json, meta: Json | undefined): Action | null {
  if (kind === 'run') return typeof args['command'] === 'string' ? { tool: 'bash', command: args['command'] } : null;
  if (kind === 'read') return actionOfCall('read', args);
  if (kind === 'edit') return actionOfCall('str_replace_editor', { ...args, ...(args['command'] === undefined && typeof args['file_text'] === 'string' ? { command: 'create' } : {}) });
  if (kind === 'finish') {
    const result = optionalString(args['final_thought']) ?? optionalString(args['message']);
    return { tool: 'submit', ...(result ? { result } : {}) };
  }
  if (meta && typeof meta['function_name'] === 'string') return actionOfCall(meta['function_name'], parseArguments(args));
  return null;
}
