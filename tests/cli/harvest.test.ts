// @needs docker
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectAttemptFile } from '../../src/scheduler/index.js';
import { allTrajectoryFiles, filesOfTask, waitFor, writeTasks } from '../helpers/batch.js';
import { runCli, spawnCli, waitCli } from '../helpers/cli.js';
import { containersOf, startTestSandbox, testRunId } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';

async function completeCount(out: string): Promise<number> {
  let n = 0;
  for (const file of await allTrajectoryFiles(out)) if ((await inspectAttemptFile(file)).state === 'complete') n += 1;
  return n;
}

describe('forager harvest', () => {
  it('resumes after SIGKILL with exactly one complete trajectory per task, and gc removes the orphans', async () => {
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    const out = join(dir, 'out');
    const ids = await writeTasks(tasks, 12, (i) => [{ tool: 'bash', command: `sleep 1; echo ${i}` }, { tool: 'bash', command: 'sleep 1' }, { tool: 'submit' }]);
    const first = testRunId();
    const child = spawnCli(['harvest', tasks, '--out', out, '--concurrency', '4', '--run-id', first, '--quiet']);
    const exited = waitCli(child);
    await waitFor(async () => (await completeCount(out)) >= 4 && (await containersOf(first)).length >= 2, 60_000, 'a batch half done');
    child.kill('SIGKILL');
    await exited;
    const orphans = await containersOf(first);
    expect(orphans.length).toBeGreaterThan(0);

    const second = testRunId();
    const again = await runCli(['harvest', tasks, '--out', out, '--concurrency', '4', '--run-id', second, '--quiet']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/12 attempts planned, ([4-9]|1[01]) already complete/);
    for (const id of ids) {
      const files = await filesOfTask(out, id);
      expect(Object.entries(files).filter(([, state]) => state === 'complete')).toEqual([['0.jsonl', 'complete']]);
    }
    const status = await runCli(['status', out, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ planned: 12, complete: 12, partial: 0, pending: 0 });

    const dry = await runCli(['gc', '--dry-run', '--run', first]);
    expect(dry.stdout).toContain(`would remove ${orphans.length} of ${orphans.length}`);
    expect((await containersOf(first)).length).toBe(orphans.length);
    const gc = await runCli(['gc', '--run', first]);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toMatch(/not running/);
    expect(await containersOf(first)).toEqual([]);
    expect(await containersOf(second)).toEqual([]);
  });

  it('on SIGINT closes every trajectory, removes every container and exits 130 within 10 s', async () => {
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    const out = join(dir, 'out');
    await writeTasks(tasks, 10, () => [{ tool: 'bash', command: 'sleep 60' }], 'slow', { limits: { action_timeout_s: 100 } });
    const runId = testRunId();
    const child = spawnCli(['harvest', tasks, '--out', out, '--concurrency', '4', '--run-id', runId]);
    const exited = waitCli(child);
    await waitFor(async () => (await containersOf(runId)).length === 4 && (await allTrajectoryFiles(out)).length === 4, 60_000, 'four running attempts');
    const signalled = Date.now();
    child.kill('SIGINT');
    const result = await exited;
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(result.code).toBe(130);
    const files = await allTrajectoryFiles(out);
    expect(files).toHaveLength(4);
    for (const file of files) expect(await inspectAttemptFile(file)).toMatchObject({ state: 'redo', footer: { exit_status: 'aborted' } });
    expect(await containersOf(runId)).toEqual([]);
    expect(result.stdout).toMatch(/^interrupted run/m);
  });

  it('gc never removes a container whose owner is alive', async () => {
    const runId = testRunId();
    const sandbox = await startTestSandbox({}, runId);
    try {
      const gc = await runCli(['gc', '--run', runId]);
      expect(gc.stdout).toMatch(/kept .* is alive/);
      expect(await containersOf(runId)).toEqual([sandbox.id]);
    } finally {
      await sandbox.stop();
    }
  });
});
