import type { DatasetStep, DatasetTrajectory } from '../../../trajectory/dataset-reader.js';
import { isRecord as isObject } from '../../facts.js';
import { recordedModel } from '../../../trajectory/schema.js';
import { modelOf } from '../record.js';
import { ATIF_VERSION, type AtifStep, type AtifTrajectory } from './types.js';

/**
 * A forager trajectory as one ATIF document: an optional system step (the agent's
 * recorded system prompt), the task as a user step, then one agent step per forager
 * step (the model's text, reasoning, tool calls, what it was shown as the observation
 * result, token usage). What ATIF has no field for (the lossless observation, state,
 * timings, failures, the header's provenance, the footer) goes under `extra.forager`.
 */
export function toAtif(trajectory: DatasetTrajectory): AtifTrajectory {
  const { header, footer } = trajectory;
  const agent = header.agent;
  const model = modelOf(agent);
  const settings = recordedModel(agent);
  const steps: AtifStep[] = [];
  if (settings?.system_prompt !== undefined) steps.push({ step_id: 1, source: 'system', message: settings.system_prompt });
  steps.push({ step_id: steps.length + 1, source: 'user', message: header.task.instruction, ...(header.started_at ? { timestamp: header.started_at } : {}) });
  for (const step of trajectory.steps) steps.push(agentStep(step, steps.length + 1, model));
  const { type: _h, agent: _a, ...headerRest } = header;
  const promptTokens = footer?.totals?.prompt_tokens;
  const completionTokens = footer?.totals?.completion_tokens;
  const cost = costOf(footer?.totals);
  return {
    schema_version: ATIF_VERSION,
    session_id: header.trajectory_id,
    agent: {
      // An imported agent keeps its harness's name and version among its model settings.
      name: typeof settings?.model['name'] === 'string' ? settings.model['name'] : `forager-${agent.type}`,
      version: typeof settings?.model['version'] === 'string' ? settings.model['version'] : header.forager_version,
      ...(model ? { model_name: model } : {}),
      extra: { forager_agent: agent },
    },
    steps,
    final_metrics: {
      ...(promptTokens !== undefined ? { total_prompt_tokens: promptTokens } : {}),
      ...(completionTokens !== undefined ? { total_completion_tokens: completionTokens } : {}),
      ...(cost !== undefined ? { total_cost_usd: cost } : {}),
      total_steps: steps.length,
    },
    extra: { forager: { header: headerRest, footer: footer ?? null, ...(trajectory.grade ? { grade: trajectory.grade } : {}) } },
  };
}

function agentStep(step: DatasetStep, stepId: number, model: string | null): AtifStep {
  const turn = step.model;
  const calls = turn?.tool_calls?.length
    ? turn.tool_calls.map((c) => ({ tool_call_id: c.id, function_name: c.name, arguments: parseArguments(c.arguments) }))
    : step.action
      ? [{ tool_call_id: `call_${step.index}`, function_name: step.action.tool, arguments: argumentsOf(step.action) }]
      : [];
  const out: AtifStep = { step_id: stepId, source: 'agent', message: turn?.raw_text ?? '' };
  if (step.started_at) out.timestamp = step.started_at;
  if (model) out.model_name = model;
  if (turn?.reasoning !== undefined) out.reasoning_content = turn.reasoning;
  if (calls.length > 0) out.tool_calls = calls;
  out.observation = { results: [{ ...(calls[0] ? { source_call_id: calls[0].tool_call_id } : {}), content: step.shown }] };
  const cost = costOf(turn);
  if (turn?.usage || cost !== undefined) out.metrics = { ...(turn?.usage ? { prompt_tokens: turn.usage.prompt_tokens, completion_tokens: turn.usage.completion_tokens } : {}), ...(cost !== undefined ? { cost_usd: cost } : {}) };
  const { type: _t, shown: _s, model: turnModel, ...rest } = step;
  const { raw_text: _r, reasoning: _re, tool_calls: _c, ...modelRest } = turnModel ?? { raw_text: '' };
  out.extra = { forager: { ...rest, ...(turnModel ? { model: modelRest } : {}), ...(turn?.tool_calls?.length ? {} : { synthesised_call: calls.length > 0 }) } };
  return out;
}

function argumentsOf(action: NonNullable<DatasetStep['action']>): Record<string, unknown> {
  const { tool: _tool, ...rest } = action;
  return rest;
}

/** A cost in USD when the record carries one (`cost_usd`), else undefined: forager does not price tokens itself here. */
function costOf(value: unknown): number | undefined {
  return isObject(value) && typeof value['cost_usd'] === 'number' ? value['cost_usd'] : undefined;
}

/** A recorded call's arguments as an object (ATIF requires one); text that is not a JSON object is kept under `_raw`. */
function parseArguments(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (isObject(value)) return value;
  } catch {
    // kept as text below
  }
  return { _raw: text };
}
