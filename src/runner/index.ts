export { runTask, effectiveLimits, type RunOptions, type RunResult } from './run-task.js';
export { PINNED_ENV, sandboxEnv } from './environment.js';
