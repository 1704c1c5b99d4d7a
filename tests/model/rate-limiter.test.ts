import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/model/index.js';

describe('createRateLimiter()', () => {
  it('lets a minute of requests through at once, then spaces them at the refill rate', async () => {
    const limiter = createRateLimiter({ requestsPerMinute: 600 }); // one every 100 ms once the burst is spent
    const started = performance.now();
    for (let i = 0; i < 600; i += 1) await limiter.acquire(0);
    expect(performance.now() - started).toBeLessThan(100);
    await limiter.acquire(0);
    await limiter.acquire(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
  });

  it('waits for enough tokens, shared by concurrent callers in arrival order', async () => {
    const limiter = createRateLimiter({ tokensPerMinute: 6_000 }); // 100 tokens a second
    await limiter.acquire(6_000);
    const started = performance.now();
    const order: string[] = [];
    await Promise.all([
      limiter.acquire(30).then(() => order.push('a')),
      limiter.acquire(20).then(() => order.push('b')),
    ]);
    const waited = performance.now() - started;
    expect(order).toEqual(['a', 'b']);
    expect(waited).toBeGreaterThanOrEqual(480);
    expect(waited).toBeLessThan(1_000);
  });

  it('gives up a wait when the signal aborts, without blocking the next caller', async () => {
    const limiter = createRateLimiter({ requestsPerMinute: 60 });
    await limiter.acquire(0);
    for (let i = 0; i < 59; i += 1) await limiter.acquire(0);
    const controller = new AbortController();
    const waiting = limiter.acquire(0, controller.signal);
    setTimeout(() => controller.abort(), 50);
    await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('refuses a rate that is not positive', () => {
    expect(() => createRateLimiter({ tokensPerMinute: 0 })).toThrow(/tokensPerMinute must be a positive number, got 0/);
  });
});

describe('RateLimiter.settle()', () => {
  it('gives back the tokens a reservation did not use, and takes more when it used more', async () => {
    const limiter = createRateLimiter({ tokensPerMinute: 6_000 }); // 100 tokens a second
    await limiter.acquire(6_000);
    limiter.settle!(6_000, 1_000); // only 1 000 were spent: 5 000 come back
    let started = performance.now();
    await limiter.acquire(5_000);
    expect(performance.now() - started).toBeLessThan(100);
    limiter.settle!(0, 100); // an answer cost 100 more than reserved: the next caller waits for them
    started = performance.now();
    await limiter.acquire(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_400);
  });
});
