import { TaskError } from '../core/errors.js';

/** Values for a prompt template; `context_window` is undefined when it is not known. */
export interface PromptVariables {
  instruction: string;
  workdir: string;
  max_turns: number;
  context_window: number | undefined;
  task_id: string;
  /** The task's per-command time limit in seconds (CWM's prompt names it). */
  action_timeout_s?: number;
}

const NAMES = ['instruction', 'workdir', 'max_turns', 'context_window', 'task_id', 'action_timeout_s'] as const;

const SECTION = /\{\{#\s*([a-zA-Z_]+)\s*\}\}([\s\S]*?)\{\{\/\s*\1\s*\}\}/g;
const PLACEHOLDER = /\{\{\s*([a-zA-Z_]+)\s*\}\}/;

/**
 * Templates split at their placeholders, by which values are known (a bit per name): an
 * export fills the same few templates for every trajectory. Keyed by the template itself,
 * whose hash the engine keeps with the string.
 */
const SPLIT = new Map<string, Map<number, string[]>>();

/**
 * Fill `{{name}}` placeholders. `{{#name}}…{{/name}}` keeps its text only when the value
 * is known (e.g. a sentence about the context window); a bare placeholder of an unknown
 * value reads `unknown`. An unknown placeholder is a task error, not silent text.
 */
export function renderTemplate(template: string, variables: PromptVariables): string {
  const parts = splitTemplate(template, variables);
  let text = parts[0] as string;
  for (let i = 1; i < parts.length; i += 2) text += String(variables[parts[i] as keyof PromptVariables] ?? 'unknown') + (parts[i + 1] as string);
  return text;
}

/** The template with its sections kept or dropped, as text and placeholder names alternating: [text, name, text, …, text]. */
function splitTemplate(template: string, variables: PromptVariables): string[] {
  let known = 0;
  for (let i = 0; i < NAMES.length; i += 1) if (variables[NAMES[i] as keyof PromptVariables] !== undefined) known |= 1 << i;
  let byKnown = SPLIT.get(template);
  let parts = byKnown?.get(known);
  if (parts) return parts;
  const sections = template.replace(SECTION, (_match, name: string, body: string) => {
    check(name);
    return variables[name as keyof PromptVariables] === undefined ? '' : body;
  });
  parts = sections.split(PLACEHOLDER);
  for (let i = 1; i < parts.length; i += 2) check(parts[i] as string);
  if (!byKnown) {
    // Recorded prompts can differ per trajectory: keep the cache small.
    if (SPLIT.size >= 64) SPLIT.clear();
    byKnown = new Map();
    SPLIT.set(template, byKnown);
  }
  byKnown.set(known, parts);
  return parts;
}

function check(name: string): void {
  if ((NAMES as readonly string[]).includes(name)) return;
  throw new TaskError('BAD_PROMPT_TEMPLATE', `prompt template: unknown placeholder {{${name}}}; expected one of ${NAMES.map((k) => `{{${k}}}`).join(', ')}`, {
    context: { placeholder: name },
  });
}
