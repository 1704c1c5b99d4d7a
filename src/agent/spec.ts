import { z } from 'zod';
import { ActionSchema } from '../trajectory/schema.js';
import { ModelAgentSpecSchema } from './model-spec.js';

export const ScriptedAgentSpecSchema = z.object({
  type: z.literal('scripted'),
  actions: z.array(ActionSchema).min(1),
}).strict();

/** How a task says who acts in it; a discriminated union on `type`, unknown keys refused. */
export const AgentSpecSchema = z.discriminatedUnion('type', [ScriptedAgentSpecSchema, ModelAgentSpecSchema]);
export type AgentSpec = z.infer<typeof AgentSpecSchema>;
