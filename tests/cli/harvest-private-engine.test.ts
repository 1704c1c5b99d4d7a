import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBatchRecord } from '../../src/scheduler/index.js';
import { filesOfTask, waitFor, writeTasks } from '../helpers/batch.js';
import { runCli, spawnCli, waitCli } from '../helpers/cli.js';
import { PrivateDockerd } from '../helpers/private-dockerd.js';
import { tempDir } from '../helpers/tasks.js';

describe('forager harvest on an engine of its own (restarts, image budget)', () => {
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
    expect(result.stdout.match(/^ok {3}task-\d+\/0 submitted 3 steps/gm)).toHaveLength(16);
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

  it('evicts the least recently used forager images above --image-budget', async () => {
    await dockerd.buildLabelled('forager-env:test-old', { 'forager.image': '1', 'test.which': 'old' });
    await dockerd.buildLabelled('forager-env:test-new', { 'forager.image': '1', 'test.which': 'new' });
    const dir = await tempDir();
    const cache = join(dir, 'cache');
    await mkdir(join(cache, 'forager'), { recursive: true });
    await writeFile(join(cache, 'forager', 'image-use.json'), JSON.stringify({ 'forager-env:test-old': '2020-01-01T00:00:00Z', 'forager-env:test-new': new Date().toISOString() }));
    const before = await dockerd.foragerImages();
    const total = [...before.values()].reduce((a, b) => a + b, 0);
    await writeTasks(join(dir, 'tasks'), 1, () => [{ tool: 'submit' }], 'budget');
    const result = await runCli(['harvest', join(dir, 'tasks'), '--out', join(dir, 'out'), '--image-budget', String(total - 1), '--quiet'], { env: { ...dockerd.env, XDG_CACHE_HOME: cache } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('evicted images over budget: forager-env:test-old');
    expect([...(await dockerd.foragerImages()).keys()]).toEqual(['forager-env:test-new']);
    expect((await runCli(['status', join(dir, 'out'), '--json'])).code).toBe(0);
  });
});
