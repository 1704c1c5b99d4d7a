import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPayload, defaultBatchId, jobIdOf, restoreTask } from '../../src/queue/index.js';
import { planBatch } from '../../src/scheduler/index.js';
import { loadTask } from '../../src/task/index.js';
import { tempDir, writeTask } from '../helpers/tasks.js';

async function plannedTask(extra: Record<string, unknown> = {}) {
  const dir = await tempDir();
  await mkdir(join(dir, 'repo'));
  await writeFile(join(dir, 'repo', 'data.bin'), Buffer.from([0, 1, 2, 255]));
  const task = await loadTask(await writeTask([{ tool: 'submit' }], { id: 'payload-task', files: [{ path: 'repo', from: 'repo' }, { path: 'note.txt', content: 'hello' }], ...extra }, dir));
  return planBatch([task], { attempts: 2 }).attempts[1]!;
}

describe('job payloads', () => {
  it('carry a task to another machine byte for byte, with the same hash', async () => {
    const item = await plannedTask();
    const payload = JSON.parse(JSON.stringify(buildPayload('b1', item, { shared: false, maxBytes: 1 << 20 })));
    expect(payload).toMatchObject({ batch: 'b1', taskId: 'payload-task', attempt: 1, mode: 'inline', hash: item.task.hash });
    const task = await restoreTask(payload);
    expect(task.hash).toBe(item.task.hash);
    expect(task.files.find((f) => f.path === '/work/repo/data.bin')?.content).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(task.spec).toEqual(item.task.spec);
  });

  it('refuse a payload whose files were altered on the way', async () => {
    const payload = buildPayload('b1', await plannedTask(), { shared: false, maxBytes: 1 << 20 });
    payload.files[0]!.base64 = Buffer.from('tampered').toString('base64');
    await expect(restoreTask(payload)).rejects.toMatchObject({ code: 'TASK_HASH_MISMATCH' });
  });

  it('refuse a task over the size cap, and a Dockerfile task without a shared path, naming the task file', async () => {
    const item = await plannedTask();
    expect(() => buildPayload('b1', item, { shared: false, maxBytes: 100 })).toThrow(/over the 0\.0 MiB cap; raise --max-payload or enqueue with --shared-tasks/);
    const docker = await plannedTask({ image: { dockerfile: 'Dockerfile' } });
    expect(() => buildPayload('b1', docker, { shared: false, maxBytes: 1 << 20 })).toThrow(/payload-task\.task\.yaml: field "image\.dockerfile".*--shared-tasks/);
  });

  it('in shared mode carry no files, and the worker reads the task file at the same path', async () => {
    const item = await plannedTask();
    const payload = buildPayload('b1', item, { shared: true, maxBytes: 100 });
    expect(payload.files).toEqual([]);
    expect((await restoreTask(payload)).hash).toBe(item.task.hash);
  });

  it('carry the model flags and rate limit given, and nothing for flags not given', async () => {
    const item = await plannedTask();
    const payload = buildPayload('b1', item, {
      shared: false, maxBytes: 1 << 20,
      agentOverrides: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', temperature: undefined },
      rateLimit: { requestsPerMinute: 30, tokensPerMinute: undefined },
    });
    expect(payload.agentOverrides).toEqual({ baseUrl: 'http://127.0.0.1:9/v1', model: 'm' });
    expect(payload.rateLimit).toEqual({ requestsPerMinute: 30 });
    const bare = buildPayload('b1', item, { shared: false, maxBytes: 1 << 20, agentOverrides: {}, rateLimit: {} });
    expect('agentOverrides' in bare || 'rateLimit' in bare).toBe(false);
    await expect(restoreTask(JSON.parse(JSON.stringify(payload)))).resolves.toMatchObject({ hash: item.task.hash });
  });

  it('refuse model flags they cannot carry, at enqueue and on a worker that does not know them', async () => {
    const item = await plannedTask();
    const unknown = { model: 'm', madeUpFlag: 3 } as unknown as Record<string, string>;
    expect(() => buildPayload('b1', item, { shared: false, maxBytes: 1 << 20, agentOverrides: unknown })).toThrow(/harvest --queue: the model flags cannot travel in a job/);
    const payload = { ...buildPayload('b1', item, { shared: false, maxBytes: 1 << 20 }), agentOverrides: unknown };
    await expect(restoreTask(payload)).rejects.toMatchObject({ code: 'JOB_PAYLOAD_INVALID', message: expect.stringContaining('agentOverrides') });
  });

  it('name only API-key variables the worker allows', async () => {
    const item = await plannedTask();
    const payload = buildPayload('b1', item, { shared: false, maxBytes: 1 << 20, agentOverrides: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKeyEnv: 'AWS_SECRET_ACCESS_KEY' } });
    await expect(restoreTask(payload)).rejects.toMatchObject({ code: 'TASK_KEY_ENV_REFUSED', message: expect.stringContaining('field "agentOverrides.apiKeyEnv"') });
    const allowed = buildPayload('b1', item, { shared: false, maxBytes: 1 << 20, agentOverrides: { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKeyEnv: 'OPENAI_API_KEY' } });
    await expect(restoreTask(allowed)).resolves.toMatchObject({ hash: item.task.hash });
  });

  it('refuse a malformed payload, naming the field', async () => {
    await expect(restoreTask({ version: 1, batch: 'b' })).rejects.toThrow(/job payload: field "taskId"/);
  });
});

describe('batch and job ids', () => {
  it('name the same plan the same batch, whatever the order, and a changed task another', () => {
    const a = [{ taskId: 'x', attempt: 0, hash: 'h1' }, { taskId: 'y', attempt: 0, hash: 'h2' }];
    expect(defaultBatchId(a)).toBe(defaultBatchId([...a].reverse()));
    expect(defaultBatchId(a)).not.toBe(defaultBatchId([a[0]!, { ...a[1]!, hash: 'h3' }]));
    expect(jobIdOf('b', 'task-1', 2)).toBe('b:task-1:2');
  });
});
