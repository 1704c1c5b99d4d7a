import { resolve } from 'node:path';
import { ForkAgent, ReplayAgent } from '../agent/index.js';
import type { Agent } from '../core/contracts.js';
import { TaskError } from '../core/errors.js';
import { runTask, type RunResult } from '../runner/index.js';
import { readTrajectory, type Trajectory } from '../trajectory/reader.js';
import { compareTrajectories, type Comparison } from './compare.js';
import type { ReplayOptions } from './replay.js';
import { resolveRecordedImage } from './recorded-image.js';
import { loadRecordedTask } from './recorded-task.js';

export interface ForkOptions extends ReplayOptions {
  /** The last recorded step to replay (inclusive); the new agent acts from the next one. */
  until: number;
  /** The agent that takes over after step `until`. */
  agent: Agent;
}

export interface ForkResult {
  parent: Trajectory;
  run: RunResult;
  /** How faithfully the replayed prefix reproduced the parent's observations. */
  prefix: Comparison;
}

/**
 * Restore the state after step `until` by replaying steps 0..until of a trajectory, then
 * let another agent continue. The replayed prefix is recorded in the new trajectory as
 * ordinary steps, each marked with `replay_of` (format errors included, so indices
 * match the parent's), and the header names the parent and the fork step.
 */
export async function forkTrajectory(path: string, options: ForkOptions): Promise<ForkResult> {
  const parent = await readTrajectory(path);
  checkForkStep(parent, options.until);
  const { header } = parent;
  const task = await loadRecordedTask(header);
  const image = await resolveRecordedImage(header, { allowRetagged: options.allowRetagged, provider: options.provider });
  const source = { trajectory_id: header.trajectory_id, path: resolve(path) };
  const prefix = new ReplayAgent({ steps: parent.steps, source: { ...source, agent: header.agent }, until: options.until, formatErrors: 'replay' });
  const run = await runTask(task, {
    out: options.out,
    runId: options.runId ?? `fork-${process.pid}-${Date.now()}`,
    signal: options.signal,
    log: options.log,
    agent: new ForkAgent(prefix, options.agent),
    limits: header.limits,
    parent: { ...source, step: options.until },
    resolveImage: async () => image,
    provider: options.provider,
  });
  const replayed = await readTrajectory(run.path);
  const prefixSteps = parent.steps.filter((s) => s.index <= options.until);
  return { parent, run, prefix: compareTrajectories(prefixSteps, replayed.steps.filter((s) => s.replay_of !== undefined), options.rules) };
}

/** A fork step must exist and come before the parent submitted (a submit ends the run). */
export function checkForkStep(parent: Trajectory, until: number): void {
  const last = parent.steps.at(-1)?.index ?? -1;
  if (!Number.isInteger(until) || until < 0 || until > last) {
    throw new TaskError('FORK_STEP_INVALID', `--until ${until}: expected a step index from 0 to ${last} of ${parent.path}`);
  }
  const submit = parent.steps.find((s) => s.index <= until && s.action?.tool === 'submit');
  if (submit) {
    throw new TaskError('FORK_STEP_INVALID', `--until ${until}: step ${submit.index} of ${parent.path} submits, which ends the run; fork from step ${submit.index - 1} or earlier`);
  }
  if (until + 1 >= parent.header.limits.max_steps) {
    throw new TaskError('FORK_STEP_INVALID', `--until ${until}: the recorded limit of ${parent.header.limits.max_steps} steps leaves the new agent no step`);
  }
}
