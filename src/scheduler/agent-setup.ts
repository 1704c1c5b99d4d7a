import { applyModelOverrides, createAgent, type AgentSpec, type ModelOverrides } from '../agent/index.js';
import type { PriceTable, RateLimiter } from '../model/index.js';
import type { RunTaskFn } from './run-attempt.js';

/** What a harvest sets for every task's agent. */
export interface AgentSetup {
  /** Replaces each task's own agent (`harvest --agent-file`). */
  agent?: AgentSpec;
  /** Model flags applied over the agent, field by field. */
  overrides?: ModelOverrides;
  /** Shared by every concurrent run. */
  rateLimiter?: RateLimiter;
  /** Model prices, for per-step cost and cost limits. */
  prices?: PriceTable;
}

/** The agent spec a task runs with under `setup` (validated: a bad override throws). */
export function agentSpecFor(taskAgent: AgentSpec, setup: AgentSetup): AgentSpec {
  const base = setup.agent ?? taskAgent;
  return setup.overrides ? applyModelOverrides(base, setup.overrides) : base;
}

/**
 * Give every attempt of a batch the same agent settings: an agent file in place of each
 * task's agent and model flags applied over it (the task file and its hash stay as
 * they are; the header records what ran), one rate limiter shared by all concurrent
 * runs, and the price table.
 */
export function withAgentSetup(runTask: RunTaskFn, setup: AgentSetup): RunTaskFn {
  if (!setup.agent && !setup.overrides && !setup.rateLimiter && !setup.prices) return runTask;
  return (task, options) => {
    const spec = agentSpecFor(task.spec.agent, setup);
    const agent = spec === task.spec.agent ? options.agent : createAgent(spec, { log: options.log, rateLimiter: setup.rateLimiter, prices: setup.prices });
    return runTask(task, { ...options, agent, rateLimiter: setup.rateLimiter, prices: setup.prices });
  };
}
