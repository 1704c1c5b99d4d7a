import { classifyFailure, TRANSIENT_CODES } from '../core/failure.js';
import type { BackoffOptions } from '../core/backoff.js';
import type { Failure } from '../trajectory/schema.js';

/** The failure codes an attempt is retried for at once (core/failure.ts decides; listed there). */
export const RETRYABLE_CODES: ReadonlySet<string> = TRANSIENT_CODES;

/** Whether an attempt that ended with this failure is retried now (core/failure.ts: `retry-now`). */
export function isRetryable(failure: Failure | undefined | null): boolean {
  return classifyFailure(failure) === 'retry-now';
}

export type { BackoffOptions };

/** Attempt retries wait up to 1 s, 2 s, 4 s … 30 s (full jitter: core/backoff.ts). */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, capMs: 30_000 };
