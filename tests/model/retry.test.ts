import { describe, expect, it } from 'vitest';
import { AbortedError } from '../../src/core/errors.js';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  BadRequestError,
  InternalServerError,
  RateLimitError,
  RetryAfterTooLongError,
  errorForStatus,
  isRetryable,
  parseRetryAfter,
  retryDelayMs,
  withRetries,
} from '../../src/model/index.js';

describe('isRetryable()', () => {
  it('retries 408, 409, 429 and 5xx, connection errors and timeouts', () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504, 529]) expect(isRetryable(errorForStatus(status, 'x')), String(status)).toBe(true);
    expect(isRetryable(new APIConnectionError('refused'))).toBe(true);
    expect(isRetryable(new APIConnectionTimeoutError('slow'))).toBe(true);
  });

  it('never retries other 4xx, aborts or unknown errors', () => {
    for (const status of [400, 401, 403, 404, 422]) expect(isRetryable(errorForStatus(status, 'x')), String(status)).toBe(false);
    expect(isRetryable(new AbortedError())).toBe(false);
    expect(isRetryable(new Error('bug'))).toBe(false);
  });

  it('maps statuses to their error classes', () => {
    expect(errorForStatus(429, 'x')).toBeInstanceOf(RateLimitError);
    expect(errorForStatus(400, 'x')).toBeInstanceOf(BadRequestError);
    expect(errorForStatus(502, 'x')).toBeInstanceOf(InternalServerError);
  });
});

describe('parseRetryAfter()', () => {
  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }))).toBe(3_000);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '3' }))).toBe(250);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' }), now)).toBe(5_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    // Any number notation, as the SDKs read it (parseFloat): `1e9` seconds is a billion seconds, not a date.
    expect(parseRetryAfter(new Headers({ 'retry-after': '1e9' }))).toBe(1e12);
    expect(parseRetryAfter(new Headers({ 'retry-after': '2.5' }))).toBe(2_500);
    expect(parseRetryAfter(new Headers({ 'retry-after': '-4' }))).toBe(0);
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });
});

describe('retryDelayMs()', () => {
  it('backs off exponentially with full jitter under a cap (the one backoff, core/backoff.ts)', () => {
    const options = { maxRetries: 9, baseDelayMs: 100, maxDelayMs: 1_000 };
    expect(retryDelayMs(1, undefined, { ...options, random: () => 0.999999 })).toBe(99);
    expect(retryDelayMs(3, undefined, { ...options, random: () => 0.999999 })).toBe(399);
    expect(retryDelayMs(3, undefined, { ...options, random: () => 0 })).toBe(0);
    expect(retryDelayMs(9, undefined, { ...options, random: () => 0.999999 })).toBe(999);
  });

  it('prefers the server Retry-After up to its cap (60 s unless set), and refuses to wait out a longer one', () => {
    expect(retryDelayMs(1, 7_000, { maxRetries: 1 })).toBe(7_000);
    expect(retryDelayMs(1, 60_000, { maxRetries: 1 })).toBe(60_000);
    const cause = new RateLimitError(429, 'slow down');
    const error = (() => { try { return retryDelayMs(1, 900_000, { maxRetries: 1, maxRetryAfterMs: 60_000, context: { url: 'u' } }, cause); } catch (e) { return e; } })();
    expect(error).toBeInstanceOf(RetryAfterTooLongError);
    expect(error).toMatchObject({ code: 'MODEL_RETRY_AFTER_TOO_LONG', kind: 'infrastructure', cause, context: { url: 'u', retry_after_ms: 900_000, max_retry_after_ms: 60_000 } });
    expect(() => retryDelayMs(1, Infinity, { maxRetries: 1 })).toThrow(/more than the 60 s forager waits \(max_retry_after_s, --max-retry-after\)/);
  });

  it('fails the request at once when the server asks for a longer wait than the cap, instead of sleeping', async () => {
    let calls = 0;
    const started = performance.now();
    const error = await withRetries(async () => {
      calls += 1;
      throw new RateLimitError(429, 'come back tomorrow', { retryAfterMs: 86_400_000 });
    }, { maxRetries: 5, maxRetryAfterMs: 1_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryAfterTooLongError);
    expect(calls).toBe(1);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('withRetries()', () => {
  it('returns the value with the number of retries it took', async () => {
    let calls = 0;
    const result = await withRetries(async () => {
      calls += 1;
      if (calls < 3) throw new InternalServerError(500, 'flaky');
      return 'ok';
    }, { maxRetries: 5, baseDelayMs: 1 });
    expect(result).toEqual({ value: 'ok', retries: 2 });
  });

  it('throws a final error at once', async () => {
    let calls = 0;
    const failing = withRetries(async () => {
      calls += 1;
      throw new BadRequestError(400, 'bad');
    }, { maxRetries: 5, baseDelayMs: 1 });
    await expect(failing).rejects.toBeInstanceOf(BadRequestError);
    expect(calls).toBe(1);
  });
});
