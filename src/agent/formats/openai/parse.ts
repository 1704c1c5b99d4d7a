import type { ChatCompletion } from '../../../model/index.js';
import type { Action } from '../../../trajectory/schema.js';
import { isProblem, parseCallArguments } from '../call-arguments.js';
import { formatProblem } from '../problem.js';
import type { FormatProblem, ParsedCall, ParsedTurn } from '../types.js';
import { OPENAI_TOOL_NAMES } from './tools.js';

/** A tool call's JSON arguments as an action, or the format problem that explains why not. */
export function parseArguments(name: string, json: string): Action | FormatProblem {
  return parseCallArguments(name, json, OPENAI_TOOL_NAMES);
}

/** Every tool call of an answer, in order; an answer without one is a problem of the whole turn. */
export function parseToolCalls(completion: ChatCompletion): ParsedTurn {
  if (completion.toolCalls.length === 0) {
    return { calls: [], problem: formatProblem('No tool call found. Call exactly one tool in each turn (submit when you are done).') };
  }
  const calls = completion.toolCalls.map((call): ParsedCall => {
    const parsed = parseArguments(call.function.name, call.function.arguments);
    const base = { id: call.id, name: call.function.name };
    return isProblem(parsed) ? { ...base, ok: false, problem: parsed } : { ...base, ok: true, action: parsed };
  });
  return { calls };
}
