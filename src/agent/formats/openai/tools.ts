import type { ToolDefinition } from '../../../model/index.js';

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

export const OPENAI_TOOL_NAMES = OPENAI_TOOLS.map((t) => t.function.name);
