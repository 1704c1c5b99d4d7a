// @needs docker
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureFilesImage } from '../../bench/state-images.js';
import type { State } from '../../src/trajectory/schema.js';
import { runCli } from '../helpers/cli.js';
import { containersOf, testRunId } from '../helpers/docker.js';
import { allTrajectoryFiles, writeTasks } from '../helpers/batch.js';
import { tempDir } from '../helpers/tasks.js';
import { expectHarvesterHeld, runHostile, stdoutOf } from './state-helpers.js';

const PKG = '/usr/local/lib/python3.11/dist-packages/fakepkg';

/**
 * Under gVisor the exec reader's walk of the whole tree costs ~0.3 ms a file (measured idle,
 * 2026-12-06: 88 s over the 300k-file image, 10–12 s over the 20k one, 5 s over the base
 * image alone; runc: 6–10 s over 300k), and a run makes four (the first look and three steps):
 * 300k would take six minutes. There its leg walks 20k files, whose ~11 s listings are still
 * ten times the 1 s timeout the point is about. The host reader's leg keeps the 300k files.
 */
const RUNSC = process.env.FORAGER_RUNTIME === 'runsc';
const EXEC_READER_FILES = RUNSC ? 20_000 : 300_000;
/** ~65 s idle under gVisor (four ~12 s listings, starts and steps); twice that under a loaded CI, and room. */
const EXEC_READER_BUDGET_MS = RUNSC ? 240_000 : undefined;

/** The state without how it was read (the readers must agree on everything else). */
function comparable(state: State | null | undefined): Partial<State> | null {
  if (!state) return null;
  const { probe: _probe, probe_ms: _ms, ...rest } = state;
  return rest;
}

