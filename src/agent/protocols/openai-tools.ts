import type { ChatCompletion, ChatMessage, ToolDefinition } from '../../model/index.js';
import { ActionSchema, type Action, type Observation } from '../../trajectory/schema.js';
import { renderObservation } from '../render.js';
import { OPENAI_SYSTEM_PROMPT, OPENAI_USER_PROMPT } from './prompts.js';
import type { ParsedTurn, ToolProtocol } from './types.js';

const str = (description: string) => ({ type: 'string', description });
const int = (description: string) => ({ type: 'integer', minimum: 1, description });

function tool(name: string, description: string, properties: Record<string, unknown>, required: string[]): ToolDefinition {
  return { type: 'function', function: { name, description, parameters: { type: 'object', properties, required, additionalProperties: false } } };
}

/** The five actions as OpenAI function tools. */
export const OPENAI_TOOLS: ToolDefinition[] = [
  tool('bash', 'Run non-interactive bash command(s) in the persistent session; returns stdout, stderr and the exit code.', {
    command: str('The command(s) to run.'),
    timeout_s: { type: 'number', exclusiveMinimum: 0, description: 'Optional time limit in seconds.' },
  }, ['command']),
  tool('view', 'Show a file with line numbers (optionally a line range), or list a directory two levels deep.', {
    path: str('File or directory path.'),
    start_line: int('First line to show (1-based).'),
    end_line: int('Last line to show.'),
  }, ['path']),
  tool('create', 'Create a new file with the given content; fails if it exists.', {
    path: str('Path of the new file.'),
    content: str('The whole content of the file.'),
  }, ['path', 'content']),
  tool('edit', 'Replace the one exact occurrence of `search` in a file with `replace`.', {
    path: str('Path of the file to edit.'),
    search: str('Exact text to find; must occur exactly once, whitespace included.'),
    replace: str('Text to put in its place.'),
  }, ['path', 'search', 'replace']),
  tool('submit', 'Finish the task, with an optional final result.', { result: str('The final result, if the task asks for one.') }, []),
];

export const IGNORED_CALL = 'Ignored: only the first tool call of a turn is carried out. Call this tool again in a later turn if you still need it.';

/**
 * OpenAI function calling. One action per turn: when a response holds several tool
 * calls the first is carried out and each other one is answered with IGNORED_CALL (the
 * API requires an answer to every call id). A response with no tool call is a format
 * error, answered with a user message; a call with bad arguments is answered on its id.
 */
export function openaiToolsProtocol(): ToolProtocol {
  return {
    format: 'openai',
    defaultSystemPrompt: OPENAI_SYSTEM_PROMPT,
    defaultUserPrompt: OPENAI_USER_PROMPT,
    tools: () => OPENAI_TOOLS,
    parse(completion): ParsedTurn {
      const [first, ...rest] = completion.toolCalls;
      const callIds = completion.toolCalls.map((c) => c.id);
      if (!first) {
        return { ok: false, error: 'FormatError: No tool call found. Call exactly one tool in each turn (submit when you are done).', callIds };
      }
      const action = parseArguments(first.function.name, first.function.arguments);
      if ('error' in action) return { ok: false, error: action.error, callIds };
      return { ok: true, action, toolName: first.function.name, callId: first.id, ignoredCallIds: rest.map((c) => c.id) };
    },
    assistantMessage: (completion): ChatMessage => ({
      role: 'assistant',
      content: completion.text === '' && completion.toolCalls.length ? null : completion.text,
      ...(completion.toolCalls.length ? { tool_calls: completion.toolCalls } : {}),
    }),
    replyMessages(turn, shown): ChatMessage[] {
      const ids = turn.ok ? [turn.callId!, ...turn.ignoredCallIds] : turn.callIds;
      if (ids.length === 0) return [{ role: 'user', content: shown }];
      return ids.map((id, i) => ({ role: 'tool', tool_call_id: id, content: i === 0 ? shown : IGNORED_CALL }));
    },
    render: (action: Action, observation: Observation) => renderObservation(action, observation) || '[no output]',
    recordedCompletion(action, callId): ChatCompletion {
      const { tool, ...args } = action;
      return { text: '', toolCalls: [{ id: callId, type: 'function', function: { name: tool, arguments: JSON.stringify(args) } }], finishReason: 'tool_calls', latencyMs: 0, retries: 0 };
    },
  };
}

/** A tool call's JSON arguments as an action, or the format error that explains why not. */
export function parseArguments(name: string, json: string): Action | { error: string } {
  if (!OPENAI_TOOLS.some((t) => t.function.name === name)) {
    return { error: `FormatError: Unknown tool '${name}'. The tools are: ${OPENAI_TOOLS.map((t) => t.function.name).join(', ')}.` };
  }
  let args: unknown;
  try {
    args = json.trim() === '' ? {} : JSON.parse(json);
  } catch (error) {
    return { error: `FormatError: The arguments of ${name} are not valid JSON (${(error as Error).message}).` };
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    return { error: `FormatError: The arguments of ${name} must be a JSON object.` };
  }
  const parsed = ActionSchema.safeParse({ ...args, tool: name });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
    return { error: `FormatError: Invalid arguments for ${name}: ${problems}.` };
  }
  return parsed.data;
}
