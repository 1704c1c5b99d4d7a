import type { Action } from '../../../trajectory/schema.js';
import { formatProblem } from '../problem.js';
import type { FormatProblem } from '../types.js';
import { CWM_TOKENS } from './template.js';
import type { CwmReasoning } from './prompts.js';
import { THINK_TAG_END } from './prompt-texts.js';

/** CWM's tool-call pattern (default_tools.py TOOL_CALL_REGEX, re.DOTALL). */
export const CWM_TOOL_CALL = /<tool:\s([a-zA-Z_]+)>\n([\s\S]*?)\n<\/tool>/g;
/** The tools CWM's SWE environment offers (plugins on). */
export const CWM_TOOLS = ['bash', 'submit', 'edit', 'create'] as const;

export type CwmCall = { ok: true; name: string; body: string } | { ok: false; problem: FormatProblem };

/**
 * The one tool call of an answer, with CWM's checks in CWM's order (parse_tool_calls):
 * more than one call, tag counts that disagree with the calls found, no call, an empty body.
 * The name is not checked here: an unknown tool is NoSuchToolError when it is applied.
 */
export function parseCwmToolCall(answer: string): CwmCall {
  const calls = [...answer.matchAll(CWM_TOOL_CALL)].map((m) => ({ name: m[1]!, body: m[2]! }));
  if (calls.length > 1) {
    return bad(`Expected one tool call, but found ${calls.length}: ${calls.map((c) => c.name).join(', ')}. Ensure only one <tool:...></tool> block is present in the response.`);
  }
  const opening = answer.split('<tool:').length - 1;
  const closing = answer.split('</tool>').length - 1;
  if (calls.length !== opening || calls.length !== closing) {
    return bad(`Mismatch in tool tag counts: found ${calls.length} tool calls via regex, but counted ${opening} opening tags and ${closing} closing tags.`);
  }
  const call = calls[0];
  if (!call) return bad('No tool calls found');
  const name = call.name.trim();
  if (call.body.trim() === '') return bad(`Tool '${name}' requires non-empty arguments, but received empty or whitespace-only input.`);
  return { ok: true, name, body: call.body };
}

/** The text that ends reasoning: `</think>` in tag mode, the reasoning-end token's text in token mode. */
export function thinkingEnd(reasoning: CwmReasoning): string {
  return reasoning === 'tag' ? THINK_TAG_END : CWM_TOKENS.thinkingEnd;
}

/**
 * The part of an answer CWM parses: with reasoning on, what follows the one end of
 * reasoning (exactly one is required, else a FormatError); the whole answer otherwise.
 */
export function answerAfterReasoning(actionText: string, reasoning: CwmReasoning): { answer: string; problem?: FormatProblem; endings: number } {
  if (reasoning === 'off') return { answer: actionText, endings: 1 };
  const end = thinkingEnd(reasoning);
  const parts = actionText.split(end);
  const endings = parts.length - 1;
  const answer = endings === 0 ? actionText : actionText.slice(actionText.indexOf(end) + end.length);
  if (endings !== 1) return { answer, endings, problem: formatProblem(`Expected exactly one thinking end token, got ${endings}`) };
  return { answer, endings };
}

/** Python's `.` (any character but \n): JavaScript's also stops at \r, \u2028 and \u2029. */
const SEARCH_REPLACE = /([^\n]*)\n<<<<<<< SEARCH\n([\s\S]*?)\n=======\n([\s\S]*?)\n>>>>>>> REPLACE/g;

const EDIT_PARSE_ERROR = `Failed to parse the edit tool call. Make sure it has the following format:

<tool: edit>
[path]
<<<<<<< SEARCH
[search_lines]
=======
[replacement_lines]
>>>>>>> REPLACE
</tool>`;

/**
 * A call's body as a forager action, or the message CWM's tool itself answers with (exit 1,
 * shown as the tool's result: `problem.tool` set). The edit and create plugins read the body
 * from a here-document, so edit sees it with a final newline and create without.
 */
export function toCwmAction(name: string, body: string): Action | FormatProblem {
  switch (name) {
    case 'bash':
      return { tool: 'bash', command: body };
    case 'submit':
      return { tool: 'submit', result: body };
    case 'edit': {
      const blocks = [...`${body}\n`.matchAll(SEARCH_REPLACE)];
      if (blocks.length === 0) return toolProblem('edit', EDIT_PARSE_ERROR);
      if (blocks.length > 1) return toolProblem('edit', `Only one search/replace block is allowed. Got: ${blocks.length}.`);
      const [, path, search, replace] = blocks[0]!;
      if (path === '') return toolProblem('edit', 'The path  does not exist. Please provide a valid path.');
      return { tool: 'edit', path: path!, search: search!, replace: replace! };
    }
    case 'create': {
      const newline = body.indexOf('\n');
      const path = newline < 0 ? body : body.slice(0, newline);
      if (path === '') return toolProblem('create', 'Path is empty. Please provide a valid path.');
      return { tool: 'create', path, content: newline < 0 ? '' : body.slice(newline + 1) };
    }
    default:
      return formatProblem(`Tool '${name}' not found.`, 'NoSuchToolError');
  }
}

function toolProblem(tool: string, message: string): FormatProblem {
  return { name: 'ToolError', message, tool };
}

function bad(message: string): CwmCall {
  return { ok: false, problem: formatProblem(message) };
}
