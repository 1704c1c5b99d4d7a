import type { DatasetTrajectory as Trajectory } from '../trajectory/dataset-reader.js';
import { exitStatusOf, repoOf, resolvedOf, rewardOf, tokensOf } from './facts.js';
import { matchesAnyGlob } from '../core/glob.js';

/** What to keep; every field left undefined keeps everything. */
export interface FilterSpec {
  exitStatuses?: readonly string[];
  /** Failure kinds to keep; `none` stands for trajectories without a failure. */
  failureKinds?: readonly string[];
  resolved?: boolean;
  minReward?: number;
  tasks?: readonly RegExp[];
  repos?: readonly RegExp[];
  minSteps?: number;
  maxSteps?: number;
  /** Trajectories without recorded token usage pass this filter. */
  maxTokens?: number;
  excludeTasks?: ReadonlySet<string>;
  /** Normalised repository names (see normaliseRepo). */
  excludeRepos?: ReadonlySet<string>;
}

/** Why a trajectory is left out, or null when it is kept. Pure: the same trajectory always gets the same answer. */
export function rejectReason(trajectory: Trajectory, spec: FilterSpec): string | null {
  const { header, footer, steps } = trajectory;
  const repo = repoOf(trajectory);
  if (spec.excludeTasks?.has(header.task.id)) return 'excluded_task';
  if (spec.excludeRepos?.has(repo)) return 'excluded_repo';
  if (spec.exitStatuses && !spec.exitStatuses.includes(exitStatusOf(trajectory))) return 'exit_status';
  if (spec.failureKinds && !spec.failureKinds.includes(footer?.failure_kind ?? 'none')) return 'failure_kind';
  if (spec.resolved !== undefined && resolvedOf(trajectory) !== spec.resolved) return 'resolved';
  if (spec.minReward !== undefined && (rewardOf(trajectory) ?? -Infinity) < spec.minReward) return 'reward';
  if (spec.tasks && !matchesAnyGlob(header.task.id, spec.tasks)) return 'task';
  if (spec.repos && !matchesAnyGlob(repo, spec.repos)) return 'repo';
  if (spec.minSteps !== undefined && steps.length < spec.minSteps) return 'steps';
  if (spec.maxSteps !== undefined && steps.length > spec.maxSteps) return 'steps';
  if (spec.maxTokens !== undefined && (tokensOf(trajectory) ?? 0) > spec.maxTokens) return 'tokens';
  return null;
}

/** The filters of a spec, one readable line each (for reports and dataset cards). */
export function describeFilters(spec: FilterSpec): string[] {
  const lines: string[] = [];
  const list = (values: readonly unknown[]) => values.map(String).join(', ');
  if (spec.excludeTasks) lines.push(`decontamination: ${spec.excludeTasks.size} task ids excluded`);
  if (spec.excludeRepos) lines.push(`decontamination: ${spec.excludeRepos.size} repositories excluded`);
  if (spec.exitStatuses) lines.push(`exit status in: ${list(spec.exitStatuses)}`);
  if (spec.failureKinds) lines.push(`failure kind in: ${list(spec.failureKinds)}`);
  if (spec.resolved !== undefined) lines.push(spec.resolved ? 'resolved only' : 'unresolved only');
  if (spec.minReward !== undefined) lines.push(`reward >= ${spec.minReward}`);
  if (spec.tasks) lines.push(`task ids matching: ${list(spec.tasks.map((r) => r.source))}`);
  if (spec.repos) lines.push(`repositories matching: ${list(spec.repos.map((r) => r.source))}`);
  if (spec.minSteps !== undefined) lines.push(`at least ${spec.minSteps} steps`);
  if (spec.maxSteps !== undefined) lines.push(`at most ${spec.maxSteps} steps`);
  if (spec.maxTokens !== undefined) lines.push(`at most ${spec.maxTokens} model tokens`);
  return lines;
}
