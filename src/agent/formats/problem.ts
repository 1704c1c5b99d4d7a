import type { FormatProblem } from './types.js';

/** The problem name when none is given: the one CWM and forager use for bad syntax. */
export const DEFAULT_PROBLEM = 'FormatError';

export function formatProblem(message: string, name = DEFAULT_PROBLEM): FormatProblem {
  return { name, message };
}

/** How every format shows a problem: its name, once, then the message. */
export function renderProblem(problem: FormatProblem): string {
  return `${problem.name}: ${problem.message}`;
}

/**
 * The problem a recorded text shows (`NAME: message`, NAME ending in `Error`); a text
 * without a name reads as a FormatError. Only the first name is taken off, so a record
 * that shows a doubled prefix replays as it was recorded.
 */
export function readProblem(text: string): FormatProblem {
  const match = /^([A-Z][A-Za-z]*Error): ([\s\S]*)$/.exec(text);
  return match ? { name: match[1]!, message: match[2]! } : { name: DEFAULT_PROBLEM, message: text };
}

/** The answer to a tool call that was not carried out (`--parallel-tool-calls first`). */
export const IGNORED_CALL = 'Ignored: only the first tool call of a turn is carried out. Call this tool again in a later turn if you still need it.';
