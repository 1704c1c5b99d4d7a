import { roundUsd } from '../model/prices.js';
import type { DatasetTrajectory as Trajectory } from '../trajectory/dataset-reader.js';
import { describeDistribution, type Distribution } from './distribution.js';
import { durationOf, exitStatusOf, repoOf, resolvedOf, tokensOf } from './facts.js';
import { emptySourceCounts, readTrajectories, type SourceCounts } from './source.js';

interface Tally {
  trajectories: number;
  submitted: number;
  evaluated: number;
  resolved: number;
  exitStatuses: Record<string, number>;
  failureKinds: Record<string, number>;
  steps: number[];
  tokens: number[];
  durations: number[];
  costUsd: number | null;
}

export interface GroupStats {
  trajectories: number;
  submitted: number;
  /** Trajectories with an evaluation (a reward or a resolved verdict). */
  evaluated: number;
  resolved: number;
  /** resolved / evaluated, null when none was evaluated. */
  resolved_rate: number | null;
  exit_statuses: Record<string, number>;
  failure_kinds: Record<string, number>;
  steps: Distribution;
  tokens: Distribution;
  duration_ms: Distribution;
  /** USD the model calls cost, summed (footer totals, else the steps' costs); null when none was priced. */
  cost_usd: number | null;
}

export interface DatasetStats extends GroupStats {
  read: SourceCounts;
  repos: Record<string, GroupStats>;
}

/** Counts, rates and distributions over the trajectories under the inputs, overall and per repository; streamed. */
export async function computeStats(inputs: readonly string[], options: { includePartial?: boolean; includeTries?: boolean } = {}): Promise<DatasetStats> {
  const read = emptySourceCounts();
  const overall = emptyTally();
  const perRepo = new Map<string, Tally>();
  for await (const trajectory of readTrajectories(inputs, options, read)) {
    const repo = repoOf(trajectory);
    let tally = perRepo.get(repo);
    if (!tally) perRepo.set(repo, (tally = emptyTally()));
    countInto(overall, trajectory);
    countInto(tally, trajectory);
  }
  const repos: Record<string, GroupStats> = {};
  for (const repo of [...perRepo.keys()].sort()) repos[repo] = summariseTally(perRepo.get(repo) as Tally);
  return { read, ...summariseTally(overall), repos };
}

function emptyTally(): Tally {
  return { trajectories: 0, submitted: 0, evaluated: 0, resolved: 0, exitStatuses: {}, failureKinds: {}, steps: [], tokens: [], durations: [], costUsd: null };
}

function countInto(tally: Tally, trajectory: Trajectory): void {
  const exitStatus = exitStatusOf(trajectory);
  const failureKind = trajectory.footer?.failure_kind ?? 'none';
  tally.trajectories += 1;
  if (exitStatus === 'submitted') tally.submitted += 1;
  tally.exitStatuses[exitStatus] = (tally.exitStatuses[exitStatus] ?? 0) + 1;
  tally.failureKinds[failureKind] = (tally.failureKinds[failureKind] ?? 0) + 1;
  const resolved = resolvedOf(trajectory);
  if (resolved !== null) {
    tally.evaluated += 1;
    if (resolved) tally.resolved += 1;
  }
  tally.steps.push(trajectory.steps.length);
  const tokens = tokensOf(trajectory);
  if (tokens !== null) tally.tokens.push(tokens);
  const duration = durationOf(trajectory);
  if (duration !== null) tally.durations.push(duration);
  const cost = costOf(trajectory);
  if (cost !== null) tally.costUsd = roundUsd((tally.costUsd ?? 0) + cost);
}

function summariseTally(tally: Tally): GroupStats {
  return {
    trajectories: tally.trajectories,
    submitted: tally.submitted,
    evaluated: tally.evaluated,
    resolved: tally.resolved,
    resolved_rate: tally.evaluated === 0 ? null : tally.resolved / tally.evaluated,
    exit_statuses: tally.exitStatuses,
    failure_kinds: tally.failureKinds,
    steps: describeDistribution(tally.steps),
    tokens: describeDistribution(tally.tokens),
    duration_ms: describeDistribution(tally.durations),
    cost_usd: tally.costUsd,
  };
}

function costOf(trajectory: Trajectory): number | null {
  const total = trajectory.footer?.totals?.cost_usd;
  if (total !== undefined) return total;
  const costs = trajectory.steps.flatMap((s) => (s.model?.cost_usd === undefined ? [] : [s.model.cost_usd]));
  return costs.length ? costs.reduce((a, b) => a + b, 0) : null;
}
