import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/core/backoff.js';
import { isRetryable } from '../../src/scheduler/index.js';

describe('isRetryable', () => {
  it('retries infrastructure failures of the engine and the container', () => {
    for (const code of ['ENGINE_UNREACHABLE', 'CONTAINER_GONE', 'CONTAINER_OOM_KILLED', 'WATCHDOG_TIMEOUT']) {
      expect(isRetryable({ kind: 'infrastructure', code, message: '' })).toBe(true);
    }
  });

  it('never retries agent or task failures, a user abort, or an unknown internal error', () => {
    expect(isRetryable({ kind: 'agent', code: 'MAX_STEPS', message: '' })).toBe(false);
    expect(isRetryable({ kind: 'task', code: 'IMAGE_BUILD_FAILED', message: '' })).toBe(false);
    expect(isRetryable({ kind: 'task', code: 'CONTAINER_GONE', message: '' })).toBe(false);
    expect(isRetryable({ kind: 'infrastructure', code: 'ABORTED', message: '' })).toBe(false);
    expect(isRetryable({ kind: 'infrastructure', code: 'INTERNAL', message: '' })).toBe(false);
    expect(isRetryable(undefined)).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with full jitter below it', () => {
    const options = { baseMs: 100, capMs: 1_000 };
    expect([0, 1, 2, 3, 4, 10].map((retry) => backoffDelay(retry, options, () => 0.999999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffDelay(5, options, () => 0)).toBe(0);
    expect(backoffDelay(2, options, () => 0.5)).toBe(200);
  });
});
