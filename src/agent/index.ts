import type { Agent } from '../core/contracts.js';
import type { AgentSpec } from './spec.js';
import { ScriptedAgent } from './scripted.js';

export interface AgentFactoryOptions {
  env?: NodeJS.ProcessEnv;
}

/** Build the agent a task's spec names. */
export function createAgent(spec: AgentSpec, _options: AgentFactoryOptions = {}): Agent {
  switch (spec.type) {
    case 'scripted':
      return new ScriptedAgent(spec.actions);
  }
}

export { ScriptedAgent } from './scripted.js';
export { renderObservation } from './render.js';
export { AgentSpecSchema, type AgentSpec } from './spec.js';
export { ReplayAgent, type ReplayAgentOptions } from './replay.js';
export { ForkAgent } from './fork.js';
export { loadAgentSpec } from './spec-file.js';
