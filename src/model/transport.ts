import type { Logger } from 'pino';
import { AbortedError } from '../core/errors.js';
import { APIConnectionError, APIConnectionTimeoutError, errorForStatus } from './errors.js';
import { readErrorText } from './http/read-body.js';
import { ERROR_BODY_BYTES } from './limits.js';
import { unlimited, type RateLimiter } from './rate-limiter.js';
import { parseRetryAfter, withRetries } from './retry.js';

export interface PostOptions<T> {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Per-attempt timeout, headers and body (or the whole stream) included. */
  timeoutMs: number;
  maxRetries: number;
  baseDelayMs?: number;
  /** Longest Retry-After waited out (retry.ts). */
  maxRetryAfterMs?: number;
  rateLimiter?: RateLimiter;
  /** Tokens reserved from the rate limiter per attempt. */
  reserveTokens: number;
  signal?: AbortSignal;
  log?: Logger;
  context: Record<string, string>;
  /** Read a 2xx answer; `sentAt` is when this attempt's request went out. */
  read(response: Response, sentAt: number): Promise<T>;
  /** The tokens the answer really cost, to correct the rate limiter's reservation. */
  actualTokens?(value: T): number | undefined;
}

/**
 * POST a JSON body with the rate limit, a timeout per attempt and retries on what is
 * retryable (see retry.ts). Shared by every model client, so they fail the same way.
 */
export async function postWithRetries<T>(options: PostOptions<T>): Promise<{ value: T; retries: number }> {
  const limiter = options.rateLimiter ?? unlimited;
  const result = await withRetries(
    async () => {
      await limiter.acquire(options.reserveTokens, options.signal);
      return postOnce(options);
    },
    {
      maxRetries: options.maxRetries,
      signal: options.signal,
      baseDelayMs: options.baseDelayMs,
      maxRetryAfterMs: options.maxRetryAfterMs,
      context: options.context,
      onRetry: ({ attempt, delayMs, error }) =>
        options.log?.warn({ attempt, delayMs, error: error instanceof Error ? error.message : String(error), url: options.url }, 'model request retried'),
    },
  );
  const actual = options.actualTokens?.(result.value);
  if (actual !== undefined) limiter.settle?.(options.reserveTokens, actual);
  return result;
}

async function postOnce<T>(options: PostOptions<T>): Promise<T> {
  const { signal, context } = options;
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    const sentAt = performance.now();
    const response = await fetch(options.url, { method: 'POST', headers: options.headers, body: options.body, signal: combined });
    if (!response.ok) {
      // Only the start of an error answer is read: its message, never a body of any size.
      const text = await readErrorText(response, ERROR_BODY_BYTES);
      throw errorForStatus(response.status, `model endpoint answered ${response.status}: ${text.slice(0, 500)}`, {
        retryAfterMs: parseRetryAfter(response.headers),
        context,
      });
    }
    return await options.read(response, sentAt);
  } catch (error) {
    if (signal?.aborted) throw new AbortedError('model request aborted', { cause: signal.reason, context });
    if (timeout.aborted) {
      throw new APIConnectionTimeoutError(`model request timed out after ${options.timeoutMs} ms`, { cause: error, context });
    }
    if (error instanceof TypeError || (error as { name?: string }).name === 'SocketError') {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new APIConnectionError(`cannot reach the model endpoint: ${cause?.code ?? cause?.message ?? (error as Error).message}`, { cause: error, context });
    }
    throw error;
  }
}

/** Round a duration to microseconds for the record. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
