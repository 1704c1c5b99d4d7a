import { basename } from 'node:path';
import { actionOfCall, commandInText, parseArguments } from './actions.js';
import { MINI_SWE_AGENT_REGEX, turnsFromText } from './mini-swe-agent/index.js';
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
 * Each tool call of an assistant turn is a step (its action the call mapped to forager's
 * tools, shown the tool message naming it); a text-mode turn's action is the command
 * SWE-agent's ThoughtActionParser takes (the last fenced block, its final newline kept), or
 * for a conversation mini-swe-agent had, its own rule (exactly one block). A file that is
 * one bare list of messages (mini-swe-agent's test data) is one conversation named by the file.
 */
export function importMessages(row: Json, where: string, path: string, record?: number): ImportedRecord {
  const list = parseList(row['messages'] ?? row['trajectory'], where);
  const messages = list.map((m, i) => {
    if (!isObject(m)) throw new ImportError(`${where}: field "messages.${i}": expected an object, found ${describeValue(m)}`);
    const role = m['role'] === 'ai' ? 'assistant' : m['role'];
    if (typeof role !== 'string') throw new ImportError(`${where}: field "messages.${i}.role": expected a string, found ${describeValue(m['role'])}`);
    return { role, text: textOf(m['content'] ?? m['text']), raw: m };
  });
  // A file that is one bare conversation names no instance: its file name does.
  const instanceId = optionalString(row['instance_id']) ?? (record === undefined && where === path ? basename(path).replace(/(\.traj)?\.(jsonl|json|parquet)$/, '') : undefined);
  if (!instanceId) throw new ImportError(`${where}: field "instance_id": expected a non-empty string, found ${describeValue(row['instance_id'])}`);
  const system = messages.find((m) => m.role === 'system');
  const firstUser = messages.findIndex((m) => m.role === 'user');
  const miniSweAgent = isMiniSweAgentConversation(messages);
  const turns: Turn[] = miniSweAgent ? turnsFromText(list.filter(isObject), firstUser + 1, miniSweAgent, where) : [];
  for (let i = 0; i < messages.length && !miniSweAgent; i += 1) {
    const message = messages[i]!;
    if (message.role !== 'assistant') continue;
    const replies: { text: string; id?: string }[] = [];
    let j = i + 1;
    while (j < messages.length && (messages[j]!.role === 'tool' || messages[j]!.role === 'function')) {
      const raw = messages[j]!.raw;
      replies.push({ text: messages[j++]!.text, ...(typeof raw['tool_call_id'] === 'string' ? { id: raw['tool_call_id'] } : {}) });
    }
    if (replies.length === 0 && messages[j]?.role === 'user') replies.push({ text: messages[j]!.text });
    turns.push(turnOf(message.raw, message.text, replies));
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

/** One answer: each tool call a step of its own (answered by the tool message naming it, else the one in its place); text mode, SWE-agent's rule. */
function turnOf(raw: Json, text: string, replies: { text: string; id?: string }[]): Turn {
  const calls = isArray(raw['tool_calls']) ? raw['tool_calls'].filter(isObject).map((call, k) => {
    const fn = isObject(call['function']) ? call['function'] : {};
    const args = fn['arguments'];
    return { id: typeof call['id'] === 'string' ? call['id'] : `call_${k}`, name: String(fn['name'] ?? ''), arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) };
  }) : [];
  const replyFor = (k: number) => (replies.find((r) => r.id !== undefined && r.id === calls[k]?.id) ?? (replies.some((r) => r.id !== undefined) ? undefined : replies[k]))?.text ?? '';
  const first = calls[0];
  if (!first) {
    const command = commandInText(text);
    const turn: Turn = { text, action: command !== undefined ? { tool: 'bash', command } : null, shown: replies.map((r) => r.text).join('\n\n') };
    const reasoning = optionalString(raw['reasoning_content']) ?? optionalString(raw['thought']);
    if (reasoning) turn.reasoning = reasoning;
    return turn;
  }
  const turn: Turn = { text, action: actionOfCall(first.name, parseArguments(first.arguments)), shown: replyFor(0), calls, toolCallId: first.id };
  if (calls.length > 1) turn.more = calls.slice(1).map((call, k) => ({ action: actionOfCall(call.name, parseArguments(call.arguments)), shown: replyFor(k + 1), toolCallId: call.id }));
  const reasoning = optionalString(raw['reasoning_content']) ?? optionalString(raw['thought']);
  if (reasoning) turn.reasoning = reasoning;
  return turn;
}

/**
 * A conversation mini-swe-agent had (its observations open with `<returncode>`, its prompt
 * asks for its fence): its answers are parsed by its own rule, not SWE-agent's. The
 * action regex of its release, or undefined for any other conversation.
 */
function isMiniSweAgentConversation(messages: { role: string; text: string }[]): string | undefined {
  const system = messages.find((m) => m.role === 'system')?.text ?? '';
  if (system.includes('```mswea_bash_command')) return MINI_SWE_AGENT_REGEX.v2;
  if (messages.some((m) => m.role === 'user' && m.text.startsWith('<returncode>'))) return MINI_SWE_AGENT_REGEX.v1;
  return undefined;
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
