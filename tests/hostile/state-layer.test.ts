// @needs docker
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FileChange, Step } from '../../src/trajectory/schema.js';
import { tempDir } from '../helpers/tasks.js';
import { expectHarvesterHeld, runHostile, stdoutOf } from './state-helpers.js';

/** Every change a step recorded, inside the workdir and out. */
function changesOf(step: Step | undefined): FileChange[] {
  return [...(step?.state?.changes ?? []), ...(step?.state?.outside ?? [])];
}

// Attacks on the host's reading of the writable layer: the harvester reads, as root on the
// host, a tree the agent shapes. Each runs `forager run` in a child process.
describe('hostile layer: the host reads the agent\'s tree without trusting it', () => {
  it.concurrent('a folder swapped for a link to a host folder, again and again, never lists the host folder', async () => {
    const canary = await tempDir('forager-canary-');
    const secret = `host-secret-${randomUUID()}`;
    await mkdir(join(canary, 'inner'));
    await writeFile(join(canary, secret), 'x'.repeat(12_345));
    await writeFile(join(canary, 'inner', `${secret}-2`), 'y');
    const swap = `(while :; do rm -rf /work/x; mkdir -p /work/x/inner; touch /work/x/inner/f; rm -rf /work/x; ln -s ${canary} /work/x; done) >/dev/null 2>&1 & echo started`;
    const run = await runHostile([
      { tool: 'bash', command: swap },
      ...Array.from({ length: 30 }, () => ({ tool: 'bash' as const, command: 'ls /work >/dev/null; true' })),
    ]);
    await expectHarvesterHeld(run);
    expect(run.steps).toHaveLength(31);
    const recorded = JSON.stringify(run.steps.map((s) => s.state));
    expect(recorded).not.toContain(secret);
    expect(recorded).not.toContain('12345');
    // The swapping itself was seen: the link and the folder's file come and go.
    expect(run.steps.some((s) => changesOf(s).some((c) => c.path.startsWith('/work/x')))).toBe(true);
  });

  it.concurrent('a folder whose name is not UTF-8 is counted: the disk limit holds and the name is kept as bytes', async () => {
    const run = await runHostile([
      { tool: 'bash', command: 'd=$(printf \'/work/bad\\377dir\'); mkdir "$d" && echo small > "$d/note" && echo made' },
      { tool: 'bash', command: 'fallocate -l 287M "$(printf \'/work/bad\\377dir\')/big" && echo allocated' },
      { tool: 'bash', command: 'echo never' },
    ], { limits: { disk_mb: 100 } });
    await expectHarvesterHeld(run);
    const note = changesOf(run.steps[0]).find((c) => c.path.endsWith('/note'));
    expect(note).toMatchObject({ path: '/work/bad\\xffdir/note', change: 'added', size: 6 });
    expect(Buffer.from(note!.path_bytes!, 'base64')).toEqual(Buffer.from('/work/bad\xffdir/note', 'latin1'));
    expect(run.steps).toHaveLength(2);
    expect(run.steps[1]!.observation?.disk_limit_reached).toBe(true);
    expect(run.footer.error?.code).toBe('DISK_LIMIT');
  });

  it.concurrent('a path longer than the host allows is still counted, and recorded cut with its length', async () => {
    const name = 'd'.repeat(250);
    // The 17th folder and what is in it are reached by relative names from the 16th (a cwd
    // of 4021 bytes): with a cwd over 4096 bytes, bash's getcwd aborts under gVisor (glibc's
    // assertion on its ERANGE), while the path itself is made there as under runc.
    const run = await runHostile([
      { tool: 'bash', command: `cd /work && for i in $(seq 16); do mkdir ${name} && cd ${name} || exit 1; done; mkdir ${name} && echo deep > ${name}/leaf && echo made` },
      { tool: 'bash', command: `cd /work && for i in $(seq 16); do cd ${name}; done; fallocate -l 3G ${name}/big && echo allocated` },
      { tool: 'bash', command: 'echo never' },
    ], { limits: { disk_mb: 100 } });
    await expectHarvesterHeld(run);
    expect(stdoutOf(run.steps[0])).toBe('made\n');
    const leaf = changesOf(run.steps[0]).find((c) => c.change === 'added' && (c.path_length ?? 0) > 4096);
    expect(leaf).toBeDefined();
    expect(leaf!.path_length).toBe('/work'.length + 17 * 251 + '/leaf'.length);
    expect(leaf!.path.endsWith('…')).toBe(true);
    expect(run.steps[1]!.observation?.disk_limit_reached).toBe(true);
    expect(run.footer.error?.code).toBe('DISK_LIMIT');
  });

  it.concurrent('101,000 empty files do not blind the disk watch to the big one after them, and later steps record only their change', async () => {
    const run = await runHostile([
      { tool: 'bash', command: 'mkdir /work/many && cd /work/many && seq 101000 | xargs touch && echo made' },
      { tool: 'bash', command: 'echo one > /work/after.txt' },
      { tool: 'bash', command: 'fallocate -l 300M /work/big && echo allocated' },
    ], { limits: { disk_mb: 100 } });
    await expectHarvesterHeld(run);
    expect(stdoutOf(run.steps[0])).toBe('made\n');
    expect(run.steps[0]!.state?.changes).toHaveLength(1000);
    expect(run.steps[0]!.state?.changes_omitted).toBe(100_000);
    expect(run.steps[1]!.state?.changes).toEqual([{ path: '/work/after.txt', change: 'added', size: 4 }]);
    expect(run.steps[2]!.observation?.disk_limit_reached).toBe(true);
    expect(run.footer.error?.code).toBe('DISK_LIMIT');
  });

  it.concurrent('several fast allocations in one step: the overshoot the watch let through is recorded', async () => {
    const run = await runHostile([
      { tool: 'bash', command: 'for i in 1 2 3; do fallocate -l 400M /fill$i; done; echo done' },
    ], { limits: { disk_mb: 100 } });
    await expectHarvesterHeld(run);
    const observation = run.steps[0]!.observation!;
    expect(observation.disk_limit_reached).toBe(true);
    expect(observation.disk_overshoot_bytes).toBeGreaterThan(0);
    // At most every allocation went through before the step was stopped.
    expect(observation.disk_overshoot_bytes).toBeLessThan(1200 * 1024 * 1024);
    expect(run.footer.error?.code).toBe('DISK_LIMIT');
  });
});
