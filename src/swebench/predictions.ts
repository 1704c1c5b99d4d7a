import { actingModel, type AgentDescription } from '../trajectory/schema.js';
import type { BatchAttempt } from './attempts.js';

/** One line of a SWE-bench predictions file, as the harness reads it. */
export interface Prediction {
  instance_id: string;
  model_name_or_path: string;
  model_patch: string;
}

/**
 * The model an attempt's agent ran (`agent.model.model`, the name sent to the endpoint; a
 * fork's acting model), as the harness and leaderboards expect in `model_name_or_path`;
 * `forager-<agent type>` for agents without a model (scripted, replay).
 */
export function modelOf(attempt: BatchAttempt): string {
  const agent = attempt.header.agent as AgentDescription;
  const model = actingModel(agent)?.model.model;
  if (typeof model === 'string' && model !== '') return model;
  // A description forager could not type (another producer's): its flat `model` when it has one.
  const record = agent.type === 'unknown' ? agent.record : undefined;
  if (typeof record?.['model'] === 'string' && record['model'] !== '') return record['model'];
  return `forager-${typeof agent.type === 'string' ? agent.type : 'agent'}`;
}

/** The prediction for each chosen attempt (its recorded patch; an attempt without one predicts the empty patch). */
export function predictionsOf(chosen: Map<string, BatchAttempt | undefined>, modelName?: string): Prediction[] {
  const out: Prediction[] = [];
  for (const [id, attempt] of chosen) {
    if (!attempt) continue;
    out.push({ instance_id: id, model_name_or_path: modelName ?? modelOf(attempt), model_patch: attempt.footer?.patch ?? '' });
  }
  return out;
}

/** JSON Lines, one prediction per line. */
export function renderPredictions(predictions: Prediction[]): string {
  return predictions.map((p) => `${JSON.stringify(p)}\n`).join('');
}
