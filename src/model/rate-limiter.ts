import { AbortedError } from '../core/errors.js';
import { sleep } from './retry.js';

/**
 * Admission control for model requests. One instance is shared by every run in a
 * process; a cross-process implementation (a Redis bucket) can match the same shape.
 */
export interface RateLimiter {
  /** Resolve when one request of about `tokens` tokens may be sent. */
  acquire(tokens: number, signal?: AbortSignal): Promise<void>;
  /**
   * Correct a reservation once the answer's real usage is known: `reserved` tokens were
   * taken at admission, `actual` were spent (the difference is given back, or taken).
   */
  settle?(reserved: number, actual: number): void;
}

export interface RateLimiterOptions {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** How much may go at once, as a span of the rate (default a minute's worth). */
  burstMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** A limiter that never waits. */
export const unlimited: RateLimiter = { acquire: async () => undefined, settle: () => undefined };

/**
 * Two token buckets (requests and tokens), each holding `burstMs` worth and refilled
 * continuously. Callers are served first come, first served, so a large request is not
 * starved by small ones; a request larger than a whole minute is let through when the
 * bucket is full, rather than never.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? (() => performance.now());
  for (const [name, value] of Object.entries({ requestsPerMinute: options.requestsPerMinute, tokensPerMinute: options.tokensPerMinute })) {
    if (value !== undefined && !(value > 0)) throw new TypeError(`rate limiter: ${name} must be a positive number, got ${value}`);
  }
  const buckets = [
    options.requestsPerMinute ? bucket(options.requestsPerMinute, options.burstMs ?? 60_000, now) : undefined,
    options.tokensPerMinute ? bucket(options.tokensPerMinute, options.burstMs ?? 60_000, now) : undefined,
  ];
  let queue: Promise<void> = Promise.resolve();

  return {
    acquire(tokens, signal) {
      const wants = [1, Math.max(0, tokens)];
      const turn = queue.then(async () => {
        for (;;) {
          if (signal?.aborted) throw new AbortedError('aborted while waiting for the rate limit');
          const waits = buckets.map((b, i) => (b ? b.waitFor(wants[i]!) : 0));
          const wait = Math.max(...waits);
          if (wait <= 0) {
            buckets.forEach((b, i) => b?.take(wants[i]!));
            return;
          }
          await sleep(Math.ceil(wait), signal);
        }
      });
      // The next caller waits for this one to be served or to give up, never for its error.
      queue = turn.catch(() => undefined);
      return turn;
    },
    settle(reserved, actual) {
      if (Number.isFinite(reserved) && Number.isFinite(actual)) buckets[1]?.give(Math.max(0, reserved) - Math.max(0, actual));
    },
  };
}

function bucket(perMinute: number, burstMs: number, now: () => number) {
  const ratePerMs = perMinute / 60_000;
  const capacity = Math.max(1, ratePerMs * burstMs);
  let level = capacity;
  let at = now();
  const refill = () => {
    const t = now();
    level = Math.min(capacity, level + (t - at) * ratePerMs);
    at = t;
  };
  return {
    waitFor(amount: number): number {
      refill();
      const need = Math.min(amount, capacity);
      return level >= need ? 0 : (need - level) / ratePerMs;
    },
    take(amount: number): void {
      level -= amount;
    },
    /** Give back (or, negative, take more than) a reservation; never above capacity. */
    give(amount: number): void {
      refill();
      level = Math.min(capacity, level + amount);
    },
  };
}
