import { formatCwmCall } from '../../agent/protocols/cwm-text.js';
import type { Action } from '../../trajectory/schema.js';

/**
 * An action in CWM's text tool format, as forager's CWM agent writes it. CWM has no
 * `view` tool; a view is written `<tool: view>\nPATH[\nSTART:END]\n</tool>`.
 */
export function renderCwmCall(action: Action): string {
  const formatted = formatCwmCall(action);
  if (formatted !== null || action.tool !== 'view') return formatted as string;
  const range = action.start_line === undefined && action.end_line === undefined ? '' : `\n${action.start_line ?? 1}:${action.end_line ?? ''}`;
  return `<tool: view>\n${action.path}${range}\n</tool>`;
}

/** An observation as CWM shows it, unless the agent already rendered it that way. */
export function renderCwmOutput(shown: string): string {
  return shown.startsWith('<output>\n') ? shown : `<output>\n${shown}\n</output>`;
}

/** Whether a model's text already holds a CWM tool call. */
export function hasCwmCall(text: string): boolean {
  return /<tool:\s[a-zA-Z_]+>\n/.test(text);
}

/** The text with its CWM tool call removed (what the model said around the call). */
export function stripCwmCall(text: string): string {
  return text.replace(/<tool:\s[a-zA-Z_]+>\n[\s\S]*?\n<\/tool>/, '').trim();
}
