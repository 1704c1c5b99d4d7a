// @needs docker redis
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueBatch, type RunningWorker } from '../../src/queue/index.js';
import { readTraceFile, resolveTraceLimits, startTraceWorker, type TraceFile } from '../../src/trace/index.js';
import { containersOf, testRunId, testProvider } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';
import { startRedis, type TestRedis } from '../queue/support/redis-server.js';

const runId = testRunId();
let redis: TestRedis;
let out: string;
let worker: RunningWorker | undefined;

beforeAll(async () => {
  redis = await startRedis();
  out = await tempDir('forager-trace-queue-');
});

afterAll(async () => {
  await worker?.close(0);
  await redis?.stop();
  await rm(out, { recursive: true, force: true });
  expect(await containersOf(runId)).toEqual([]);
});

async function waitForTrace(path: string, timeoutMs: number): Promise<TraceFile> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const file = await readTraceFile(path).catch(() => undefined);
    if (file?.footer) return file;
    if (Date.now() > deadline) throw new Error(`no finished trace at ${path} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('startTraceWorker()', () => {
  it('traces the jobs `harvest --queue` enqueued, where their trajectories would go', async () => {
    const enqueued = await enqueueBatch({ queue: redis.url, paths: ['tasks/fix-calculator', 'tasks/repo-fix'], attempts: 1, batch: 'traces' });
    expect(enqueued.added).toBe(2);
    worker = await startTraceWorker({ provider: testProvider(), queue: redis.url, out, concurrency: 2, runId, limits: resolveTraceLimits({ wall_s: 120 }) });
    const calc = await waitForTrace(join(out, 'traces', 'trajectories', 'fix-calculator', '0.jsonl'), 120_000);
    const stock = await waitForTrace(join(out, 'traces', 'trajectories', 'repo-fix', '0.jsonl'), 120_000);
    expect(calc.footer).toMatchObject({ exit_status: 'agent_finished' });
    expect(calc.invocations.find((i) => i.qualname === 'add')).toMatchObject({ args: { a: '2', b: '3' }, return: '-1' });
    expect(stock.invocations.some((i) => i.qualname === 'take')).toBe(true);
  }, 240_000);
});
