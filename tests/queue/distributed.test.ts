// @needs docker redis
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readQueueStatus } from '../../src/queue/index.js';
import { inspectAttemptFile } from '../../src/scheduler/index.js';
import { filesOfTask, waitFor, writeTasks } from '../helpers/batch.js';
import { runCli } from '../helpers/cli.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';
import { filesUnder, finishedByWorker, spawnWorker, type SpawnedWorker } from './support/queue-files.js';
import { startRedis, type TestRedis } from './support/redis-server.js';

let redis: TestRedis;
const workers: SpawnedWorker[] = [];

const killWorkers = () => {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
};
beforeAll(async () => { redis = await startRedis(); });
// A test that failed before stopping its workers must not leave them taking the next test's jobs.
afterEach(killWorkers);
afterAll(async () => {
  killWorkers();
  await redis?.stop();
});

async function batchCounts(batch: string) {
  const status = await readQueueStatus(redis.url, batch);
  return status.batches.find((b) => b.batch === batch);
}

async function stop(worker: SpawnedWorker) {
  worker.child.kill('SIGTERM');
  return worker.exited;
}

describe('forager worker (distributed mode)', () => {
  it('runs 50 attempts over two worker processes exactly once; enqueueing the batch again adds nothing', async () => {
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    const out = join(dir, 'out');
    const ids = await writeTasks(tasks, 25, (i) => [{ tool: 'bash', command: `echo ${i} > out.txt && cat out.txt` }, { tool: 'submit', result: String(i) }], 'fifty');
    const first = await runCli(['harvest', tasks, '--attempts', '2', '--queue', redis.url, '--batch', 'fifty']);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('batch fifty: 50 attempts planned, 50 added to the queue, 0 already there');
    const again = await runCli(['harvest', tasks, '--attempts', '2', '--queue', redis.url, '--batch', 'fifty']);
    expect(again.stdout).toContain('50 attempts planned, 0 added to the queue, 50 already there');
    expect(await batchCounts('fifty')).toMatchObject({ planned: 50, waiting: 50, completed: 0 });

    const a = spawnWorker(redis.url, out, testRunId(), ['--concurrency', '3']);
    const b = spawnWorker(redis.url, out, testRunId(), ['--concurrency', '3']);
    workers.push(a, b);
    await waitFor(async () => (await batchCounts('fifty'))?.completed === 50, 150_000, '50 completed jobs');
    const [ra, rb] = await Promise.all([stop(a), stop(b)]);
    expect([ra.code, rb.code]).toEqual([130, 130]);

    const batchDir = join(out, 'fifty');
    const files = (await filesUnder(batchDir)).filter((f) => f.startsWith('trajectories/'));
    expect(files).toHaveLength(50);
    for (const id of ids) expect(await filesOfTask(batchDir, id)).toEqual({ '0.jsonl': 'complete', '1.jsonl': 'complete' });
    expect(await filesUnder(join(batchDir, '.staging'))).toEqual([]);
    const finished = Object.values(await finishedByWorker(batchDir));
    expect(finished).toHaveLength(2);
    for (const keys of finished) expect(keys.length).toBeGreaterThan(0);
    expect(new Set(finished.flat()).size).toBe(50);
    expect(finished.flat()).toHaveLength(50);

    const status = await runCli(['status', '--queue', redis.url, '--batch', 'fifty', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ totals: { waiting: 0, active: 0, delayed: 0, completed: 50, failed: 0 }, batches: [{ batch: 'fifty', planned: 50, completed: 50 }] });
    expect(await containersOf(a.runId)).toEqual([]);
    expect(await containersOf(b.runId)).toEqual([]);
  }, 240_000);

  it('hands the attempt of a worker killed with SIGKILL to the other, which replaces its partial trajectory', async () => {
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    const out = join(dir, 'out');
    await writeTasks(tasks, 2, () => [{ tool: 'bash', command: 'sleep 2; echo one' }, { tool: 'bash', command: 'sleep 2; echo two' }, { tool: 'submit' }], 'slow');
    await runCli(['harvest', tasks, '--queue', redis.url, '--batch', 'killed']);
    const batchDir = join(out, 'killed');
    // The doomed worker's lock is short, so its attempt is taken over within seconds of its death.
    const a = spawnWorker(redis.url, out, testRunId(), ['--concurrency', '1', '--lock-duration', '2000']);
    workers.push(a);
    // Let the doomed worker take its attempt first, so the one it dies on is known.
    await waitFor(async () => (await filesUnder(join(batchDir, '.staging'))).some((f) => f.endsWith('.try-0.jsonl')), 60_000, 'worker A writing a trajectory');
    const doomed = (await filesUnder(join(batchDir, '.staging'))).find((f) => f.endsWith('.try-0.jsonl'))!.split('/')[0]!;
    const b = spawnWorker(redis.url, out, testRunId(), ['--concurrency', '1']);
    workers.push(b);
    await new Promise((r) => setTimeout(r, 1_000));
    a.child.kill('SIGKILL');
    await a.exited;

    await waitFor(async () => (await batchCounts('killed'))?.completed === 2, 90_000, 'both attempts completed by worker B');
    const files = await filesOfTask(batchDir, doomed);
    // The dead worker's partial file is kept aside as a try, and never counts; exactly one complete trajectory.
    expect(files).toEqual({ '0.jsonl': 'complete', '0.try-0.jsonl': 'partial' });
    const other = doomed === 'slow-000' ? 'slow-001' : 'slow-000';
    expect(await filesOfTask(batchDir, other)).toEqual({ '0.jsonl': 'complete' });
    expect(await inspectAttemptFile(join(batchDir, 'trajectories', doomed, '0.jsonl'))).toMatchObject({ footer: { exit_status: 'submitted', steps: 3 } });
    expect(await filesUnder(join(batchDir, '.staging'))).toEqual([]);
    const byWorker = await finishedByWorker(batchDir);
    expect(Object.values(byWorker).flat().sort()).toEqual([`${doomed}/0`, `${other}/0`]);

    expect((await stop(b)).code).toBe(130);
    expect(await containersOf(b.runId)).toEqual([]);
    // The killed worker's container is an orphan: gc ends it (its dead-man would, later).
    const gc = await runCli(['gc', '--run', a.runId]);
    expect(gc.code).toBe(0);
    expect(await containersOf(a.runId)).toEqual([]);
  });

  it('takes no work while the engine\'s data root is below FORAGER_MIN_FREE_MB: the job goes back to the queue\'s retries, nothing is run', async () => {
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    const out = join(dir, 'out');
    await writeTasks(tasks, 1, () => [{ tool: 'bash', command: 'echo should-not-run' }, { tool: 'submit' }], 'full');
    await runCli(['harvest', tasks, '--queue', redis.url, '--batch', 'diskfull']);
    // A threshold no disk meets (1 EiB).
    const w = spawnWorker(redis.url, out, testRunId(), ['--concurrency', '1', '--log-level', 'info'], { FORAGER_MIN_FREE_MB: String(2 ** 40) });
    workers.push(w);
    await waitFor(async () => (await batchCounts('diskfull'))?.delayed === 1, 60_000, 'the job delayed for a retry');
    const result = await stop(w);
    expect(result.stderr).toMatch(/job failed job=diskfull:full-000:0 error=the engine's data root \S+ has \d+ bytes free .*below the \d+ bytes .*kept free: no new attempt is started/);
    expect(await batchCounts('diskfull')).toMatchObject({ delayed: 1, active: 0, completed: 0 });
    expect(await filesUnder(join(out, 'diskfull')).catch(() => [])).not.toContainEqual(expect.stringMatching(/^trajectories\//));
    expect(await containersOf(w.runId)).toEqual([]);
  });

  it('on SIGTERM hands a running attempt back to the queue after the grace period and removes its container', async () => {
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    const out = join(dir, 'out');
    await writeTasks(tasks, 1, () => [{ tool: 'bash', command: 'sleep 60' }, { tool: 'submit' }], 'long', { limits: { action_timeout_s: 100 } });
    await runCli(['harvest', tasks, '--queue', redis.url, '--batch', 'handback']);
    const w = spawnWorker(redis.url, out, testRunId(), ['--concurrency', '1', '--grace', '1']);
    workers.push(w);
    await waitFor(async () => (await containersOf(w.runId)).length === 1 && (await batchCounts('handback'))?.active === 1, 60_000, 'a running attempt');
    const signalled = Date.now();
    const result = await stop(w);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('1 attempt(s) handed back to the queue');
    // The worker's own account (its log on stderr) says why, should the job not be back.
    expect(await batchCounts('handback'), result.stderr).toMatchObject({ waiting: 1, active: 0, completed: 0, failed: 0 });
    expect(await containersOf(w.runId)).toEqual([]);
    expect(await filesUnder(join(out, 'handback'))).not.toContainEqual(expect.stringMatching(/^trajectories\//));
  });
});
