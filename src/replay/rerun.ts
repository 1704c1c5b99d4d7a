import { createAgent, AgentSpecSchema, type AgentSpec } from '../agent/index.js';
import { TaskError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { SandboxProvider } from '../sandbox/index.js';
import { runTask, type RunResult } from '../runner/index.js';
import { readTrajectory } from '../trajectory/reader.js';
import type { Header } from '../trajectory/schema.js';
import { resolveRecordedImage } from './recorded-image.js';
import { loadRecordedTask } from './recorded-task.js';

export interface RerunOptions {
  out: string;
  signal?: AbortSignal;
  log?: Logger;
  allowRetagged?: boolean;
  /** Where the rerun's sandbox runs. */
  provider: SandboxProvider;
}

/**
 * Run the task of a trajectory again as a new attempt with its exact configuration: the
 * same task (hash checked), limits, image ID and agent, under the same run id with the
 * next attempt number. Only the header is read.
 */
export async function rerunTrajectory(path: string, options: RerunOptions): Promise<RunResult> {
  const { header } = await readTrajectory(path);
  const task = await loadRecordedTask(header);
  const image = await resolveRecordedImage(header, { allowRetagged: options.allowRetagged, provider: options.provider });
  return runTask(task, {
    out: options.out,
    runId: header.run_id,
    attempt: header.attempt + 1,
    signal: options.signal,
    log: options.log,
    agent: createAgent(recordedAgentSpec(header, task.spec.agent)),
    limits: header.limits,
    resolveImage: async () => image,
    provider: options.provider,
  });
}

/** The `anthropic-version` forager sent before the setting existed. */
const LEGACY_ANTHROPIC_VERSION = '2023-06-01';

/**
 * The agent spec the header records: a model agent's settings (its spec, defaults filled
 * in); otherwise the task's own (a scripted agent records only a count).
 */
export function recordedAgentSpec(header: Header, fallback: AgentSpec): AgentSpec {
  if (header.agent.type !== 'model') return fallback;
  // Headers written before `anthropic_version` was a setting ran the version then sent.
  const recorded = AgentSpecSchema.safeParse({ anthropic_version: LEGACY_ANTHROPIC_VERSION, ...header.agent.model, type: 'model' });
  return recorded.success ? recorded.data : fallback;
}

/** The agent spec a trajectory was recorded with (see recordedAgentSpec). */
export async function readRecordedAgentSpec(path: string): Promise<AgentSpec> {
  const { header } = await readTrajectory(path);
  const own = AgentSpecSchema.safeParse(header.task.spec.agent);
  if (!own.success) throw new TaskError('TRAJECTORY_INVALID', `${path}: field "task.spec.agent": not an agent spec this version of forager knows`);
  return recordedAgentSpec(header, own.data);
}
