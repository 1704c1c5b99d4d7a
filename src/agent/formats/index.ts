import type { FormatOptions, ToolFormat } from './types.js';
import { TOOL_FORMATS } from './registry.js';

/** A tool format's name, derived from the registry. */
export type ToolFormatName = keyof typeof TOOL_FORMATS;

/** The registered names, first the default (for zod enums and CLI choices). */
export const TOOL_FORMAT_NAMES = Object.keys(TOOL_FORMATS) as [ToolFormatName, ...ToolFormatName[]];

export function isToolFormatName(name: unknown): name is ToolFormatName {
  return typeof name === 'string' && Object.hasOwn(TOOL_FORMATS, name);
}

/** Formats with default options, made once: they are pure, and an export asks for one per trajectory. */
const DEFAULTS = new Map<ToolFormatName, ToolFormat>();

/** The format named `name`. */
export function getToolFormat(name: ToolFormatName, options: FormatOptions = {}): ToolFormat {
  if (Object.keys(options).length > 0) return TOOL_FORMATS[name](options);
  let format = DEFAULTS.get(name);
  if (!format) DEFAULTS.set(name, (format = TOOL_FORMATS[name]()));
  return format;
}

/** The model's words without any registered format's call syntax (the recording format is not always known). */
export function proseOf(text: string): string {
  let out = text;
  for (const name of TOOL_FORMAT_NAMES) out = getToolFormat(name).prose(out);
  return out;
}

export { groupTurns, stepForCall } from './turns.js';
export { formatProblem, readProblem, renderProblem, IGNORED_CALL, DEFAULT_PROBLEM } from './problem.js';
export { actionArguments, parseCallArguments } from './call-arguments.js';
export type { BudgetView, ChatExportMessage, ExportTurnContext, FormatOptions, FormatProblem, ParsedCall, ParsedTurn, RecordedTurn, ToolFormat, ToolFormatFactory } from './types.js';
export { formatForagerCall, formatForagerObservation, parseForagerCall } from './forager/index.js';
export { formatCwmCall } from './cwm/format.js';
export { OPENAI_TOOLS, parseArguments } from './openai/index.js';
