import { resolve } from 'node:path';
import { ReplayAgent } from '../agent/index.js';
import type { Logger } from '../core/log.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { runTask, type RunResult } from '../runner/index.js';
import { readTrajectory, type Trajectory } from '../trajectory/reader.js';
import { compareTrajectories, type Comparison } from './compare.js';
import type { NormalizeRule } from './normalize.js';
import { resolveRecordedImage } from './recorded-image.js';
import { loadRecordedTask } from './recorded-task.js';

export interface ReplayOptions {
  /** Where the replay's own trajectory is written. */
  out: string;
  runId?: string;
  signal?: AbortSignal;
  log?: Logger;
  /** Normalisation rules for the comparison; none compares bytes exactly. */
  rules?: readonly NormalizeRule[];
  allowRetagged?: boolean;
  /** Where the replay's sandbox runs. */
  provider: SandboxProvider;
}

export interface ReplayResult {
  recorded: Trajectory;
  replayed: Trajectory;
  run: RunResult;
  comparison: Comparison;
}

/**
 * Re-run a trajectory's recorded actions in a fresh sandbox of the recorded image (by
 * ID), with the recorded task and limits, and compare every observation with the record.
 * Format-error steps are skipped: they never reached the sandbox.
 */
export async function replayTrajectory(path: string, options: ReplayOptions): Promise<ReplayResult> {
  const recorded = await readTrajectory(path);
  const { header } = recorded;
  const task = await loadRecordedTask(header);
  const image = await resolveRecordedImage(header, { allowRetagged: options.allowRetagged, provider: options.provider });
  const agent = new ReplayAgent({ steps: recorded.steps, source: { trajectory_id: header.trajectory_id, path: resolve(path), agent: header.agent }, formatErrors: 'skip' });
  const run = await runTask(task, {
    out: options.out,
    runId: options.runId ?? `replay-${process.pid}-${Date.now()}`,
    signal: options.signal,
    log: options.log,
    agent,
    limits: header.limits,
    resolveImage: async () => image,
    provider: options.provider,
  });
  const replayed = await readTrajectory(run.path);
  return { recorded, replayed, run, comparison: compareTrajectories(recorded.steps, replayed.steps, options.rules) };
}
