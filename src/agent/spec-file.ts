import { readConfigFile } from '../core/config-file.js';
import { AgentSpecSchema, type AgentSpec } from './spec.js';

/** Read an agent spec from a YAML or JSON file (the same shape as a task's `agent:`). */
export async function loadAgentSpec(file: string): Promise<AgentSpec> {
  return (await readConfigFile(file, AgentSpecSchema, { what: 'agent spec', codePrefix: 'AGENT_SPEC' })).data;
}
