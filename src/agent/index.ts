import type { Agent } from '../core/contracts.js';
import type { Logger } from '../core/log.js';
import type { PriceTable, RateLimiter } from '../model/index.js';
import { createModelAgent } from './model-factory.js';
import type { AgentSpec } from './spec.js';
import { ScriptedAgent } from './scripted.js';

export interface AgentFactoryOptions {
  env?: NodeJS.ProcessEnv;
  /** One instance shared by every run of a harvest (model agents only). */
  rateLimiter?: RateLimiter;
  /** USD per million tokens by model (model agents only). */
  prices?: PriceTable;
  log?: Logger;
}

/** Build the agent a task's spec names. */
export function createAgent(spec: AgentSpec, options: AgentFactoryOptions = {}): Agent {
  switch (spec.type) {
    case 'scripted':
      return new ScriptedAgent(spec.actions);
    case 'model':
      return createModelAgent(spec, options);
  }
}

export { ScriptedAgent } from './scripted.js';
export { ModelAgent } from './model-agent.js';
export { CwmAgent } from './cwm-agent.js';
export { createModelAgent } from './model-factory.js';
export { applyModelOverrides, type ModelOverrides } from './overrides.js';
export { renderObservation } from './render.js';
export { AgentSpecSchema, type AgentSpec } from './spec.js';
export { ReplayAgent, type ReplayAgentOptions } from './replay.js';
export { ForkAgent } from './fork.js';
export { loadAgentSpec } from './spec-file.js';
export { ModelAgentSpecSchema, type ModelAgentSpec } from './model-spec.js';
export {
  getToolFormat, isToolFormatName, proseOf, groupTurns, renderProblem, readProblem, formatProblem, IGNORED_CALL,
  TOOL_FORMAT_NAMES, formatCwmCall, formatForagerCall, formatForagerObservation, parseForagerCall, OPENAI_TOOLS,
  type ToolFormat, type ToolFormatName, type ParsedTurn, type BudgetView, type ChatExportMessage, type RecordedTurn,
} from './formats/index.js';
export { renderTemplate, type PromptVariables } from './prompt.js';
