import { basename } from 'node:path';
import { describeValue, ImportError, isArray, isObject, optionalNumber, optionalString, type Json } from './errors.js';
import { parseArguments } from './actions.js';
import type { ImportedRecord, Turn } from './record.js';
import { textOf } from './read-input.js';
import { timeOf } from './python-text.js';

/**
 * SWE-agent's `<instance_id>.traj` (docs: swe-agent.com usage/trajectories): `trajectory`
 * holds one entry per step that ran (response, thought, action, observation, state,
 * execution_time), `history` the messages (assistant messages with `message_type:
 * "action"` carry the `action` and any `tool_calls`, the next `observation` message what
 * came back), `info` the exit status, submission and model_stats, `replay_config` (a JSON
 * string) the model and the problem statement. A file may hold only `history` (its
 * demonstrations do): the steps are then read from it. Every action is a `bash` action
 * with the command exactly as SWE-agent recorded it (its tools are shell commands there,
 * a trailing newline included).
 */
export function importSweAgent(doc: Json, where: string, path: string): ImportedRecord {
  const history = isArray(doc['history']) ? doc['history'].filter(isObject) : undefined;
  if (!isArray(doc['trajectory']) && !history) throw new ImportError(`${where}: field "trajectory": expected an array of steps (or "history", an array of messages), found ${describeValue(doc['trajectory'])}`);
  const info = isObject(doc['info']) ? doc['info'] : {};
  const replay = parseArguments(doc['replay_config']);
  const messages = history ?? [];
  const system = messages.find((m) => m['role'] === 'system');
  const task = messages.find((m) => m['role'] === 'user');
  const problem = isObject(replay['problem_statement']) ? replay['problem_statement'] : {};
  const agentConfig = isObject(replay['agent']) ? replay['agent'] : {};
  const modelConfig = isObject(agentConfig['model']) ? agentConfig['model'] : {};
  const actionMessages = messages.filter((m) => m['role'] === 'assistant' && m['message_type'] === 'action');
  const turns = isArray(doc['trajectory']) ? turnsOfTrajectory(doc['trajectory'], actionMessages, where) : turnsOfHistory(messages);
  const exitStatus = optionalString(info['exit_status']);
  const submission = typeof info['submission'] === 'string' ? info['submission'] : undefined;
  const stats = isObject(info['model_stats']) ? info['model_stats'] : {};
  const instanceCost = optionalNumber(stats['instance_cost']);
  // SWE-agent submits on some limits too ("submitted (exit_cost)"): only then is the submission a patch.
  const submitted = exitStatus?.startsWith('submitted') === true;
  return {
    source: { kind: 'import', format: 'swe-agent', path, ...(exitStatus ? { exit_status: exitStatus } : {}), ...(history && !isArray(doc['trajectory']) ? { extra: { layout: 'history' } } : {}) },
    taskId: optionalString(problem['id']) ?? basename(path).replace(/\.traj$/, ''),
    instruction: optionalString(problem['text']) ?? (task ? textOf(task['content']) : ''),
    agent: {
      type: 'model',
      model: {
        name: 'swe-agent',
        ...(optionalString(info['swe_agent_version']) ? { version: info['swe_agent_version'] as string } : {}),
        ...(optionalString(modelConfig['name']) ? { model: modelConfig['name'] as string } : {}),
      },
      ...(system ? { system_prompt: textOf(system['content']) } : {}),
    },
    turns,
    ...(submitted ? { exitStatus: 'submitted' as const } : {}),
    ...(submitted && submission !== undefined ? { submission, patch: submission } : {}),
    tokens: { prompt: optionalNumber(stats['tokens_sent']), completion: optionalNumber(stats['tokens_received']) },
    ...(instanceCost !== undefined ? { costUsd: instanceCost } : {}),
  };
}

/** One turn per `trajectory` entry; the k-th action message of `history` gives its tool calls when the two agree. */
function turnsOfTrajectory(entries: unknown[], actionMessages: Json[], where: string): Turn[] {
  const aligned = actionMessages.length === entries.length;
  return entries.map((entry, i) => {
    if (!isObject(entry)) throw new ImportError(`${where}: field "trajectory.${i}": expected an object, found ${describeValue(entry)}`);
    const turn = turnOf(typeof entry['response'] === 'string' ? entry['response'] : '', entry['action'], entry['observation'], aligned ? actionMessages[i] : undefined);
    const seconds = optionalNumber(entry['execution_time']);
    if (seconds !== undefined) turn.actionMs = seconds * 1000;
    return turn;
  });
}

/** Turns of a file that kept only `history`: each action message, and the observation that followed it. */
function turnsOfHistory(messages: Json[]): Turn[] {
  const turns: Turn[] = [];
  messages.forEach((m, i) => {
    if (m['role'] !== 'assistant' || m['message_type'] !== 'action') return;
    const next = messages[i + 1];
    const observation = next && next['message_type'] === 'observation' ? next['content'] : undefined;
    turns.push(turnOf(textOf(m['content']), m['action'], observation, m));
  });
  return turns;
}

function turnOf(text: string, action: unknown, observation: unknown, message: Json | undefined): Turn {
  const command = typeof action === 'string' ? action : '';
  const turn: Turn = { text, action: command === '' ? null : { tool: 'bash', command }, shown: typeof observation === 'string' ? observation : textOf(observation) };
  const calls = message && isArray(message['tool_calls']) ? message['tool_calls'].filter(isObject) : [];
  if (calls.length > 0) {
    turn.calls = calls.map((call, k) => {
      const fn = isObject(call['function']) ? call['function'] : {};
      return { id: typeof call['id'] === 'string' ? call['id'] : `call_${k}`, name: String(fn['name'] ?? ''), arguments: typeof fn['arguments'] === 'string' ? fn['arguments'] : JSON.stringify(fn['arguments'] ?? {}) };
    });
    turn.toolCallId = turn.calls[0]!.id;
  }
  const time = message ? timeOf(message['timestamp']) : undefined;
  if (time) turn.timestamp = time;
  return turn;
}
