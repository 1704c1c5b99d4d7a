import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBatchRecord } from '../../src/scheduler/index.js';
import { filesOfTask, waitFor, writeTasks } from '../helpers/batch.js';
import { runCli, spawnCli, waitCli } from '../helpers/cli.js';
import { PrivateDockerd } from '../helpers/private-dockerd.js';
import { tempDir } from '../helpers/tasks.js';

describe('forager harvest when the Docker engine restarts mid-batch', () => {
  const dockerd = new PrivateDockerd();

  beforeAll(async () => {
    await dockerd.start();
    await dockerd.loadBaseImage();
  });

  afterAll(async () => {
    await dockerd.destroy();
  });

  it('retries the attempts the restart broke and completes the batch', async () => {
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    const out = join(dir, 'out');
    const ids = await writeTasks(tasks, 16, (i) => [{ tool: 'bash', command: `sleep 1; echo ${i}` }, { tool: 'bash', command: 'sleep 1' }, { tool: 'submit' }]);
    const child = spawnCli(['harvest', tasks, '--out', out, '--concurrency', '4', '--retries', '5'], { env: dockerd.env });
    const exited = waitCli(child);
    const finished = async () => (await readBatchRecord(out)).filter((e) => e.type === 'finished').length;
    await waitFor(async () => (await finished()) >= 3 && (await dockerd.foragerContainers()).length >= 2, 60_000, 'a batch under way');
    await dockerd.stop();
    await new Promise((r) => setTimeout(r, 1_500));
    await dockerd.start();
    const result = await exited;
    expect(result.stderr).not.toMatch(/unexpected error/);
    expect(result.code).toBe(0);
    for (const id of ids) expect((await filesOfTask(out, id))['0.jsonl']).toBe('complete');
    const retries = (await readBatchRecord(out)).filter((e) => e.type === 'retry');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => ['CONTAINER_GONE', 'ENGINE_UNREACHABLE', 'ENGINE_ERROR'].includes(r.code))).toBe(true);
    const status = JSON.parse((await runCli(['status', out, '--json'])).stdout);
    expect(status).toMatchObject({ planned: 16, complete: 16 });
    expect(status.retries).toBe(retries.length);
    await runCli(['gc'], { env: dockerd.env });
    expect(await dockerd.foragerContainers()).toEqual([]);
  });
});
