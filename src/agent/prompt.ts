import { TaskError } from '../core/errors.js';

export type PromptVariables = Record<'instruction' | 'workdir' | 'max_turns' | 'context_window' | 'task_id', string | number>;

/** Fill `{{name}}` placeholders; an unknown placeholder is a task error, not silent text. */
export function renderTemplate(template: string, variables: PromptVariables): string {
  return template.replace(/\{\{\s*([a-zA-Z_]+)\s*\}\}/g, (_match, name: string) => {
    if (!(name in variables)) {
      throw new TaskError('BAD_PROMPT_TEMPLATE', `prompt template: unknown placeholder {{${name}}}; expected one of ${Object.keys(variables).map((k) => `{{${k}}}`).join(', ')}`, {
        context: { placeholder: name },
      });
    }
    return String(variables[name as keyof PromptVariables]);
  });
}
