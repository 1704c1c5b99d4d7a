import { formatCwmCall } from '../../agent/protocols/cwm-text.js';

/** An action in CWM's text tool format, as forager's CWM agent writes and parses it. */
export const renderCwmCall = formatCwmCall;

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
