import { ActionSchema, type Action } from '../../trajectory/schema.js';
import { formatProblem } from './problem.js';
import type { FormatProblem } from './types.js';

/** The arguments of an action as a function call: every field but `tool`, JSON-encoded. */
export function actionArguments(action: Action): string {
  const { tool: _tool, ...rest } = action;
  return JSON.stringify(rest);
}

/** A function call's name and JSON arguments as an action, or the problem that explains why not. */
export function parseCallArguments(name: string, json: string, tools: readonly string[]): Action | FormatProblem {
  if (!tools.includes(name)) return formatProblem(`Unknown tool '${name}'. The tools are: ${tools.join(', ')}.`);
  let args: unknown;
  try {
    args = json.trim() === '' ? {} : JSON.parse(json);
  } catch (error) {
    return formatProblem(`The arguments of ${name} are not valid JSON (${(error as Error).message}).`);
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return formatProblem(`The arguments of ${name} must be a JSON object.`);
  const parsed = ActionSchema.safeParse({ ...args, tool: name });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(arguments)'}: ${i.message}`).join('; ');
    return formatProblem(`Invalid arguments for ${name}: ${problems}.`);
  }
  // The schema takes an empty search for CWM's edit; a function call must quote something.
  if (parsed.data.tool === 'edit' && parsed.data.search === '') return formatProblem(`Invalid arguments for ${name}: search: expected at least one character, got an empty string.`);
  return parsed.data;
}

export function isProblem(value: Action | FormatProblem): value is FormatProblem {
  return 'message' in value && !('tool' in value);
}
