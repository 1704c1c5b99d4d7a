import { renderTemplate, type PromptVariables } from '../../agent/prompt.js';
import { CWM_SYSTEM_PROMPT, CWM_USER_PROMPT, OPENAI_SYSTEM_PROMPT, OPENAI_USER_PROMPT } from '../../agent/protocols/prompts.js';
import type { DatasetTrajectory as Trajectory } from '../../trajectory/dataset-reader.js';
import { isRecord } from '../facts.js';
import type { ToolFormat } from './chat.js';

/**
 * The system and user messages that open the conversation. A model-driven agent of the
 * same tool format recorded its prompt templates in the header: fill them as it did. Any
 * other trajectory (scripted, or exported to the other format) gets the target format's
 * default prompts, so the prompt describes the tool syntax the conversation uses.
 */
export function renderOpening(trajectory: Trajectory, toolFormat: ToolFormat): { system: string; user: string } {
  const { header } = trajectory;
  const agent = header.agent;
  const budgets = isRecord(agent['budgets']) ? agent['budgets'] : {};
  const variables: PromptVariables = {
    instruction: header.task.instruction,
    workdir: header.workdir ?? 'the repository',
    max_turns: typeof budgets['max_turns'] === 'number' ? budgets['max_turns'] : header.limits?.max_steps ?? 'unknown',
    context_window: typeof agent['context_window'] === 'number' ? agent['context_window'] : 'unknown',
    task_id: header.task.id,
  };
  const recorded = agent['type'] === 'model' && (agent['tool_format'] ?? 'openai') === toolFormat;
  const system = recorded && typeof agent['system_prompt'] === 'string' ? agent['system_prompt'] : toolFormat === 'cwm' ? CWM_SYSTEM_PROMPT : OPENAI_SYSTEM_PROMPT;
  const user = recorded && typeof agent['user_prompt'] === 'string' ? agent['user_prompt'] : toolFormat === 'cwm' ? CWM_USER_PROMPT : OPENAI_USER_PROMPT;
  return { system: fill(system, variables), user: fill(user, variables) };
}

/** A template filled in; one with an unknown placeholder is kept as it was written. */
function fill(template: string, variables: PromptVariables): string {
  try {
    return renderTemplate(template, variables);
  } catch {
    return template;
  }
}
