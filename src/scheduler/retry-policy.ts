import type { Failure } from '../trajectory/schema.js';

/**
 * The failure codes worth another try: the harvester's world failed, not the agent or
 * the task. Everything else (agent limits, task errors, a user's abort, internal bugs)
 * is final.
 */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'ENGINE_UNREACHABLE', // the engine did not answer (stopped, restarting)
  'ENGINE_ERROR', // the engine answered 5xx (e.g. while shutting down)
  'CONTAINER_GONE', // the container stopped or was removed from outside
  'CONTAINER_OOM_KILLED', // killed for memory from outside the agent's control
  'IMAGE_BUILD_TRANSIENT', // a build failure flagged as transient (reserved: src/images does not flag any yet)
  'WATCHDOG_TIMEOUT', // the attempt hung past its wall limit (a hung engine call)
]);

/** Whether an attempt that ended with this failure is retried. */
export function isRetryable(failure: Failure | undefined | null): boolean {
  return failure?.kind === 'infrastructure' && RETRYABLE_CODES.has(failure.code);
}

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 30_000 };

/** Capped exponential backoff with full jitter: uniform in [0, min(cap, base·2^retry)). */
export function backoffDelay(retry: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** retry);
  return Math.floor(random() * ceiling);
}
