// @needs docker
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { spawnCli, waitCli } from '../helpers/cli.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { tempDir, writeTask } from '../helpers/tasks.js';

describe('forager run', () => {
  it('closes the trajectory as aborted and removes the container on SIGINT', async () => {
    const runId = testRunId();
    const dir = await tempDir();
    const task = await writeTask([{ tool: 'bash', command: 'echo started; sleep 120' }], { limits: { action_timeout_s: 200 } }, dir);
    const out = join(dir, 'out.jsonl');
    const child = spawnCli(['run', task, '--out', out, '--run-id', runId]);
    const done = waitCli(child);
    for (let i = 0; i < 200 && (await containersOf(runId)).length === 0; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(await containersOf(runId)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1500));
    const signalled = Date.now();
    child.kill('SIGINT');
    const result = await done;
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(result.code).toBe(130);
    const trajectory = await readTrajectory(out);
    expect(trajectory.footer).toMatchObject({ exit_status: 'aborted', failure_kind: 'infrastructure' });
    expect(await containersOf(runId)).toEqual([]);
  });

  it('prints a clear error naming the file and field for a bad task', async () => {
    const dir = await tempDir();
    const task = await writeTask([{ tool: 'bash', command: 'true' }], { limits: { pids: 'many' } }, dir);
    const result = await waitCli(spawnCli(['run', task]));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${task}: field "limits.pids"`);
  });
});
