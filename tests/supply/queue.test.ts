// @needs docker redis
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecord } from '../../src/env/index.js';
import { createProvider } from '../../src/providers/index.js';
import { connectRedis } from '../../src/queue/index.js';
import { KEY_PREFIX } from '../../src/queue/names.js';
import { enqueueSupply, startSupplyWorker, SUPPLY_QUEUE, supplyJobId, supplyPaths, type SupplyJob } from '../../src/supply/index.js';
import { startRedis, type TestRedis } from '../queue/support/redis-server.js';
import { REPO_BUNDLES } from '../helpers/repos.js';
import { tempDir } from '../helpers/tasks.js';
import { removeTestImages, TEST_REPOSITORY } from '../docker/images/helpers.js';

// The supply pipeline on the queue: a real redis-server, a worker with the real engine, hukkin/tomli's environment.
const tomli = REPO_BUNDLES.tomli;
const settings: SupplyJob['settings'] = { stages: ['env'], last: 10, mutants: 0, seed: 0, testTimeoutS: 300, installer: 'scripted' };
let redis: TestRedis;
let out: string;

beforeAll(async () => {
  redis = await startRedis();
  out = await tempDir('forager-supply-queue-');
});

afterAll(async () => {
  await redis?.stop();
  await removeTestImages();
  await rm(out, { recursive: true, force: true });
});

describe('the supply queue', () => {
  it('runs an enqueued repository on a worker into the batch folder, and enqueueing it again adds nothing', async () => {
    const first = await enqueueSupply([{ location: tomli.path, name: tomli.name }], settings, { queue: redis.url });
    expect(first).toMatchObject({ added: 1, existing: 0, batch: expect.stringMatching(/^supply-[0-9a-f]{12}$/) });
    expect(await enqueueSupply([{ location: tomli.path, name: tomli.name }], settings, { queue: redis.url })).toEqual({ batch: first.batch, added: 0, existing: 1 });

    const worker = await startSupplyWorker({ queue: redis.url, out, provider: createProvider('docker'), concurrency: 1, repository: TEST_REPOSITORY });
    const connection = connectRedis(redis.url);
    const queue = new Queue(SUPPLY_QUEUE, { connection, prefix: KEY_PREFIX });
    try {
      const job = (await queue.getJob(supplyJobId(first.batch, 'hukkin__tomli')))!;
      for (let i = 0; i < 600 && !(await job.isCompleted()) && !(await job.isFailed()); i += 1) await new Promise((r) => setTimeout(r, 1000));
      const done = (await queue.getJob(supplyJobId(first.batch, 'hukkin__tomli')))!;
      expect(done.failedReason).toBeUndefined();
      expect(done.returnvalue).toEqual({ repo: 'hukkin/tomli', failed: null });
      const record = await readRecord(supplyPaths.env(join(out, first.batch), 'hukkin__tomli'));
      expect(record).toMatchObject({ status: 'verified', installer: 'scripted', counts: { PASSED: 16 } });
    } finally {
      await queue.close();
      connection.disconnect();
      await worker.close();
    }
  }, 900_000);
});
