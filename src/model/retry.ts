import { backoffDelay } from '../core/backoff.js';
import { AbortedError, ForagerError } from '../core/errors.js';
import { classifyError, RETRYABLE_HTTP_STATUSES } from '../core/failure.js';
import { sleep as sleepOrThrow } from '../core/sleep.js';
import { APIError } from './errors.js';

/** HTTP statuses worth another attempt: the request was fine, the server was not (core/failure.ts). */
export const RETRYABLE_STATUSES: readonly number[] = RETRYABLE_HTTP_STATUSES;

export interface RetryOptions {
  /** Attempts after the first one. */
  maxRetries: number;
  signal?: AbortSignal;
  /** Ceiling of the first backoff delay (default 500 ms); doubled each attempt. */
  baseDelayMs?: number;
  /** Cap on a computed backoff delay (default 8 s). */
  maxDelayMs?: number;
  /** Cap on a server-given Retry-After (default 120 s). */
  maxRetryAfterMs?: number;
  /** Told before each wait; for logs. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  random?: () => number;
}

/**
 * Whether a request is retried: core/failure.ts decides (`retry-now`): connection
 * errors and timeouts, HTTP 408, 409, 429 and 5xx. Aborts and every other 4xx are final.
 */
export function isRetryable(error: unknown): boolean {
  return classifyError(error) === 'retry-now';
}

/**
 * Delay before retry number `attempt` (1-based): the server's Retry-After when it gave
 * one (capped), otherwise forager's one backoff (core/backoff.ts: capped exponential, full jitter).
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, options: RetryOptions): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, options.maxRetryAfterMs ?? 120_000);
  return backoffDelay(attempt - 1, { baseMs: options.baseDelayMs ?? 500, capMs: options.maxDelayMs ?? 8_000 }, options.random);
}

/**
 * Read `retry-after-ms` (milliseconds) or `Retry-After` (seconds, or an HTTP date).
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Run `attempt` until it succeeds, fails for good, or retries run out. */
export async function withRetries<T>(
  attempt: (attemptIndex: number) => Promise<T>,
  options: RetryOptions,
): Promise<{ value: T; retries: number }> {
  for (let retries = 0; ; retries += 1) {
    if (options.signal?.aborted) throw new AbortedError('model request aborted', { cause: options.signal.reason });
    try {
      return { value: await attempt(retries), retries };
    } catch (error) {
      if (retries >= options.maxRetries || !isRetryable(error)) throw error;
      const delayMs = retryDelayMs(retries + 1, error instanceof APIError ? error.retryAfterMs : undefined, options);
      options.onRetry?.({ attempt: retries + 1, delayMs, error });
      await sleep(delayMs, options.signal);
    }
  }
}

/** Wait `ms` (core/sleep.ts); an abort rejects with the model client's AbortedError, the reason as its cause. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepOrThrow(ms, signal).catch((reason: unknown) => {
    throw reason instanceof ForagerError && reason.code === 'ABORTED' ? reason : new AbortedError('aborted while waiting', { cause: reason });
  });
}
