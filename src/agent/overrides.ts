import { TaskError } from '../core/errors.js';
import type { EndpointName } from '../model/index.js';
import { ModelAgentSpecSchema, type ModelAgentSpec } from './model-spec.js';
import type { ToolFormatName } from './formats/index.js';
import type { AgentSpec } from './spec.js';

/** Model settings given on the command line; each one overrides the task file's. */
export interface ModelOverrides {
  baseUrl?: string;
  model?: string;
  apiKeyEnv?: string;
  toolFormat?: ToolFormatName;
  parallelToolCalls?: 'run' | 'first';
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  seed?: number;
  maxTurns?: number;
  tokenBudget?: number;
  contextWindow?: number;
  requestTimeoutS?: number;
  maxRetries?: number;
  endpoint?: EndpointName;
  tokenParam?: 'max_tokens' | 'max_completion_tokens';
  reasoningEffort?: string;
  stream?: boolean;
  costLimit?: number;
  anthropicVersion?: string;
  maxResponseBytes?: number;
  streamIdleTimeoutS?: number;
  maxRetryAfterS?: number;
  maxToolCallBytes?: number;
}

/**
 * Merge command-line model settings into a task's agent spec. With no overrides the
 * spec is returned as it is; a model spec is updated field by field; any other spec
 * (scripted) is replaced by a model spec, which then needs at least a URL and a model.
 * The result is validated like a task file's, errors naming the flag's field.
 */
export function applyModelOverrides(spec: AgentSpec, overrides: ModelOverrides): AgentSpec {
  const given = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as ModelOverrides;
  if (Object.keys(given).length === 0) return spec;
  const base: Record<string, unknown> = spec.type === 'model' ? { ...spec, budgets: { ...spec.budgets } } : { type: 'model' };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) base[key] = value;
  };
  set('base_url', given.baseUrl);
  set('model', given.model);
  set('api_key_env', given.apiKeyEnv);
  set('tool_format', given.toolFormat);
  set('parallel_tool_calls', given.parallelToolCalls);
  set('temperature', given.temperature);
  set('top_p', given.topP);
  set('max_tokens', given.maxTokens);
  set('seed', given.seed);
  set('context_window', given.contextWindow);
  set('request_timeout_s', given.requestTimeoutS);
  set('max_retries', given.maxRetries);
  set('endpoint', given.endpoint);
  set('token_param', given.tokenParam);
  set('reasoning_effort', given.reasoningEffort);
  set('stream', given.stream);
  set('anthropic_version', given.anthropicVersion);
  set('max_response_bytes', given.maxResponseBytes);
  set('stream_idle_timeout_s', given.streamIdleTimeoutS);
  set('max_retry_after_s', given.maxRetryAfterS);
  set('max_tool_call_bytes', given.maxToolCallBytes);
  if (given.maxTurns !== undefined || given.tokenBudget !== undefined || given.costLimit !== undefined) {
    const budgets = { ...(base.budgets as Record<string, unknown> | undefined) };
    if (given.maxTurns !== undefined) budgets.max_turns = given.maxTurns;
    if (given.tokenBudget !== undefined) budgets.max_tokens = given.tokenBudget;
    if (given.costLimit !== undefined) budgets.max_cost_usd = given.costLimit;
    base.budgets = budgets;
  }
  const parsed = ModelAgentSpecSchema.safeParse(base);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || '(agent)';
    const hint = spec.type !== 'model' && (field === 'base_url' || field === 'model') ? ' (the task has no model agent: give both --model-url and --model)' : '';
    throw new TaskError('BAD_MODEL_OVERRIDE', `model settings: ${field}: ${issue.message}${hint}`, { context: { field } });
  }
  return parsed.data satisfies ModelAgentSpec;
}
