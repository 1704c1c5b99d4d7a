import { createHash } from 'node:crypto';
import type { TaskSpec } from './spec.js';

/** Where the task's repository lives in the container: its `root`, else the workdir. */
export function repoRoot(spec: Pick<TaskSpec, 'repo' | 'workdir'>): string {
  return spec.repo?.root ?? spec.workdir;
}

/**
 * The spec as it may be recorded in a trajectory: the gold patch (the answer) replaced
 * by its sha256, so that datasets and agents never carry it.
 */
export function redactSpec(spec: TaskSpec): Record<string, unknown> {
  if (spec.gold_patch === undefined) return spec as unknown as Record<string, unknown>;
  const { gold_patch: gold, ...rest } = spec;
  return { ...rest, gold_patch_sha256: createHash('sha256').update(gold).digest('hex') };
}
