import type { ChatCompletion, ChatMessage } from '../../model/index.js';
import type { Action, Observation } from '../../trajectory/schema.js';
import { renderObservation } from '../render.js';
import { CWM_SYSTEM_PROMPT, CWM_USER_PROMPT } from './prompts.js';
import type { BudgetView, ParsedTurn, ToolProtocol } from './types.js';

/** CWM's tool-call pattern, as its SWE RL environment parses it (dot matches newlines). */
export const CWM_TOOL_CALL = /<tool:\s([a-zA-Z_]+)>\n(.*?)\n<\/tool>/gs;
const SEARCH_REPLACE = /(.*)\n<<<<<<< SEARCH\n([\s\S]*?)\n=======\n([\s\S]*?)\n>>>>>>> REPLACE/g;
export const CWM_TOOLS = ['bash', 'edit', 'create', 'submit'] as const;

const EDIT_FORMAT = [
  '<tool: edit>',
  '[path]',
  '<<<<<<< SEARCH',
  '[search_lines]',
  '=======',
  '[replacement_lines]',
  '>>>>>>> REPLACE',
  '</tool>',
].join('\n');

/**
 * Read one CWM tool call from a model's text, with CWM's own checks in its order:
 * more than one call, opening/closing tag counts that disagree with the calls found,
 * no call, an empty body; then an unknown tool name. Errors read `FormatError: …` or
 * `NoSuchToolError: …`, as CWM's environment words them.
 */
export function parseCwmCall(text: string): { ok: true; action: Action; toolName: string } | { ok: false; error: string } {
  const calls = [...text.matchAll(CWM_TOOL_CALL)].map((m) => ({ name: m[1]!, body: m[2]! }));
  if (calls.length > 1) {
    return formatError(
      `Expected one tool call, but found ${calls.length}: ${calls.map((c) => c.name).join(', ')}. Ensure only one <tool:...></tool> block is present in the response.`,
    );
  }
  const opening = text.split('<tool:').length - 1;
  const closing = text.split('</tool>').length - 1;
  if (calls.length !== opening || calls.length !== closing) {
    return formatError(
      `Mismatch in tool tag counts: found ${calls.length} tool calls via regex, but counted ${opening} opening tags and ${closing} closing tags.`,
    );
  }
  const call = calls[0];
  if (!call) return formatError('No tool calls found');
  const name = call.name.trim();
  if (call.body.trim() === '') return formatError(`Tool '${name}' requires non-empty arguments, but received empty or whitespace-only input.`);
  const action = toAction(name, call.body);
  return 'error' in action ? { ok: false, error: action.error } : { ok: true, action, toolName: name };
}

function toAction(name: string, body: string): Action | { error: string } {
  switch (name) {
    case 'bash':
      return { tool: 'bash', command: body };
    case 'submit':
      return { tool: 'submit', result: body.trim() };
    case 'create': {
      const newline = body.indexOf('\n');
      const path = (newline < 0 ? body : body.slice(0, newline)).trim();
      if (!path) return { error: 'FormatError: Path is empty. Please provide a valid path.' };
      return { tool: 'create', path, content: newline < 0 ? '' : body.slice(newline + 1) };
    }
    case 'edit': {
      const blocks = [...body.matchAll(SEARCH_REPLACE)];
      if (blocks.length === 0) return { error: `FormatError: Failed to parse the edit tool call. Make sure it has the following format:\n\n${EDIT_FORMAT}` };
      if (blocks.length > 1) return { error: `FormatError: Only one search/replace block is allowed. Got: ${blocks.length}.` };
      const [, path, search, replace] = blocks[0]!;
      if (!path!.trim()) return { error: 'FormatError: Path is empty. Please provide a valid path.' };
      if (search === '') return { error: 'FormatError: The search lines are empty. Quote at least one line of the file to replace.' };
      return { tool: 'edit', path: path!.trim(), search: search!, replace: replace! };
    }
    case 'view': {
      // forager's extension (CWM has no view tool): PATH, then an optional START:END line.
      const [path = '', range] = body.split('\n');
      if (!path.trim()) return { error: 'FormatError: Path is empty. Please provide a valid path.' };
      const match = range === undefined ? null : /^(\d+):(\d*)$/.exec(range.trim());
      if (range !== undefined && !match) return { error: 'FormatError: The view range must read START:END, e.g. 10:40.' };
      if (!match) return { tool: 'view', path: path.trim() };
      return match[2] ? { tool: 'view', path: path.trim(), start_line: Number(match[1]), end_line: Number(match[2]) } : { tool: 'view', path: path.trim(), start_line: Number(match[1]) };
    }
    default:
      return { error: `NoSuchToolError: Tool '${name}' not found.` };
  }
}

