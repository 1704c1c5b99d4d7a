// @needs docker
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { harvest } from '../../src/scheduler/index.js';
import { minFreeBytesFromEnv, requireEngineFreeSpace } from '../../src/docker/disk-guard.js';
import { allTrajectoryFiles, writeTasks } from '../helpers/batch.js';
import { containersOf, testRunId, testProvider } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';

describe('engine free-space guard', () => {
  it('reads its threshold from FORAGER_MIN_FREE_MB, 0 turning it off, and refuses nonsense', () => {
    expect(minFreeBytesFromEnv({})).toBe(5120 * 1024 * 1024);
    expect(minFreeBytesFromEnv({ FORAGER_MIN_FREE_MB: '0' })).toBe(0);
    expect(minFreeBytesFromEnv({ FORAGER_MIN_FREE_MB: '100' })).toBe(100 * 1024 * 1024);
    expect(() => minFreeBytesFromEnv({ FORAGER_MIN_FREE_MB: 'lots' })).toThrow(/FORAGER_MIN_FREE_MB must be a number of MiB.*"lots"/);
  });

  it('measures the free space under the engine\'s data root', async () => {
    const seen = await requireEngineFreeSpace(1);
    expect(seen?.root).toBe('/var/lib/docker');
    expect(seen?.free).toBeGreaterThan(0);
  });

  it('stops a harvest from taking work when the data root is below the threshold, naming both numbers', async () => {
    const dir = await tempDir('forager-diskguard-');
    await writeTasks(join(dir, 'tasks'), 2, () => [{ tool: 'bash', command: 'echo hi' }]);
    const runId = testRunId();
    const out = join(dir, 'out');
    const error = await harvest({ provider: testProvider(), paths: [join(dir, 'tasks')], out, concurrency: 1, attempts: 1, retries: 0, runId, minFreeDiskBytes: 1e15 })
      .then(() => undefined, (e: unknown) => e as Error & { code?: string });
    expect(error?.code).toBe('ENGINE_DISK_LOW');
    expect(error?.message).toMatch(/\/var\/lib\/docker has \d+ bytes free .* below the 1000000000000000 bytes/s);
    expect(await allTrajectoryFiles(out)).toEqual([]);
    expect(await containersOf(runId)).toEqual([]);
  });
});
