import { basename } from 'node:path';
import { describeValue, ImportError, isArray, isObject, optionalNumber, optionalString, requireField, type Json } from './errors.js';
import { parseArguments } from './actions.js';
import type { ImportedRecord, Turn } from './record.js';
import { textOf } from './read-input.js';

/**
 * SWE-agent's `<instance_id>.traj` (docs: swe-agent.com usage/trajectories): `trajectory`
 * holds one entry per step (response, thought, action, observation, state, execution_time),
 * `history` the messages, `info` the exit status, submission and model_stats
 * (instance_cost, tokens_sent, tokens_received, api_calls), `replay_config` (a JSON string)
 * the model and the problem statement. Every action ran in SWE-agent's shell, so each is a
 * `bash` action with the command as written (its tools are shell commands there).
 */
export function importSweAgent(doc: Json, where: string, path: string): ImportedRecord {
  const entries = requireField(where, doc, 'trajectory', isArray, 'an array of steps');
  const info = isObject(doc['info']) ? doc['info'] : {};
  const replay = parseArguments(doc['replay_config']);
  const history = isArray(doc['history']) ? doc['history'].filter(isObject) : [];
  const system = history.find((m) => m['role'] === 'system');
  const task = history.find((m) => m['role'] === 'user');
  const problem = isObject(replay['problem_statement']) ? replay['problem_statement'] : {};
  const agentConfig = isObject(replay['agent']) ? replay['agent'] : {};
  const modelConfig = isObject(agentConfig['model']) ? agentConfig['model'] : {};
  const turns: Turn[] = entries.map((entry, i) => {
    if (!isObject(entry)) throw new ImportError(`${where}: field "trajectory.${i}": expected an object, found ${describeValue(entry)}`);
    const step = entry;
    const action = typeof step['action'] === 'string' ? step['action'].trim() : '';
    const turn: Turn = {
      text: typeof step['response'] === 'string' ? step['response'] : '',
      action: action === '' ? null : { tool: 'bash', command: action },
      shown: typeof step['observation'] === 'string' ? step['observation'] : '',
    };
    const seconds = optionalNumber(step['execution_time']);
    if (seconds !== undefined) turn.actionMs = seconds * 1000;
    return turn;
  });
  const exitStatus = optionalString(info['exit_status']);
  const submission = optionalString(info['submission']);
  const stats = isObject(info['model_stats']) ? info['model_stats'] : {};
  const instanceCost = optionalNumber(stats['instance_cost']);
  return {
    source: { kind: 'import', format: 'swe-agent', path, ...(exitStatus ? { exit_status: exitStatus } : {}), },
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
    // SWE-agent auto-submits on some limits ("submitted (exit_cost)"): the work was submitted either way.
    ...(exitStatus?.startsWith('submitted') ? { exitStatus: 'submitted' as const } : {}),
    ...(submission !== undefined ? { submission, patch: submission } : {}),
    tokens: { prompt: optionalNumber(stats['tokens_sent']), completion: optionalNumber(stats['tokens_received']) },
    ...(instanceCost !== undefined ? { costUsd: instanceCost } : {}),
  };
}