describe('hostile record: changes outside the workdir, big repositories, resume', () => {
  // The 300k-file image is built once per engine, outside any test's time: its first build
  // takes minutes (Podman's commit of 300k files: 258 s on the loaded CI machine).
  beforeAll(async () => {
    await ensureFilesImage(300_000);
    await ensureFilesImage(EXEC_READER_FILES);
  }, 900_000);

  const pipLike = [
    { tool: 'bash' as const, command: `mkdir -p ${PKG} && printf 'x = 1\\n' > ${PKG}/__init__.py && echo w > /work/w.txt && rm /etc/issue && echo more >> /etc/debian_version` },
    { tool: 'bash' as const, command: 'rm -r /usr/share/doc/bash && rm /work/w.txt && touch /work/new' },
    { tool: 'bash' as const, command: 'true' },
    // An image folder removed and made again (an opaque folder in the overlay).
    { tool: 'bash' as const, command: 'rm -r /usr/share/doc/git && mkdir /usr/share/doc/git && echo new > /usr/share/doc/git/NEW && echo r > /usr/share/doc/git/README.md' },
    // The same size written again: only the mtime says so (under gVisor, also a file it caches).
    { tool: 'bash' as const, command: `sleep 0.1; printf 'x = 2\\n' > ${PKG}/__init__.py` },
  ];

  it.concurrent('records what a pip-style install touched outside the workdir apart, the same from the host and from an exec', async () => {
    const [host, exec] = await Promise.all([
      runHostile(pipLike),
      runHostile(pipLike, {}, { FORAGER_STATE_READER: 'exec' }),
    ]);
    await expectHarvesterHeld(host);
    await expectHarvesterHeld(exec);
    // Under gVisor /tmp is the sandbox kernel's own tmpfs, outside the layer: a listing of it joins the host's reading.
    expect(host.steps[0]!.state?.probe).toBe(process.env.FORAGER_RUNTIME === 'runsc' ? 'host+exec' : 'host');
    expect(exec.steps[0]!.state?.probe).toBe('exec');
    const first = host.steps[0]!.state!;
    expect(first.changes).toEqual([{ path: '/work/w.txt', change: 'added', size: 2 }]);
    expect(first.outside).toEqual([
      { path: '/etc/debian_version', change: 'modified', size: expect.any(Number) },
      { path: '/etc/issue', change: 'deleted' },
      { path: `${PKG}/__init__.py`, change: 'added', size: 6 },
    ]);
    const second = host.steps[1]!.state!;
    expect(second.changes).toEqual([{ path: '/work/new', change: 'added', size: 0 }, { path: '/work/w.txt', change: 'deleted' }]);
    expect(second.outside?.length).toBeGreaterThan(3);
    expect(second.outside?.every((c) => c.path.startsWith('/usr/share/doc/bash/') && c.change === 'deleted')).toBe(true);
    expect(host.steps[2]!.state?.changes).toEqual([]);
    expect(host.steps[2]!.state?.outside).toBeUndefined();
    const opaque = host.steps[3]!.state!.outside!;
    expect(opaque).toContainEqual({ path: '/usr/share/doc/git/NEW', change: 'added', size: 4 });
    expect(opaque).toContainEqual({ path: '/usr/share/doc/git/README.md', change: 'modified', size: 2 });
    expect(opaque).toContainEqual({ path: '/usr/share/doc/git/README.Debian', change: 'deleted' });
    expect(host.steps[4]!.state?.outside).toEqual([{ path: `${PKG}/__init__.py`, change: 'modified', size: 6 }]);
    expect(host.steps).toHaveLength(5);
    for (let i = 0; i < host.steps.length; i += 1) expect(comparable(exec.steps[i]!.state)).toEqual(comparable(host.steps[i]!.state));
  });

  it.concurrent('300k files in the image and a 1 s timeout: `echo` is neither timed out nor deletes anything, with either reader', async () => {
    const image = await ensureFilesImage(300_000);
    const execImage = await ensureFilesImage(EXEC_READER_FILES);
    const actions = [
      { tool: 'bash' as const, command: 'echo hi', timeout_s: 1 },
      { tool: 'bash' as const, command: 'echo edit > d007/f007001.py', timeout_s: 1 },
      { tool: 'bash' as const, command: 'echo hi', timeout_s: 1 },
    ];
    const extra = { image: { ref: image }, workdir: '/work/repo' };
    const execExtra = { image: { ref: execImage }, workdir: '/work/repo' };
    const [host, exec] = await Promise.all([runHostile(actions, extra), runHostile(actions, execExtra, { FORAGER_STATE_READER: 'exec' })]);
    for (const run of [host, exec]) {
      await expectHarvesterHeld(run);
      for (const step of run.steps) {
        expect(step.observation?.timed_out).toBe(false);
        expect(step.observation?.duration_ms).toBeLessThan(1000);
        expect(step.state?.changes_truncated).toBeUndefined();
      }
      expect(stdoutOf(run.steps[0])).toBe('hi\n');
      expect(run.steps[0]!.state?.changes).toEqual([]);
      expect(run.steps[1]!.state?.changes).toEqual([{ path: '/work/repo/d007/f007001.py', change: 'modified', size: 5 }]);
      expect(run.steps[2]!.state?.changes).toEqual([]);
    }
    // The host reader's cost follows the change, not the 300k files. Under gVisor each look
    // also lists its own /tmp by an exec (host+exec), which costs what an exec costs there
    // (1.4 s seen beside the other leg's walks): it must still be far below a walk of the
    // 20k-file tree, 15 times smaller than the host reader's.
    const probes = { host: host.steps.map((s) => s.state?.probe_ms), exec: exec.steps.map((s) => s.state?.probe_ms) };
    if (RUNSC) expect(host.steps[2]!.state!.probe_ms!, JSON.stringify(probes)).toBeLessThan(exec.steps[2]!.state!.probe_ms! / 2);
    else expect(host.steps[2]!.state!.probe_ms!, JSON.stringify(probes)).toBeLessThan(200);
  }, EXEC_READER_BUDGET_MS);

  it.concurrent('a batch holding an attack completes, and a resumed harvest finds nothing left to do', async () => {
    const dir = await tempDir('forager-hostile-batch-');
    const tasks = join(dir, 'tasks');
    await writeTasks(tasks, 1, () => [
      { tool: 'bash', command: 'find() { head -c 200000000 /dev/zero; }; export PATH=/nonexistent; echo armed' },
      { tool: 'bash', command: 'echo survived' },
    ], 'attack');
    await writeTasks(tasks, 1, () => [{ tool: 'bash', command: 'echo plain' }], 'plain');
    const out = join(dir, 'out');
    const runId = testRunId();
    const first = await runCli(['harvest', tasks, '--out', out, '--run-id', runId, '--quiet']);
    expect(first.code, first.stderr).toBe(0);
    const files = await allTrajectoryFiles(out);
    expect(files).toHaveLength(2);
    const before = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    const second = await runCli(['harvest', tasks, '--out', out, '--run-id', runId, '--quiet']);
    expect(second.code, second.stderr).toBe(0);
    expect(await Promise.all(files.map((f) => readFile(f, 'utf8')))).toEqual(before);
    const attack = before.find((t) => t.includes('survived'))!;
    expect(attack).toContain('"exit_status":"agent_finished"');
    expect(await containersOf(runId)).toEqual([]);
  });
});
