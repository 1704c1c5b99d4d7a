import type { BatchAttempt } from './attempts.js';

/** One line of a SWE-bench predictions file, as the harness reads it. */
export interface Prediction {
  instance_id: string;
  model_name_or_path: string;
  model_patch: string;
}

/** The model an attempt ran (its agent's `model`), else `forager-<agent type>`. */
export function modelOf(attempt: BatchAttempt): string {
  const agent = attempt.header.agent as { model?: unknown; type?: unknown };
  if (typeof agent.model === 'string' && agent.model) return agent.model;
  if (agent.model && typeof agent.model === 'object' && typeof (agent.model as { name?: unknown }).name === 'string') return (agent.model as { name: string }).name;
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
