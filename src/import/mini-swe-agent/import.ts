import { basename } from 'node:path';
import { ImportError, isArray, isObject, optionalNumber, optionalString, type Json } from '../errors.js';
import { textOf } from '../read-input.js';
import type { ImportedRecord } from '../record.js';
import type { ExitStatus } from '../../trajectory/schema.js';
import { turnsFromActions } from './turns-actions.js';
import { turnsFromText } from './turns-regex.js';

/** The action regexes of mini-swe-agent's releases when the file does not name its own: 1.x's and 2.x's text mode. */
export const MINI_SWE_AGENT_REGEX = { v1: '```bash\\s*\\n(.*?)\\n```', v2: '```mswea_bash_command\\s*\\n(.*?)\\n```' } as const;

/**
 * A mini-swe-agent trajectory: `*.traj.json` as 1.x wrote it (`trajectory_format:
 * "mini-swe-agent-1"`, run/utils/save.py), as 2.x writes it (`"mini-swe-agent-1.1"`,
 * agents/default.py serialize: text, toolcall and response_api modes), or a bare list of
 * messages (its tests/test_data). An action exists only where mini-swe-agent ran one; a
 * refused answer is a step with no action, the error as what it was shown; the
 * submission is the patch only when the run ended `Submitted`.
 */
export function importMiniSweAgent(doc: Json, where: string, path: string): ImportedRecord {
  const list = doc['messages'];
  if (!isArray(list)) throw new ImportError(`${where}: field "messages": expected an array of messages (or the file a bare list of them), found ${list === undefined ? 'nothing' : typeof list}`);
  const messages = list.map((m, i) => {
    if (!isObject(m)) throw new ImportError(`${where}: field "messages.${i}": expected an object, found ${m === null ? 'null' : typeof m}`);
    return m;
  });
  const info = isObject(doc['info']) ? doc['info'] : {};
  const config = isObject(info['config']) ? info['config'] : {};
  const modelConfig = isObject(config['model']) ? config['model'] : {};
  const agentConfig = isObject(config['agent']) ? config['agent'] : {};
  const format = optionalString(doc['trajectory_format']);
  const firstUser = messages.findIndex((m) => m['role'] === 'user');
  if (firstUser === -1) throw new ImportError(`${where}: field "messages": expected a user message with the task, found none`);
  const system = messages.find((m) => m['role'] === 'system');
  const turns = format === 'mini-swe-agent-1.1' || messages.some((m) => isObject(m['extra']) && isArray(m['extra']['actions']))
    ? turnsFromActions(messages, firstUser + 1)
    : turnsFromText(messages, firstUser + 1, actionRegexOf(agentConfig, modelConfig, system), `${where}: field "info.config.agent.action_regex"`);
  const exitStatus = optionalString(info['exit_status']);
  const submission = typeof info['submission'] === 'string' ? info['submission'] : undefined;
  const stats = isObject(info['model_stats']) ? info['model_stats'] : {};
  const instanceCost = optionalNumber(stats['instance_cost']);
  const model = optionalString(modelConfig['model_name']);
  const submitted = exitStatus === 'Submitted';
  // Anything else in `submission` is no patch: an exception's text (RetryError…), or "" on limits.
  const exitMessage = !submitted && submission ? { exit_message: submission } : {};
  const apiCalls = optionalNumber(stats['api_calls']);
  const extra = { ...(format ? { trajectory_format: format } : {}), ...(apiCalls !== undefined ? { api_calls: apiCalls } : {}), ...exitMessage };
  return {
    source: { kind: 'import', format: 'mini-swe-agent', path, ...(exitStatus ? { exit_status: exitStatus } : {}), extra },
    taskId: optionalString(doc['instance_id']) ?? basename(path).replace(/\.traj\.json$/, '').replace(/\.json$/, ''),
    instruction: textOf(messages[firstUser]!['content']),
    agent: {
      type: 'model',
      model: { name: 'mini-swe-agent', ...(optionalString(info['mini_version']) ? { version: info['mini_version'] as string } : {}), ...(model ? { model } : {}) },
      ...(system ? { system_prompt: textOf(system['content']) } : {}),
    },
    turns,
    ...(exitStatus ? exitStatusOf(exitStatus) : {}),
    ...(submitted && submission !== undefined ? { submission, patch: submission } : {}),
    ...(instanceCost !== undefined ? { costUsd: instanceCost } : {}),
  };
}

/** The regex this run parsed answers with: its config's (1.x agent, 2.x text model), else its release's default, told by the fence its prompt asks for. */
function actionRegexOf(agent: Json, model: Json, system: Json | undefined): string {
  const configured = optionalString(agent['action_regex']) ?? optionalString(model['action_regex']);
  if (configured) return configured;
  return system && textOf(system['content']).includes('```mswea_bash_command') ? MINI_SWE_AGENT_REGEX.v2 : MINI_SWE_AGENT_REGEX.v1;
}

/** mini-swe-agent's exit statuses as forager's, where they mean the same; the source's own stays in `source.exit_status`. */
function exitStatusOf(status: string): { exitStatus?: ExitStatus } {
  switch (status) {
    case 'Submitted': return { exitStatus: 'submitted' };
    case 'RepeatedFormatError': return { exitStatus: 'format_errors' };
    case 'TimeExceeded': return { exitStatus: 'wall_time' };
    // A step or cost limit: which one the file does not say.
    case 'LimitsExceeded': return {};
    default: return { exitStatus: 'error' };
  }
}
