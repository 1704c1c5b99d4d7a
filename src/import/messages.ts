import { actionOfCall, commandInText, parseArguments } from './actions.js';
import { describeValue, ImportError, isArray, isObject, optionalString, type Json } from './errors.js';
import type { ImportedRecord, Turn } from './record.js';
import { textOf } from './read-input.js';

/**
 * The message-list layout of public SFT sets, one record per trajectory:
 * - nebius/SWE-agent-trajectories: instance_id, model_name, target (resolved),
 *   trajectory [{role: system|user|ai, text}], exit_status, generated_patch;
 * - nebius/SWE-rebench-openhands-trajectories, nvidia/open-swe-traces: instance_id, repo,
 *   trajectory or messages in OpenAI format (tool_calls, tool messages), tools, resolved, model_patch;
 * - SWE-smith trajectories: messages (a list, or a JSON string of one), instance_id,
 *   resolved, model, traj_id, patch.
 * An assistant turn's action is its first tool call mapped to forager's tools, or in
 * text-mode turns the last fenced code block (a shell command); what answered it (tool
 * messages, or the next user message) is what the agent was shown.
 */
export function importMessages(row: Json, where: string, path: string, record?: number): ImportedRecord {
  const list = parseList(row['messages'] ?? row['trajectory'], where);
  const messages = list.map((m, i) => {
    if (!isObject(m)) throw new ImportError(`${where}: field "messages.${i}": expected an object, found ${describeValue(m)}`);
    const role = m['role'] === 'ai' ? 'assistant' : m['role'];
    if (typeof role !== 'string') throw new ImportError(`${where}: field "messages.${i}.role": expected a string, found ${describeValue(m['role'])}`);
    return { role, text: textOf(m['content'] ?? m['text']), raw: m };
  });
  const instanceId = optionalString(row['instance_id']);
  if (!instanceId) throw new ImportError(`${where}: field "instance_id": expected a non-empty string, found ${describeValue(row['instance_id'])}`);
  const system = messages.find((m) => m.role === 'system');
  const firstUser = messages.findIndex((m) => m.role === 'user');
  const turns: Turn[] = [];
  for (let i = 0; i < messages.length; i += 1) {
    const message = messages[i]!;
    if (message.role !== 'assistant') continue;
    const answers: string[] = [];
    let j = i + 1;
    while (j < messages.length && (messages[j]!.role === 'tool' || messages[j]!.role === 'function')) answers.push(messages[j++]!.text);
    if (answers.length === 0 && messages[j]?.role === 'user') answers.push(messages[j]!.text);
    turns.push(turnOf(message.raw, message.text, answers.join('\n\n')));
  }
  const resolved = typeof row['resolved'] === 'boolean' ? row['resolved'] : typeof row['target'] === 'boolean' ? row['target'] : undefined;
  const patch = optionalString(row['patch']) ?? optionalString(row['model_patch']) ?? optionalString(row['generated_patch']);
  const exitStatus = optionalString(row['exit_status']);
  const model = optionalString(row['model']) ?? optionalString(row['model_name']);
  const tools = parseTools(row['tools']);
  const openai = turns.some((t) => t.calls !== undefined);
  return {
    source: { kind: 'import', format: 'messages', path, ...(record !== undefined ? { record } : {}), ...(exitStatus ? { exit_status: exitStatus } : {}) },
    taskId: instanceId,
    instruction: firstUser === -1 ? '' : messages[firstUser]!.text,
    ...(optionalString(row['repo']) ? { repo: row['repo'] as string } : {}),
    // Function-calling conversations keep their prompts and tools, so a chat export rebuilds them as they were.
    agent: {
      type: 'model',
      model: { ...(model ? { model } : {}), ...(openai ? { tool_format: 'openai' } : {}) },
      ...(system ? { system_prompt: system.text } : {}),
      ...(openai && firstUser !== -1 ? { user_prompt: messages[firstUser]!.text } : {}),
      ...(tools ? { tools } : {}),
    },
    turns,
    // An explicit exit status, else a conversation that ends with a submit/finish call was submitted.
    ...(exitStatus?.startsWith('submitted') || (exitStatus === undefined && turns.at(-1)?.action?.tool === 'submit') ? { exitStatus: 'submitted' as const } : {}),
    ...(patch !== undefined ? { patch } : {}),
    ...(resolved !== undefined ? { resolved } : {}),
    ...(optionalString(row['traj_id']) ? { id: `messages-${row['traj_id'] as string}` } : {}),
  };
}

function turnOf(raw: Json, text: string, shown: string): Turn {
  const calls = isArray(raw['tool_calls']) ? raw['tool_calls'].filter(isObject).map((call, k) => {
    const fn = isObject(call['function']) ? call['function'] : {};
    const args = fn['arguments'];
    return { id: typeof call['id'] === 'string' ? call['id'] : `call_${k}`, name: String(fn['name'] ?? ''), arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) };
  }) : [];
  const first = calls[0];
  const command = first ? undefined : commandInText(text);
  const turn: Turn = {
    text,
    action: first ? actionOfCall(first.name, parseArguments(first.arguments)) : command !== undefined ? { tool: 'bash', command } : null,
    shown,
  };
  if (calls.length > 0) turn.calls = calls;
  const reasoning = optionalString(raw['reasoning_content']) ?? optionalString(raw['thought']);
  if (reasoning) turn.reasoning = reasoning;
  return turn;
}

function parseList(value: unknown, where: string): unknown[] {
  if (isArray(value)) return value;
  if (typeof value === 'string') {
    try {
      const parsed: unknown = JSON.parse(value);
      if (isArray(parsed)) return parsed;
    } catch {
      // fall through to the error below
    }
  }
  throw new ImportError(`${where}: field "messages" (or "trajectory"): expected a list of messages or a JSON string of one, found ${describeValue(value)}`);
}

/** `tools` as public sets store it: a JSON string, or a list. */
function parseTools(value: unknown): unknown[] | undefined {
  if (isArray(value)) return value.length > 0 ? value : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return isArray(parsed) && parsed.length > 0 ? parsed : undefined;
  } catch {
    return undefined;
  }
}
