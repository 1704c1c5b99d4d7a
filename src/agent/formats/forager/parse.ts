import type { Action } from '../../../trajectory/schema.js';
import { formatProblem } from '../problem.js';
import type { FormatProblem } from '../types.js';

/** CWM's tool-call pattern, as its SWE RL environment parses it (dot matches newlines). */
export const CWM_TOOL_CALL = /<tool:\s([a-zA-Z_]+)>\n(.*?)\n<\/tool>/gs;
const SEARCH_REPLACE = /(.*)\n<<<<<<< SEARCH\n([\s\S]*?)\n=======\n([\s\S]*?)\n>>>>>>> REPLACE/g;
export const FORAGER_TOOLS = ['bash', 'edit', 'create', 'submit'] as const;

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
 * no call, an empty body; then an unknown tool name. Problems are named `FormatError` or
 * `NoSuchToolError`, as CWM's environment names them.
 */
export function parseForagerCall(text: string): { ok: true; action: Action; toolName: string } | { ok: false; problem: FormatProblem; toolName?: string } {
  const calls = [...text.matchAll(CWM_TOOL_CALL)].map((m) => ({ name: m[1]!, body: m[2]! }));
  if (calls.length > 1) {
    return problem(
      `Expected one tool call, but found ${calls.length}: ${calls.map((c) => c.name).join(', ')}. Ensure only one <tool:...></tool> block is present in the response.`,
    );
  }
  const opening = text.split('<tool:').length - 1;
  const closing = text.split('</tool>').length - 1;
  if (calls.length !== opening || calls.length !== closing) {
    return problem(
      `Mismatch in tool tag counts: found ${calls.length} tool calls via regex, but counted ${opening} opening tags and ${closing} closing tags.`,
    );
  }
  const call = calls[0];
  if (!call) return problem('No tool calls found');
  const name = call.name.trim();
  if (call.body.trim() === '') return problem(`Tool '${name}' requires non-empty arguments, but received empty or whitespace-only input.`);
  const action = toAction(name, call.body);
  return 'message' in action ? { ok: false, problem: action, toolName: name } : { ok: true, action, toolName: name };
}

function toAction(name: string, body: string): Action | FormatProblem {
  switch (name) {
    case 'bash':
      return { tool: 'bash', command: body };
    case 'submit':
      return { tool: 'submit', result: body.trim() };
    case 'create': {
      const newline = body.indexOf('\n');
      const path = (newline < 0 ? body : body.slice(0, newline)).trim();
      if (!path) return formatProblem('Path is empty. Please provide a valid path.');
      return { tool: 'create', path, content: newline < 0 ? '' : body.slice(newline + 1) };
    }
    case 'edit': {
      const blocks = [...body.matchAll(SEARCH_REPLACE)];
      if (blocks.length === 0) return formatProblem(`Failed to parse the edit tool call. Make sure it has the following format:\n\n${EDIT_FORMAT}`);
      if (blocks.length > 1) return formatProblem(`Only one search/replace block is allowed. Got: ${blocks.length}.`);
      const [, path, search, replace] = blocks[0]!;
      if (!path!.trim()) return formatProblem('Path is empty. Please provide a valid path.');
      if (search === '') return formatProblem('The search lines are empty. Quote at least one line of the file to replace.');
      return { tool: 'edit', path: path!.trim(), search: search!, replace: replace! };
    }
    case 'view': {
      // forager's extension (CWM has no view tool): PATH, then an optional START:END line.
      const [path = '', range] = body.split('\n');
      if (!path.trim()) return formatProblem('Path is empty. Please provide a valid path.');
      const match = range === undefined ? null : /^(\d+):(\d*)$/.exec(range.trim());
      if (range !== undefined && !match) return formatProblem('The view range must read START:END, e.g. 10:40.');
      if (!match) return { tool: 'view', path: path.trim() };
      return match[2] ? { tool: 'view', path: path.trim(), start_line: Number(match[1]), end_line: Number(match[2]) } : { tool: 'view', path: path.trim(), start_line: Number(match[1]) };
    }
    default:
      return formatProblem(`Tool '${name}' not found.`, 'NoSuchToolError');
  }
}

function problem(message: string): { ok: false; problem: FormatProblem } {
  return { ok: false, problem: formatProblem(message) };
}
