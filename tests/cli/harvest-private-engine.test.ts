// @needs docker
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBatchRecord } from '../../src/scheduler/index.js';
import { filesOfTask, waitFor, writeTasks } from '../helpers/batch.js';
import { runCli, spawnCli, waitCli } from '../helpers/cli.js';
import { PrivateDockerd } from '../helpers/private-dockerd.js';
import { tempDir, writeTask } from '../helpers/tasks.js';
import { BASE_IMAGE } from '../helpers/images.js';
import type { BuiltImages } from '../../src/docker/images/index.js';

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
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
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

  it('evicts the least recently used images forager built above --image-budget, never one it did not build', async () => {
    const dir = await tempDir();
    const cache = join(dir, 'cache');
    const env = { ...dockerd.env, XDG_CACHE_HOME: cache };
    // As on a fresh machine where `forager setup` made it, the base image carries forager.image=1.
    await dockerd.relabelBase();
    // Two images forager builds itself, one per task (a Dockerfile next to each).
    for (const which of ['old', 'new']) {
      const folder = join(dir, 'built', which);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, 'Dockerfile'), `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nLABEL test.which=${which}\n`);
      await writeTask([{ tool: 'submit' }], { id: `built-${which}`, image: { dockerfile: 'Dockerfile' } }, folder);
    }
    const first = await runCli(['harvest', join(dir, 'built'), '--out', join(dir, 'out-built'), '--quiet'], { env });
    expect(first.code).toBe(0);
    const old = await dockerd.imageWithLabel('test.which=old');
    const recent = await dockerd.imageWithLabel('test.which=new');
    // A user's image built FROM the base with plain `docker build`: it inherits the label, forager never built it.
    await dockerd.buildLabelled('users/swe-task:1', { 'test.which': 'user' });
    expect(await dockerd.labelsOf('users/swe-task:1')).toMatchObject({ 'forager.image': '1' });
    await writeFile(join(cache, 'forager', 'image-use.json'), JSON.stringify({
      [old.ref]: '2020-01-01T00:00:00Z',
      [recent.ref]: new Date().toISOString(),
      'users/swe-task:1': '2019-01-01T00:00:00Z',
      [BASE_IMAGE]: '2018-01-01T00:00:00Z',
    }));
    await writeTasks(join(dir, 'tasks'), 1, () => [{ tool: 'submit' }], 'budget');
    const result = await runCli(['harvest', join(dir, 'tasks'), '--out', join(dir, 'out'), '--image-budget', String(old.size + recent.size - 1), '--quiet'], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`evicted images over budget: ${old.ref}\n`);
    const left = await dockerd.imageRefs();
    expect(left).not.toContain(old.ref);
    expect(left).toEqual(expect.arrayContaining([recent.ref, 'users/swe-task:1', BASE_IMAGE]));
    const record = JSON.parse(await readFile(join(cache, 'forager', 'built-images.json'), 'utf8')) as BuiltImages;
    const ids = Object.values(record.engines).flatMap((images) => Object.keys(images));
    expect(ids).toContain(recent.id);
    expect(ids).not.toContain(old.id);
    expect((await runCli(['status', join(dir, 'out'), '--json'])).code).toBe(0);
  });
});
