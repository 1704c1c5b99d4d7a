// @needs docker redis
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter } from '../../src/queue/index.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { busiestWindow } from './support/busiest-window.js';

let redis: TestRedis;
const clients: Redis[] = [];

beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis?.stop();
});

function client(): Redis {
  const c = new Redis(redis.url, { maxRetriesPerRequest: null });
  clients.push(c);
  return c;
}


describe('createRedisRateLimiter', () => {
  it('.acquire() - two limiters on separate connections share one request limit per window', async () => {
    const options = { requestsPerMinute: 3, windowMs: 400, name: 'shared-requests', maxPollMs: 50 };
    const a = createRedisRateLimiter(client(), options);
    const b = createRedisRateLimiter(client(), options);
    const times: number[] = [];
    const started = performance.now();
    await Promise.all([a, b].flatMap((limiter) => Array.from({ length: 6 }, () => limiter.acquire(1).then(() => { times.push(performance.now()); }))));
    expect(times).toHaveLength(12);
    // 12 requests at 3 per 400 ms: the last is admitted no sooner than 3 windows in.
    expect(performance.now() - started).toBeGreaterThanOrEqual(3 * 400 - 20);
    // Small allowance for the time between Redis admitting and this process noting it.
    expect(busiestWindow(times, 400 - 100)).toBeLessThanOrEqual(3);
  });

  it('.acquire() - holds a token limit, letting one oversized request through an empty window', async () => {
    const limiter = createRedisRateLimiter(client(), { tokensPerMinute: 100, windowMs: 300, name: 'tokens', maxPollMs: 30 });
    const started = performance.now();
    await limiter.acquire(60);
    await limiter.acquire(30);
    expect(performance.now() - started).toBeLessThan(150);
    await limiter.acquire(60); // 150 > 100: waits for the first 60 to leave the window
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(250);
    await limiter.acquire(1_000); // larger than a whole window: admitted once the window is empty
    expect(performance.now() - started).toBeGreaterThanOrEqual(waited + 250);
  });

  it('.settle() - corrects a reservation from the real usage, for every limiter sharing the window', async () => {
    const options = { tokensPerMinute: 100, windowMs: 2_000, name: 'settle', maxPollMs: 30 };
    const a = createRedisRateLimiter(client(), options);
    const b = createRedisRateLimiter(client(), options);
    await a.acquire(90);
    a.settle!(90, 10); // the answer cost 10 tokens: 80 go back to the shared window
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await b.acquire(80);
    expect(performance.now() - started).toBeLessThan(500);
    // Now the window holds 90: one more token waits for the window to move on.
    const again = performance.now();
    await b.acquire(20);
    expect(performance.now() - again).toBeGreaterThanOrEqual(1_000);
  });

  it('.acquire() - stops waiting when its signal aborts', async () => {
    const limiter = createRedisRateLimiter(client(), { requestsPerMinute: 1, windowMs: 10_000, name: 'abort' });
    await limiter.acquire(1);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await expect(limiter.acquire(1, controller.signal)).rejects.toMatchObject({ code: 'ABORTED' });
  });

  it('refuses a limit that is not a positive number', () => {
    expect(() => createRedisRateLimiter(client(), { requestsPerMinute: 0 })).toThrow(/requestsPerMinute must be a positive number, got 0/);
  });
});
