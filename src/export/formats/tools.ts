import type { Action } from '../../trajectory/schema.js';

/** OpenAI function-calling definitions of forager's action space. */
export const OPENAI_TOOLS = [
  fn('bash', 'Run a command in a persistent bash shell.', { command: { type: 'string' }, timeout_s: { type: 'number' } }, ['command']),
  fn('view', 'Show a file, optionally a range of lines.', { path: { type: 'string' }, start_line: { type: 'integer' }, end_line: { type: 'integer' } }, ['path']),
  fn('create', 'Create a file with the given content.', { path: { type: 'string' }, content: { type: 'string' }, overwrite: { type: 'boolean' } }, ['path', 'content']),
  fn('edit', 'Replace the one occurrence of `search` in a file with `replace`.', { path: { type: 'string' }, search: { type: 'string' }, replace: { type: 'string' } }, ['path', 'search', 'replace']),
  fn('submit', 'Finish the task.', { result: { type: 'string' } }, []),
] as const;

/** The arguments of an action as a function call: every field but `tool`, JSON-encoded. */
export function actionArguments(action: Action): string {
  const { tool: _tool, ...rest } = action;
  return JSON.stringify(rest);
}

function fn(name: string, description: string, properties: Record<string, unknown>, required: string[]) {
  return {
    type: 'function',
    function: { name, description, parameters: { type: 'object', properties, required, additionalProperties: false } },
  } as const;
}
