// @needs docker
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DiskSummary } from '../../src/scheduler/index.js';
import { writeTasks } from '../helpers/batch.js';
import { runCli } from '../helpers/cli.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';

const MB = 1024 * 1024;

describe('forager status: how each sandbox\'s disk was bounded', () => {
  it('counts the kernel-bounded workdir and the polled one, with the overshoot the poll let through and its task', async () => {
    const dir = await tempDir();
    const tasks = join(dir, 'tasks');
    const out = join(dir, 'out');
    // The same 200 MB write against a 64 MB disk: the tmpfs workdir refuses it (ENOSPC), the
    // writable layer takes it whole before the watcher stops the step.
    const fill = [{ tool: 'bash' as const, command: 'fallocate -l 200M big; echo "rc=$?"' }, { tool: 'submit' as const }];
    await writeTasks(tasks, 1, () => fill, 'mounted', { limits: { disk_mb: 64, disk_mount: 'tmpfs' } });
    await writeTasks(tasks, 1, () => fill, 'polled', { limits: { disk_mb: 64 } });
    const runId = testRunId();
    const harvest = await runCli(['harvest', tasks, '--out', out, '--concurrency', '2', '--run-id', runId, '--quiet']);
    expect(harvest.code, harvest.stderr).toBe(0);
    expect(await containersOf(runId)).toEqual([]);

    const json = await runCli(['status', out, '--json']);
    const disk = (JSON.parse(json.stdout) as { disk: DiskSummary }).disk;
    expect(disk).toMatchObject({ sandboxes: 2, bounds: { kernel: 0, 'mounts+poll': 1, poll: 1, unrecorded: 0 }, unreadable: 0, limitReached: 1 });
    expect(disk.modes).toEqual(expect.arrayContaining([
      { disk: 'mounts+poll', runtime: 'runc', bounds: ['tmpfs:workdir', 'tmpfs:/tmp', 'poll:host-watcher'], sandboxes: 1 },
      { disk: 'poll', runtime: 'runc', bounds: ['poll:host-watcher'], sandboxes: 1 },
    ]));
    expect(disk.overshoot).toMatchObject({ task: 'polled-000', attempt: 0, step: 0 });
    // What the poll let through: the write past the limit, at most all of it.
    expect(disk.overshoot!.bytes).toBeGreaterThan(100 * MB);
    expect(disk.overshoot!.bytes).toBeLessThanOrEqual(200 * MB - 64 * MB + MB);

    const text = await runCli(['status', out]);
    expect(text.stdout).toContain('disk of 2 sandboxes: by the kernel 0; workdir and /tmp by the kernel, the rest by the poll 1; by the poll 1');
    expect(text.stdout).toMatch(new RegExp(`disk overshoot: largest [0-9.]+ MiB \\(${disk.overshoot!.bytes} bytes\\) let through by the poll, task polled-000 attempt 0 step 0; 1 step reached the disk limit`));
  });
});
