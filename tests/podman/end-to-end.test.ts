// @needs podman docker
import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createProvider } from '../../src/providers/index.js';
import { listAttemptsOnDisk } from '../../src/scheduler/index.js';
import { readTrajectory } from '../../src/trajectory/reader.js';
import { runCli } from '../helpers/cli.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { tempDir } from '../helpers/tasks.js';

const TASKS = fileURLToPath(new URL('../../tasks', import.meta.url));

// The bar, on Podman: harvest the bundled example tasks, grade the repository task in a
// fresh sandbox, and replay a Podman-recorded trajectory with --verify.
describe('forager --sandbox podman, end to end', () => {
  it('harvests the example tasks, grades the repository task, and replays Podman-recorded trajectories with --verify', async () => {
    const dir = await tempDir('forager-podman-e2e-');
    const tasks = join(dir, 'tasks');
    await cp(TASKS, tasks, { recursive: true });
    const out = join(dir, 'out');
    const runId = testRunId();
    const harvest = await runCli(['--sandbox', 'podman', 'harvest', tasks, '--out', out, '--run-id', runId, '--quiet']);
    expect(harvest.code, harvest.stdout + harvest.stderr).toBe(0);
    expect(harvest.stdout).toContain('outcomes: submitted 4');

    const podman = createProvider('podman');
    const file = (task: string) => join(out, 'trajectories', task, '0.jsonl');
    for (const task of ['fix-calculator', 'hello-shell', 'repo-fix', 'word-count']) {
      const { header, footer } = await readTrajectory(file(task));
      // The backend, limits all held, and how it was isolated (runc on the host's kernel, its layer read from the host).
      expect(header.sandbox).toMatchObject({ provider: 'podman', runtime: 'runc', kernel: 'host', state_reader: 'host' });
      expect(header.sandbox?.unenforced_limits).toBeUndefined();
      expect(footer).toMatchObject({ exit_status: 'submitted', failure_kind: null });
      // The pinned image is Podman's: a tag it answers for, an ID in its store.
      expect(await podman.findImage(header.image.id)).toMatchObject({ id: header.image.id });
    }
    const graded = await readTrajectory(file('repo-fix'));
    expect(graded.footer).toMatchObject({ reward: 1, evaluation: { status: 'graded', resolved: true } });
    expect(await containersOf(runId)).toEqual([]);

    // pytest prints its own duration: the built-in rules normalise it, nothing else.
    for (const task of ['repo-fix', 'fix-calculator']) {
      const replay = await runCli(['--sandbox', 'podman', 'replay', file(task), '--verify', '--normalize', '--out', join(dir, `replay-${task}.jsonl`)]);
      expect(replay.code, replay.stdout + replay.stderr).toBe(0);
      expect(replay.stdout).toContain('identical: 6 steps replayed with the same observations, after normalisation');
    }
    const replayed = await readTrajectory(join(dir, 'replay-repo-fix.jsonl'));
    expect(replayed.header.sandbox).toMatchObject({ provider: 'podman', runtime: 'runc', kernel: 'host' });
    expect(replayed.header.image.id).toBe(graded.header.image.id);

    // On the other backend the recorded image is not there, and the refusal says where it is.
    const elsewhere = await runCli(['--sandbox', 'docker', 'replay', file('hello-shell'), '--verify', '--out', join(dir, 'elsewhere.jsonl')]);
    expect(elsewhere.code).not.toBe(0);
    expect(elsewhere.stderr).toContain('it was recorded on podman, this is docker: replay with --sandbox podman');
    expect(await listAttemptsOnDisk(out)).toHaveLength(4);
  });
});
