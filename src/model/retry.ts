import { backoffDelay } from '../core/backoff.js';
import { AbortedError, ForagerError } from '../core/errors.js';
import { classifyError, RETRYABLE_HTTP_STATUSES } from '../core/failure.js';
import { sleep as sleepOrThrow } from '../core/sleep.js';
import { APIError, RetryAfterTooLongError } from './errors.js';
import { DEFAULT_MAX_RETRY_AFTER_MS } from './limits.js';

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
  /** Longest server-given Retry-After waited out (default 60 s); a longer one fails the request (RetryAfterTooLongError). */
  maxRetryAfterMs?: number;
  /** Carried by the errors this loop throws itself. */
  context?: Record<string, string>;
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
 * one, otherwise forager's one backoff (core/backoff.ts: capped exponential, full jitter).
 * A Retry-After past `maxRetryAfterMs` is not waited out: the request fails with
 * RetryAfterTooLongError (a server that says "in a week" is not retried in a minute, nor
 * waited for until the run's wall time ends it).
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, options: RetryOptions, cause?: unknown): number {
  const cap = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
  if (retryAfterMs !== undefined && retryAfterMs > cap) {
    throw new RetryAfterTooLongError(`the model endpoint asked to be retried in ${Math.round(retryAfterMs / 1000)} s, more than the ${Math.round(cap / 1000)} s forager waits (max_retry_after_s, --max-retry-after)`, {
      cause,
      context: { ...options.context, retry_after_ms: Math.round(retryAfterMs), max_retry_after_ms: cap },
    });
  }
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return retryAfterMs;
  return backoffDelay(attempt - 1, { baseMs: options.baseDelayMs ?? 500, capMs: options.maxDelayMs ?? 8_000 }, options.random);
}

/**
 * Read `retry-after-ms` (milliseconds) or `Retry-After` (seconds, or an HTTP date), as the
 * official SDKs read them (a number in any notation, `1e9` included). Undefined when absent
 * or unreadable; never negative; may be Infinity (then refused by the cap).
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = numberIn(headers.get('retry-after-ms'));
  if (ms !== undefined) return Math.max(0, ms);
  const value = headers.get('retry-after');
  const seconds = numberIn(value);
  if (seconds !== undefined) return Math.max(0, seconds * 1000);
  const date = value === null ? NaN : Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function numberIn(text: string | null): number | undefined {
  if (text === null || text.trim() === '') return undefined;
  const n = Number(text.trim());
  return Number.isNaN(n) ? undefined : n;
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
      const delayMs = retryDelayMs(retries + 1, error instanceof APIError ? error.retryAfterMs : undefined, options, error);
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
