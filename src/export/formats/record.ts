import type { DatasetTrajectory as Trajectory } from '../../trajectory/dataset-reader.js';
import { recordedModel, type AgentDescription } from '../../trajectory/schema.js';
import { repoOf, resolvedOf, rewardOf, tokensOf } from '../facts.js';

/** The per-trajectory fields every dataset line carries, named as public trajectory datasets name them. */
export interface TrajectorySummary {
  instance_id: string;
  trajectory_id: string;
  run_id: string;
  repo: string;
  model: string | null;
  exit_status: string | null;
  failure_kind: string | null;
  resolved: boolean | null;
  reward: number | null;
  model_patch: string | null;
  steps: number;
  tokens: number | null;
}

export function summarise(trajectory: Trajectory): TrajectorySummary {
  const { header, footer } = trajectory;
  return {
    instance_id: header.task.id,
    trajectory_id: header.trajectory_id,
    run_id: header.run_id,
    repo: repoOf(trajectory),
    model: modelOf(header.agent),
    exit_status: footer?.exit_status ?? null,
    failure_kind: footer?.failure_kind ?? null,
    resolved: resolvedOf(trajectory),
    reward: rewardOf(trajectory),
    model_patch: footer?.patch ?? null,
    steps: trajectory.steps.length,
    tokens: tokensOf(trajectory),
  };
}

/** The model name from the agent description: the model that acted (a fork's successor), or the one a replay replayed. */
export function modelOf(agent: AgentDescription): string | null {
  return recordedModel(agent)?.model.model ?? null;
}
