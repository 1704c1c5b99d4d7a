import { TaskError } from '../core/errors.js';

/** Values for a prompt template; `context_window` is undefined when it is not known. */
export interface PromptVariables {
  instruction: string;
  workdir: string;
  max_turns: number;
  context_window: number | undefined;
  task_id: string;
}

const NAMES = ['instruction', 'workdir', 'max_turns', 'context_window', 'task_id'] as const;

/**
 * Fill `{{name}}` placeholders. `{{#name}}…{{/name}}` keeps its text only when the value
 * is known (e.g. a sentence about the context window); a bare placeholder of an unknown
 * value reads `unknown`. An unknown placeholder is a task error, not silent text.
 */
export function renderTemplate(template: string, variables: PromptVariables): string {
  const sections = template.replace(/\{\{#\s*([a-zA-Z_]+)\s*\}\}([\s\S]*?)\{\{\/\s*\1\s*\}\}/g, (_match, name: string, body: string) => {
    check(name);
    return variables[name as keyof PromptVariables] === undefined ? '' : body;
  });
  return sections.replace(/\{\{\s*([a-zA-Z_]+)\s*\}\}/g, (_match, name: string) => {
    check(name);
    return String(variables[name as keyof PromptVariables] ?? 'unknown');
  });
}

function check(name: string): void {
  if ((NAMES as readonly string[]).includes(name)) return;
  throw new TaskError('BAD_PROMPT_TEMPLATE', `prompt template: unknown placeholder {{${name}}}; expected one of ${NAMES.map((k) => `{{${k}}}`).join(', ')}`, {
    context: { placeholder: name },
  });
}
