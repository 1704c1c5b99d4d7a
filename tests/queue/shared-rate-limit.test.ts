// @needs docker redis
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readQueueStatus } from '../../src/queue/index.js';
import { filesOfTask, waitFor, writeTasks } from '../helpers/batch.js';
import { runCli } from '../helpers/cli.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';
import { completion, startChatServer, type ChatServer } from '../model/support/chat-server.js';
import { finishedByWorker, spawnWorker, type SpawnedWorker } from './support/queue-files.js';
import { startRedis, type TestRedis } from './support/redis-server.js';
import { busiestWindow } from './support/busiest-window.js';

let redis: TestRedis;
let chat: ChatServer;
const workers: SpawnedWorker[] = [];
const TURNS = 4;

beforeAll(async () => {
  redis = await startRedis();
  // Every conversation: three bash calls, then submit. Answers at once, so only the limiter slows the workers.
  chat = await startChatServer(Array.from({ length: 200 }, () => (request) => {
    const done = (request.body.messages as { role: string }[]).filter((m) => m.role === 'tool').length;
    const call = done < TURNS - 1 ? { name: 'bash', arguments: { command: `echo turn ${done}` } } : { name: 'submit', arguments: { result: 'done' } };
    return { body: completion({ tool_calls: [call], usage: { prompt_tokens: 50, completion_tokens: 10 } }) };
  }));
});
afterAll(async () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
  await chat?.close();
  await redis?.stop();
});


describe('forager worker --requests-per-minute', () => {
  it('holds one request rate across two worker processes', async () => {
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    const out = join(dir, 'out');
    const agent = { type: 'model', base_url: chat.url, model: 'stand-in', tool_format: 'openai' };
    const ids = await writeTasks(tasks, 6, () => [{ tool: 'submit' }], 'model', { agent });
    // The default lock (the helper's): a takeover would run a conversation twice, and this test counts requests.
    const limit = ['--concurrency', '3', '--requests-per-minute', '4', '--rate-window', '1000'];
    const a = spawnWorker(redis.url, out, testRunId(), limit);
    const b = spawnWorker(redis.url, out, testRunId(), limit);
    workers.push(a, b);
    // Both take work from the start (one started late on a loaded machine could find the queue empty).
    await Promise.all([a.ready, b.ready]);
    expect((await runCli(['harvest', tasks, '--queue', redis.url, '--batch', 'limited'])).code).toBe(0);
    await waitFor(async () => (await readQueueStatus(redis.url, 'limited')).batches[0]?.completed === 6, 90_000, 'six model-driven attempts');
    await Promise.all([a, b].map((w) => { w.child.kill('SIGTERM'); return w.exited; }));

    const times = chat.requests.map((r) => r.at);
    expect(times).toHaveLength(6 * TURNS);
    // Unlimited, six concurrent conversations on a local server take well under a second.
    // At 4 per second, 24 requests span at least 5 s; no second holds more than 4. Arrival
    // times carry the HTTP hop's jitter after admission (over 400 ms seen beside a second test
    // run on the 2-core machine), so the window checked is shortened by that allowance: unlimited,
    // a 400 ms window would still hold a dozen.
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(5 * 1000 - 600);
    const gaps = times.map((t) => Math.round(t - times[0]!));
    expect(busiestWindow(times, 1000 - 600), `arrivals (ms): ${gaps.join(' ')}`).toBeLessThanOrEqual(4);
    for (const id of ids) expect(await filesOfTask(join(out, 'limited'), id)).toEqual({ '0.jsonl': 'complete' });
    // Both workers drew on the one limit.
    const byWorker = Object.values(await finishedByWorker(join(out, 'limited')));
    expect(byWorker.map((keys) => keys.length > 0)).toEqual([true, true]);
    expect(await containersOf(a.runId)).toEqual([]);
    expect(await containersOf(b.runId)).toEqual([]);
  });
});
