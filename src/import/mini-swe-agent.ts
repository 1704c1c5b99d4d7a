import { basename } from 'node:path';
import { commandInText } from './actions.js';
import { ImportError, isArray, isObject, optionalNumber, optionalString, requireField, type Json } from './errors.js';
import type { ImportedRecord, Turn } from './record.js';
import { textOf } from './read-input.js';

/**
 * mini-swe-agent's `*.traj.json` (trajectory_format "mini-swe-agent-1", written by its
 * save_traj): `info` (exit_status, submission, model_stats, config, mini_version) and
 * `messages`: system, the task, then assistant turns holding one ```bash block, each
 * answered by a user message `<returncode>N</returncode>` + `<output>…</output>`.
 */
export function importMiniSweAgent(doc: Json, where: string, path: string): ImportedRecord {
  const messages = requireField(where, doc, 'messages', isArray, 'an array of messages');
  const info = isObject(doc['info']) ? doc['info'] : {};
  const config = isObject(info['config']) ? info['config'] : {};
  const model = isObject(config['model']) ? optionalString(config['model']['model_name']) : undefined;
  const parsed = messages.map((m, i) => {
    if (!isObject(m) || typeof m['role'] !== 'string') throw new ImportError(`${where}: field "messages.${i}": expected an object with a string "role"`);
    return { role: m['role'], text: textOf(m['content']), raw: m };
  });
  const system = parsed.find((m) => m.role === 'system')?.text;
  const firstUser = parsed.findIndex((m) => m.role === 'user');
  if (firstUser === -1) throw new ImportError(`${where}: field "messages": expected a user message with the task, found none`);
  const turns: Turn[] = [];
  for (let i = firstUser + 1; i < parsed.length; i += 1) {
    const message = parsed[i]!;
    if (message.role !== 'assistant') continue;
    const reply = parsed[i + 1]?.role === 'user' ? parsed[i + 1]!.text : '';
    const command = commandInText(message.text);
    const code = /<returncode>\s*(-?\d+)\s*<\/returncode>/.exec(reply);
    const turn: Turn = { text: message.text, action: command === undefined ? null : { tool: 'bash', command }, shown: reply };
    if (command !== undefined && code) turn.exitCode = Number(code[1]);
    const usage = usageOf(message.raw);
    if (usage) turn.usage = usage;
    const timestamp = optionalString(message.raw['timestamp']);
    if (timestamp) turn.timestamp = timestamp;
    turns.push(turn);
  }
  const exitStatus = optionalString(info['exit_status']);
  const submission = optionalString(info['submission']);
  const stats = isObject(info['model_stats']) ? info['model_stats'] : {};
  const instanceCost = optionalNumber(stats['instance_cost']);
  return {
    source: {
      kind: 'import', format: 'mini-swe-agent', path,
      ...(exitStatus ? { exit_status: exitStatus } : {}),
      ...(optionalNumber(stats['api_calls']) !== undefined ? { extra: { api_calls: stats['api_calls'] } } : {}),
    },
    taskId: optionalString(doc['instance_id']) ?? basename(path).replace(/\.traj\.json$/, '').replace(/\.json$/, ''),
    instruction: parsed[firstUser]!.text,
    agent: {
      type: 'model',
      model: { name: 'mini-swe-agent', ...(optionalString(info['mini_version']) ? { version: info['mini_version'] as string } : {}), ...(model ? { model } : {}) },
      ...(system !== undefined ? { system_prompt: system } : {}),
    },
    turns,
    ...(exitStatus === 'Submitted' ? { exitStatus: 'submitted' as const } : {}),
    // mini-swe-agent submits `git diff` output: the submission is the patch.
    ...(submission !== undefined ? { submission, patch: submission } : {}),
    ...(instanceCost !== undefined ? { costUsd: instanceCost } : {}),
  };
}

/** Token usage of a turn when the source kept the model's response (extra.response.usage). */
export function usageOf(message: Json): { prompt_tokens: number; completion_tokens: number } | undefined {
  const extra = isObject(message['extra']) ? message['extra'] : {};
  const response = isObject(extra['response']) ? extra['response'] : {};
  const usage = isObject(response['usage']) ? response['usage'] : isObject(message['usage']) ? message['usage'] : undefined;
  if (!usage) return undefined;
  const prompt = optionalNumber(usage['prompt_tokens']);
  const completion = optionalNumber(usage['completion_tokens']);
  return prompt !== undefined && completion !== undefined ? { prompt_tokens: prompt, completion_tokens: completion } : undefined;
}
