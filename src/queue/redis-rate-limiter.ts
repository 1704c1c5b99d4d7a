import type { Redis } from 'ioredis';
import { AbortedError } from '../core/errors.js';
import { sleep, type RateLimiter } from '../model/index.js';
import { KEY_PREFIX } from './names.js';
import { RATE_LIMIT_SCRIPT, RATE_SETTLE_SCRIPT } from './rate-limit-script.js';

export interface RedisRateLimiterOptions {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Length of the window the limits apply to; 60 000 ms ("per minute") unless an endpoint counts otherwise. */
  windowMs?: number;
  /** Limits with the same name are one limit, across every worker of the Redis. */
  name?: string;
  /** Longest single sleep before asking again (others may have given up their turn). */
  maxPollMs?: number;
}

type WithAcquire = Redis & {
  foragerAcquire(k1: string, k2: string, k3: string, ...args: number[]): Promise<number>;
  foragerSettle(k1: string, k2: string, from: string, to: string, delta: number): Promise<number>;
};

/**
 * A RateLimiter shared by every process that talks to the same Redis: in any window of
 * `windowMs`, at most `requestsPerMinute` requests and `tokensPerMinute` tokens are
 * admitted, counted at admission and corrected by `settle()` once a response's real
 * usage is known. Waiters poll (no FIFO across processes).
 */
export function createRedisRateLimiter(redis: Redis, options: RedisRateLimiterOptions): RateLimiter {
  for (const [field, value] of Object.entries({ requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute, windowMs: options.windowMs })) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new TypeError(`rate limiter: ${field} must be a positive number, got ${value}`);
  }
  const client = redis as WithAcquire;
  if (typeof client.foragerAcquire !== 'function') client.defineCommand('foragerAcquire', { numberOfKeys: 3, lua: RATE_LIMIT_SCRIPT });
  if (typeof client.foragerSettle !== 'function') client.defineCommand('foragerSettle', { numberOfKeys: 2, lua: RATE_SETTLE_SCRIPT });
  const base = `${KEY_PREFIX}:rate:${options.name ?? 'default'}`;
  const windowMs = Math.round(options.windowMs ?? 60_000);
  const requests = Math.floor(options.requestsPerMinute ?? 0);
  const tokens = Math.floor(options.tokensPerMinute ?? 0);
  const maxPollMs = options.maxPollMs ?? 1_000;
  // Admitted members by reserved size, newest last, so settle() can find the one to correct.
  const admitted = new Map<number, Array<{ member: string; tokens: number; at: number }>>();
  const forgetOld = (now: number) => {
    for (const [size, list] of admitted) {
      const kept = list.filter((a) => now - a.at < windowMs * 2);
      if (kept.length) admitted.set(size, kept);
      else admitted.delete(size);
    }
  };

  return {
    async acquire(want, signal) {
      for (;;) {
        if (signal?.aborted) throw new AbortedError('aborted while waiting for the shared rate limit');
        const size = Math.max(0, Math.ceil(want));
        const wait = Number(await client.foragerAcquire(`${base}:log`, `${base}:total`, `${base}:seq`, windowMs, requests, tokens, size));
        if (wait <= 0) {
          const admittedTokens = tokens > 0 && size > tokens ? tokens : size;
          const now = Date.now();
          forgetOld(now);
          if (wait < 0) admitted.set(size, [...(admitted.get(size) ?? []), { member: `${-wait}:${admittedTokens}`, tokens: admittedTokens, at: now }]);
          return;
        }
        // A little jitter so waiting workers do not all ask again in the same millisecond.
        await sleep(Math.min(wait, maxPollMs) + Math.floor(Math.random() * 10), signal);
      }
    },
    settle(reserved, actual) {
      const entry = admitted.get(Math.max(0, Math.ceil(reserved)))?.pop();
      if (!entry || !Number.isFinite(actual)) return;
      const real = Math.max(0, Math.ceil(actual));
      const seq = entry.member.split(':')[0];
      // Best effort: a lost correction only leaves the reservation as it was.
      void client.foragerSettle(`${base}:log`, `${base}:total`, entry.member, `${seq}:${real}`, real - entry.tokens).catch(() => undefined);
    },
  };
}
