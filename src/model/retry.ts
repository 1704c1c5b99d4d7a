import { AbortedError } from '../core/errors.js';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from './errors.js';

/** HTTP statuses worth another attempt: the request was fine, the server was not. */
export const RETRYABLE_STATUSES: readonly number[] = [408, 409, 429, 500, 502, 503, 504];

export interface RetryOptions {
  /** Attempts after the first one. */
  maxRetries: number;
  signal?: AbortSignal;
  /** First backoff delay (default 500 ms); doubled each attempt. */
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
 * The one place that decides what is retried: connection errors and timeouts, and
 * HTTP 408, 409, 429 and 5xx (listed in RETRYABLE_STATUSES; 501 and above 504 too).
 * Aborts and every other 4xx are final.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof AbortedError) return false;
  if (error instanceof APIConnectionError || error instanceof APIConnectionTimeoutError) return true;
  if (error instanceof APIError) return RETRYABLE_STATUSES.includes(error.status) || error.status >= 500;
  return false;
}

/**
 * Delay before retry number `attempt` (1-based): the server's Retry-After when it gave
 * one (capped), otherwise capped exponential backoff with up to 25% jitter taken off.
 */
export function retryDelayMs(attempt: number, retryAfterMs: number | undefined, options: RetryOptions): number {
  if (retryAfterMs !== undefined && retryAfterMs >= 0) return Math.min(retryAfterMs, options.maxRetryAfterMs ?? 120_000);
  const base = options.baseDelayMs ?? 500;
  const capped = Math.min(base * 2 ** (attempt - 1), options.maxDelayMs ?? 8_000);
  const jitter = 1 - 0.25 * (options.random ?? Math.random)();
  return Math.round(capped * jitter);
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

/** Wait `ms`, or reject with AbortedError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError('aborted while waiting', { cause: signal.reason }));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new AbortedError('aborted while waiting', { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
