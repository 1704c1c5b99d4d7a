// @needs docker redis
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readQueueStatus } from '../../src/queue/index.js';
import { readBatchRecord } from '../../src/scheduler/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { filesOfTask, waitFor, writeTasks } from '../helpers/batch.js';
import { runCli } from '../helpers/cli.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';
import { completion, startChatServer, type ChatServer, type ReceivedRequest } from '../model/support/chat-server.js';
import { spawnWorker, type SpawnedWorker } from './support/queue-files.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

let redis: TestRedis;
const servers: ChatServer[] = [];
const workers: SpawnedWorker[] = [];

beforeAll(async () => { redis = await startRedis(); });
afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await Promise.all(servers.map((s) => s.close()));
  await redis?.stop();
});

/** One bash call, then submit. */
function reply(request: ReceivedRequest) {
  const done = (request.body.messages as { role: string }[]).filter((m) => m.role === 'tool').length;
  const call = done === 0 ? { name: 'bash', arguments: { command: 'echo from-the-model' } } : { name: 'submit', arguments: { result: 'done' } };
  return { body: completion({ tool_calls: [call] }) };
}

async function stop(worker: SpawnedWorker) {
  worker.child.kill('SIGTERM');
  return worker.exited;
}

describe('harvest --queue with model flags', () => {
  it('carries --model-url, --model and --tool-format in the job: the worker drives scripted tasks with that model', async () => {
    const server = await startChatServer(Array.from({ length: 20 }, () => reply));
    servers.push(server);
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    const out = join(dir, 'out');
    const ids = await writeTasks(tasks, 2, () => [{ tool: 'bash', command: 'echo scripted' }, { tool: 'submit' }], 'flags');
    const enqueued = await runCli(['harvest', tasks, '--queue', redis.url, '--batch', 'flags', '--model-url', server.url, '--model', 'queued-model', '--tool-format', 'openai', '--requests-per-minute', '600']);
    expect(enqueued.code, enqueued.stderr).toBe(0);
    const worker = spawnWorker(redis.url, out, testRunId(), ['--concurrency', '2']);
    workers.push(worker);
    await waitFor(async () => (await readQueueStatus(redis.url, 'flags')).batches[0]?.completed === 2, 90_000, 'two model-driven attempts');
    expect((await stop(worker)).code).toBe(130);

    expect(server.requests).toHaveLength(4);
    expect(server.requests.every((r) => r.body.model === 'queued-model')).toBe(true);
    for (const id of ids) {
      expect(await filesOfTask(join(out, 'flags'), id)).toEqual({ '0.jsonl': 'complete' });
      const trajectory = await readTrajectory(join(out, 'flags', 'trajectories', id, '0.jsonl'));
      expect(trajectory.header.agent).toMatchObject({ type: 'model', model: { model: 'queued-model', tool_format: 'openai' } });
      expect(trajectory.steps[0]!.action).toMatchObject({ tool: 'bash', command: 'echo from-the-model' });
    }
    // The worker's record names the published trajectories, not its (now removed) staging folder.
    const [workerDir] = await readdir(join(out, 'flags', 'workers'));
    const finished = (await readBatchRecord(join(out, 'flags', 'workers', workerDir!))).filter((e) => e.type === 'finished');
    expect(finished.map((e) => (e as { path: string | null }).path).sort()).toEqual(ids.map((id) => join(out, 'flags', 'trajectories', id, '0.jsonl')));
    expect(await containersOf(worker.runId)).toEqual([]);
  });

  it('records a 401 from the model final: no request retry, no local retry, no BullMQ retry', async () => {
    const server = await startChatServer(Array.from({ length: 20 }, () => ({ status: 401, body: { error: { message: 'invalid api key' } } })));
    servers.push(server);
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    const out = join(dir, 'out');
    const [id] = await writeTasks(tasks, 1, () => [{ tool: 'submit' }], 'unauthorised');
    expect((await runCli(['harvest', tasks, '--queue', redis.url, '--batch', 'unauthorised', '--model-url', server.url, '--model', 'm'])).code).toBe(0);
    const worker = spawnWorker(redis.url, out, testRunId(), ['--concurrency', '1', '--retries', '3']);
    workers.push(worker);
    await waitFor(async () => (await readQueueStatus(redis.url, 'unauthorised')).batches[0]?.completed === 1, 90_000, 'the attempt to complete');
    // Time for a retry to show, were there one (the local backoff starts at up to 1 s).
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await readQueueStatus(redis.url, 'unauthorised')).toMatchObject({ batches: [{ completed: 1, failed: 0, delayed: 0, waiting: 0, active: 0 }] });
    expect((await stop(worker)).code).toBe(130);
    expect(server.requests).toHaveLength(1);
    const trajectory = await readTrajectory(join(out, 'unauthorised', 'trajectories', id!, '0.jsonl'));
    expect(trajectory.footer).toMatchObject({ exit_status: 'error', failure_kind: 'task', error: { code: 'MODEL_HTTP_401' } });
    expect(await filesOfTask(join(out, 'unauthorised'), id!)).toEqual({ '0.jsonl': 'complete' });
  });

  it('refuses flags only a worker can honour, saying which worker flag to use', async () => {
    const dir = await tempDir();
    await writeTasks(join(dir, 'tasks'), 1, () => [{ tool: 'submit' }], 'refused');
    const result = await runCli(['harvest', join(dir, 'tasks'), '--queue', redis.url, '--concurrency', '8', '--image-budget', '10GB']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('harvest --queue cannot carry --concurrency: each worker sets its own (forager worker --concurrency N)');
    expect(result.stderr).toContain('--image-budget');
    expect((await readQueueStatus(redis.url)).batches.filter((b) => b.batch.startsWith('batch-'))).toEqual([]);
  });
});
