export { harvest, type HarvestOptions, type HarvestResult } from './harvest.js';
export { planBatch, imageKeyOf, type BatchPlan, type PlannedAttempt, type PlanOptions, type RejectedTask } from './plan.js';
export { isRetryable, RETRYABLE_CODES, DEFAULT_BACKOFF, type BackoffOptions } from './retry-policy.js';
export { readBatchStatus, type BatchStatus } from './status.js';
export { summariseDisk, type DiskSummary, type DiskMode, type DiskBound, type SandboxDiskFacts } from './disk-summary.js';
export { readBatchRecord, BatchRecord, type BatchEvent } from './batch-record.js';
export { inspectAttemptFile, needsRedo, moveAside, type AttemptFileState } from './attempt-file.js';
export { summariseOutcomes, outcomeLabel, needsRedoOutcome, type OutcomeSummary } from './stats.js';
export { withWatchdog, WatchdogTimeout } from './watchdog.js';
export {
  attemptPath, tryPath, taskDir, stagingRoot, stagingDir, parseTryName, parseTrajectoryName, isTryName,
  walkJsonlFiles, listAttemptsOnDisk, listAttemptFiles, listTries, INDEX_FILE, LOG_FILE, TRAJECTORIES_DIR, STAGING_DIR, type WalkOptions,
} from './layout.js';
export { matchesGlob } from '../core/glob.js';
export { loadTasks } from './load-tasks.js';
export { withAgentSetup } from './agent-setup.js';
export { runAttempt, finishedEvent, type RunTaskFn, type AttemptContext } from './run-attempt.js';
export type { AttemptOutcome, HarvestEvent } from './types.js';
