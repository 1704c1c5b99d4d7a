import { z } from 'zod';

/**
 * A model agent's settings as they ran: its spec with defaults filled in (the API key's
 * variable name, never the key). Open: settings added to the spec appear here as they are.
 */
export interface ModelSettings {
  base_url?: string;
  /** The model name sent to the endpoint. */
  model?: string;
  tool_format?: string;
  context_window?: number;
  budgets?: { max_turns?: number; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ScriptedAgentDescription {
  type: 'scripted';
  /** How many actions the script holds. */
  actions?: number;
}

export interface ModelAgentDescription {
  type: 'model';
  model: ModelSettings;
  /** The prompt templates that ran (the spec's, else the tool format's defaults). */
  system_prompt?: string;
  user_prompt?: string;
  /** The tools offered in the request (function calling), null when the format has none. */
  tools?: unknown[] | null;
}

export interface ReplayAgentDescription {
  type: 'replay';
  trajectory_id: string;
  path?: string;
  until?: number;
  steps: number;
  /** The agent of the replayed trajectory, as its header described it. */
  recorded?: AgentDescription;
}

export interface ForkAgentDescription {
  type: 'fork';
  replay: ReplayAgentDescription;
  /** The agent that took over after the replayed prefix. */
  then: AgentDescription;
}

/** An agent description forager cannot read as one of its own (another producer's, or a test's). */
export interface UnknownAgentDescription {
  type: 'unknown';
  record: Record<string, unknown>;
}

/** Who acted in a trajectory, in its header: a discriminated union on `type`. */
export type AgentDescription =
  | ScriptedAgentDescription
  | ModelAgentDescription
  | ReplayAgentDescription
  | ForkAgentDescription
  | UnknownAgentDescription;

const ModelSettingsSchema = z.looseObject({
  base_url: z.string().optional(),
  model: z.string().optional(),
  tool_format: z.string().optional(),
  context_window: z.number().optional(),
  budgets: z.looseObject({ max_turns: z.number().optional() }).optional(),
});

const ReplayDescriptionSchema = z.looseObject({
  type: z.literal('replay'),
  trajectory_id: z.string(),
  path: z.string().optional(),
  until: z.number().int().optional(),
  steps: z.number().int().nonnegative(),
  get recorded() {
    return AgentDescriptionSchema.optional();
  },
});

const TypedDescriptionSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('scripted'), actions: z.number().int().nonnegative().optional() }),
  z.looseObject({
    type: z.literal('model'),
    model: ModelSettingsSchema,
    system_prompt: z.string().optional(),
    user_prompt: z.string().optional(),
    tools: z.array(z.unknown()).nullable().optional(),
  }),
  ReplayDescriptionSchema,
  z.looseObject({
    type: z.literal('fork'),
    replay: ReplayDescriptionSchema,
    get then() {
      return AgentDescriptionSchema;
    },
  }),
  z.looseObject({ type: z.literal('unknown'), record: z.record(z.string(), z.unknown()) }),
]);

/**
 * The header's `agent`: a typed description, or a record written before descriptions were
 * typed, read into one (a model agent then described itself by its flat spec).
 */
export const AgentDescriptionSchema: z.ZodType<AgentDescription, unknown> = z.union([
  TypedDescriptionSchema,
  z.record(z.string(), z.unknown()).transform(upgradeAgentDescription),
]) as unknown as z.ZodType<AgentDescription, unknown>;

/** An untyped description as a typed one: a flat model spec nests under `model`; anything else unreadable is `unknown`. */
export function upgradeAgentDescription(record: Record<string, unknown>): AgentDescription {
  if (record['type'] === 'model' && (record['model'] === undefined || typeof record['model'] === 'string')) {
    const { type: _type, system_prompt, user_prompt, tools, ...settings } = record;
    const upgraded = TypedDescriptionSchema.safeParse({ type: 'model', model: { ...settings, ...(system_prompt !== undefined ? { system_prompt } : {}), ...(user_prompt !== undefined ? { user_prompt } : {}) }, system_prompt, user_prompt, tools });
    if (upgraded.success) return upgraded.data as AgentDescription;
  }
  return { type: 'unknown', record };
}

/** The model agent that acted last: the model itself, or the one a fork handed over to. */
export function actingModel(agent: AgentDescription): ModelAgentDescription | null {
  if (agent.type === 'model') return agent;
  if (agent.type === 'fork') return actingModel(agent.then);
  return null;
}

/** The model agent whose turns a trajectory's steps hold: the acting one, else the one a replay replayed. */
export function recordedModel(agent: AgentDescription): ModelAgentDescription | null {
  const acting = actingModel(agent);
  if (acting) return acting;
  if (agent.type === 'replay' && agent.recorded) return recordedModel(agent.recorded);
  if (agent.type === 'fork' && agent.replay.recorded) return recordedModel(agent.replay.recorded);
  return null;
}

/** A short label for lists: the variant, with the model for model agents and forks (e.g. `fork → model cwm-32b`). */
export function agentLabel(agent: AgentDescription): string {
  switch (agent.type) {
    case 'model':
      return agent.model.model ? `model ${agent.model.model}` : 'model';
    case 'fork':
      return `fork → ${agentLabel(agent.then)}`;
    case 'unknown':
      return typeof agent.record['type'] === 'string' ? agent.record['type'] : 'unknown';
    default:
      return agent.type;
  }
}
