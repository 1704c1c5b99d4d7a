import type { Redis } from 'ioredis';
import { AbortedError } from '../core/errors.js';
import { sleep, type RateLimiter } from '../model/index.js';
import { KEY_PREFIX } from './names.js';
import { RATE_LIMIT_SCRIPT } from './rate-limit-script.js';

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

type WithAcquire = Redis & { foragerAcquire(k1: string, k2: string, k3: string, ...args: number[]): Promise<number> };

/**
 * A RateLimiter shared by every process that talks to the same Redis: in any window of
 * `windowMs`, at most `requestsPerMinute` requests and `tokensPerMinute` tokens are
 * admitted, counted at admission. Waiters poll (no FIFO across processes).
 */
export function createRedisRateLimiter(redis: Redis, options: RedisRateLimiterOptions): RateLimiter {
  for (const [field, value] of Object.entries({ requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute, windowMs: options.windowMs })) {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw new TypeError(`rate limiter: ${field} must be a positive number, got ${value}`);
  }
  const client = redis as WithAcquire;
  if (typeof client.foragerAcquire !== 'function') client.defineCommand('foragerAcquire', { numberOfKeys: 3, lua: RATE_LIMIT_SCRIPT });
  const base = `${KEY_PREFIX}:rate:${options.name ?? 'default'}`;
  const windowMs = Math.round(options.windowMs ?? 60_000);
  const requests = Math.floor(options.requestsPerMinute ?? 0);
  const tokens = Math.floor(options.tokensPerMinute ?? 0);
  const maxPollMs = options.maxPollMs ?? 1_000;

  return {
    async acquire(want, signal) {
      for (;;) {
        if (signal?.aborted) throw new AbortedError('aborted while waiting for the shared rate limit');
        const wait = Number(await client.foragerAcquire(`${base}:log`, `${base}:total`, `${base}:seq`, windowMs, requests, tokens, Math.max(0, Math.ceil(want))));
        if (wait <= 0) return;
        // A little jitter so waiting workers do not all ask again in the same millisecond.
        await sleep(Math.min(wait, maxPollMs) + Math.floor(Math.random() * 10), signal);
      }
    },
  };
}