function formatError(message: string): { ok: false; error: string } {
  return { ok: false, error: `FormatError: ${message}` };
}

/** An action written as a CWM tool call; `view`, which CWM lacks, as PATH then START:END. */
export function formatCwmCall(action: Action): string {
  switch (action.tool) {
    case 'bash':
      return `<tool: bash>\n${action.command}\n</tool>`;
    case 'edit':
      return `<tool: edit>\n${action.path}\n<<<<<<< SEARCH\n${action.search}\n=======\n${action.replace}\n>>>>>>> REPLACE\n</tool>`;
    case 'create':
      return `<tool: create>\n${action.path}\n${action.content}\n</tool>`;
    case 'submit':
      return `<tool: submit>\n${action.result ?? ''}\n</tool>`;
    case 'view': {
      const range = action.start_line === undefined && action.end_line === undefined ? '' : `\n${action.start_line ?? 1}:${action.end_line ?? ''}`;
      return `<tool: view>\n${action.path}${range}\n</tool>`;
    }
  }
}

/** CWM's observation message: the output, then the budget block. */
export function formatCwmObservation(output: string, budget: BudgetView): string {
  const tokens = budget.remainingTokens === null ? 'unlimited' : String(budget.remainingTokens);
  return `<output>\n${output}\n</output>\n\n<budget>\n* Remaining turns: ${budget.remainingTurns}\n* Remaining tokens: ${tokens}\n</budget>`;
}

/**
 * CWM's text protocol. Chat roles map onto the OpenAI API as: `system`, `user`,
 * `assistant` as they are; CWM's `tool: NAME` observation turn as role `tool` with
 * `name: NAME` (or role `user` when `observationRole` is `user`); a format error as a
 * `user` message, as CWM sends it.
 */
export function cwmTextProtocol(options: { observationRole?: 'tool' | 'user' } = {}): ToolProtocol {
  const role = options.observationRole ?? 'tool';
  return {
    format: 'cwm',
    defaultSystemPrompt: CWM_SYSTEM_PROMPT,
    defaultUserPrompt: CWM_USER_PROMPT,
    tools: () => undefined,
    parse(completion): ParsedTurn {
      const parsed = parseCwmCall(completion.text);
      return parsed.ok ? { ...parsed, ignoredCallIds: [] } : { ok: false, error: parsed.error, callIds: [] };
    },
    assistantMessage: (completion): ChatMessage => ({ role: 'assistant', content: completion.text }),
    replyMessages(turn, shown): ChatMessage[] {
      if (!turn.ok) return [{ role: 'user', content: shown }];
      return [role === 'tool' ? { role: 'tool', name: turn.toolName, content: shown } : { role: 'user', content: shown }];
    },
    render: (action: Action, observation: Observation, budget: BudgetView) =>
      formatCwmObservation(renderObservation(action, observation), budget),
    recordedCompletion: (action): ChatCompletion => ({ text: formatCwmCall(action), toolCalls: [], finishReason: 'stop', latencyMs: 0, retries: 0 }),
  };
}
