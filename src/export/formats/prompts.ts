import { getToolFormat, renderTemplate, type PromptVariables, type ToolFormatName } from '../../agent/index.js';
import { CWM_DEFAULTS } from '../../agent/formats/cwm/index.js';
import type { DatasetTrajectory as Trajectory } from '../../trajectory/dataset-reader.js';
import { recordedModel } from '../../trajectory/schema.js';

/**
 * The system and user messages that open the conversation. The model agent that acted
 * (a fork's successor included) recorded its prompt templates in the header: when it
 * used the same tool format, fill them as it did. Any other trajectory (scripted, or
 * exported to another format) gets the target format's default prompts, so the prompt
 * describes the tool syntax the conversation uses.
 */
export function renderOpening(trajectory: Trajectory, toolFormat: ToolFormatName): { system: string; user: string; maxTurns: number } {
  const { header } = trajectory;
  const model = recordedModel(header.agent);
  const settings = model?.model;
  // An imported trajectory may know neither its limits nor its workdir: the default prompt then
  // says the turns it took and names no path (it is forager's prompt rebuilt for export, not the source's).
  const variables: PromptVariables = {
    instruction: header.task.instruction,
    workdir: header.workdir ?? 'the repository',
    max_turns: settings?.budgets?.max_turns ?? header.limits?.max_steps ?? trajectory.steps.length,
    // CWM's prompt names its context size, 131,072 unless the run set one.
    context_window: settings?.context_window ?? (toolFormat === 'cwm' ? CWM_DEFAULTS.contextSize : undefined),
    task_id: header.task.id,
    action_timeout_s: header.limits?.action_timeout_s,
  };
  const recorded = model && (settings?.tool_format ?? 'openai') === toolFormat ? model : undefined;
  const format = getToolFormat(toolFormat);
  return { system: fill(recorded?.system_prompt ?? format.defaultSystemPrompt, variables), user: fill(recorded?.user_prompt ?? format.defaultUserPrompt, variables), maxTurns: variables.max_turns };
}

/** A template filled in; one with an unknown placeholder is kept as it was written. */
function fill(template: string, variables: PromptVariables): string {
  try {
    return renderTemplate(template, variables);
  } catch {
    return template;
  }
}
