import { applyModelOverrides, createAgent, type ModelOverrides } from '../agent/index.js';
import type { RateLimiter } from '../model/index.js';
import type { RunTaskFn } from './run-attempt.js';

/**
 * Give every attempt of a batch the same agent settings: model flags from the command
 * line applied over each task's agent (the task file and its hash stay as they are; the
 * header records what ran) and one rate limiter shared by all concurrent runs.
 */
export function withAgentSetup(runTask: RunTaskFn, overrides: ModelOverrides | undefined, rateLimiter: RateLimiter | undefined): RunTaskFn {
  if (!overrides && !rateLimiter) return runTask;
  return (task, options) => {
    const spec = overrides ? applyModelOverrides(task.spec.agent, overrides) : task.spec.agent;
    const agent = spec === task.spec.agent ? options.agent : createAgent(spec, { log: options.log, rateLimiter });
    return runTask(task, { ...options, agent, rateLimiter });
  };
}
