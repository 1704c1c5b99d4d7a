import type { Action } from '../../trajectory/schema.js';

/** An action in CWM's text tool format: one `<tool: NAME>\n…\n</tool>` block. */
export function renderCwmCall(action: Action): string {
  switch (action.tool) {
    case 'bash': return block('bash', action.command);
    case 'create': return block('create', `${action.path}\n${action.content}`);
    case 'edit': return block('edit', `${action.path}\n<<<<<<< SEARCH\n${action.search}\n=======\n${action.replace}\n>>>>>>> REPLACE`);
    case 'submit': return block('submit', action.result ?? '');
    case 'view': {
      const range = action.start_line === undefined && action.end_line === undefined ? '' : `\n${action.start_line ?? 1}:${action.end_line ?? ''}`;
      return block('view', `${action.path}${range}`);
    }
  }
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

function block(tool: string, body: string): string {
  return `<tool: ${tool}>\n${body}\n</tool>`;
}
