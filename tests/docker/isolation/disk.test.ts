// @needs docker runsc
import { readdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engine } from '../../../src/docker/engine.js';
import { LOOP_DISK_ROOT } from '../../../src/docker/isolation/loop-disk.js';
import { probeStorageQuota } from '../../../src/docker/isolation/storage-quota.js';
import { runHostCommand } from '../../../src/core/host-command.js';
import type { RuntimeSandbox } from '../../../src/sandbox/index.js';
import type { Limits } from '../../../src/trajectory/schema.js';
import { containersOf, startTestSandbox, testRunId } from '../../helpers/docker.js';
import { BASE_IMAGE } from '../../helpers/images.js';
import { requireRunsc } from '../../helpers/runtime.js';

const MB = 1024 * 1024;

/**
 * Bytes on the host's disk in the writable layers of a run's containers (each layer's folder,
 * `du -x`: not its merged mount, nor the mounts inside it). The engine's free space would count
 * whatever the suite's other files write meanwhile; this counts the sandbox's own.
 */
async function layerBytes(runId: string): Promise<number> {
  let total = 0;
  for (const id of await containersOf(runId)) {
    const driver = (await engine().getContainer(id).inspect()).GraphDriver as { Data?: Record<string, string> | null };
    const upper = driver.Data?.UpperDir;
    if (!upper) throw new Error(`container ${id} has no overlay upper directory to measure`);
    const r = await runHostCommand('du', ['-s', '-x', '-B1', dirname(upper)]);
    if (r.exitCode !== 0) throw new Error(`du ${dirname(upper)} failed: ${r.tail}`);
    total += Number(r.tail.split(/\s/)[0]);
  }
  return total;
}

async function loopDevicesOfForager(): Promise<string> {
  const r = await runHostCommand('losetup', ['-l', '-n', '-O', 'NAME,BACK-FILE']);
  return r.tail.split('\n').filter((l) => l.includes(LOOP_DISK_ROOT)).join('\n');
}

const text = (s: { text: string; tail?: string }): string => s.text + (s.tail ?? '');

describe('disk bounded by the kernel, per mode', () => {
  const boxes: RuntimeSandbox[] = [];
  const runId = testRunId();
  afterEach(async () => {
    for (const box of boxes.splice(0)) await box.stop();
    expect(await containersOf(runId)).toEqual([]);
  });

  it('asks the engine whether --storage-opt size works (here: overlay2 on ext4 refuses it, and says why)', async () => {
    const quota = await probeStorageQuota(engine(), BASE_IMAGE, { 'forager.run': runId });
    expect(quota.supported).toBe(false);
    if (!quota.supported) expect(quota.reason).toMatch(/xfs|pquota|storage-opt/i);
  });

  const modes: { name: string; limits: Partial<Limits>; gvisor?: boolean; bounds: string[] }[] = [
    { name: 'runc + tmpfs mounts', limits: { disk_mount: 'tmpfs' }, bounds: ['tmpfs:/etc/apt', 'tmpfs:/tmp', 'poll'] },
    { name: 'runc + loop-file mount', limits: { disk_mount: 'loop' }, bounds: ['loop:/etc/apt', 'tmpfs:/tmp', 'poll'] },
  ];

  it.each(modes)('$name: `fallocate` far past disk_mb in the workdir gets ENOSPC, the host loses no more than the limit, the image\'s workdir is there and its changes are recorded', async ({ limits, gvisor, bounds }) => {
    if (gvisor) await requireRunsc();
    const box = await startTestSandbox({ disk_mb: 64, memory_mb: 1024, ...limits }, runId, { workdir: '/etc/apt' });
    boxes.push(box);
    expect(box.isolation).toMatchObject({ disk: 'mounts+poll', disk_bounds: bounds, kernel: gvisor ? 'gvisor' : 'host' });
    const listed = await box.exec('ls /etc/apt; df -m /etc/apt | tail -1', { trackState: false });
    expect(text(listed.observation.stdout)).toContain('sources.list');
    const before = await layerBytes(runId);
    const r = await box.exec('fallocate -l 5G /etc/apt/big; echo "rc=$?"; echo small > /etc/apt/note.txt; echo tmp > /tmp/t.txt');
    expect(text(r.observation.stdout)).toMatch(/rc=[1-9]/);
    expect(text(r.observation.stderr)).toMatch(/No space left on device/);
    // Nothing reached the container's layer; what reached the host is the mount's own, at most the limit.
    expect((await layerBytes(runId)) - before).toBeLessThan(1 * MB);
    const used = await box.exec('df -B1 --output=used /etc/apt | tail -1', { trackState: false });
    expect(Number(text(used.observation.stdout).trim())).toBeLessThanOrEqual(64 * MB);
    expect(r.state?.probe).toBe('host+exec');
    const changed = (r.state?.changes ?? []).map((c) => `${c.change} ${c.path}`);
    expect(changed).toContain('added /etc/apt/note.txt');
    expect((r.state?.outside ?? []).map((c) => c.path)).toContain('/tmp/t.txt');
    expect(r.observation.disk_limit_reached).toBeUndefined();
  });

  it('refuses size-limited mounts under runsc, saying why, and leaves nothing behind', async () => {
    await requireRunsc();
    const failed = await startTestSandbox({ disk_mb: 64, disk_mount: 'tmpfs', runtime: 'runsc' }, runId).catch((error: Error & { code?: string }) => error);
    expect(failed).toBeInstanceOf(Error);
    expect((failed as { code?: string }).code).toBe('DISK_MOUNT_UNAVAILABLE');
    expect((failed as Error).message).toMatch(/runsc-memory/);
  });

  it('a loop disk leaves nothing on the host once its sandbox is gone: no mount, no loop device, no file', async () => {
    const box = await startTestSandbox({ disk_mb: 64, disk_mount: 'loop' }, runId);
    expect(await readdir(LOOP_DISK_ROOT)).toEqual([]);
    expect(await loopDevicesOfForager()).toMatch(/\(deleted\)/);
    await box.exec('head -c 10M /dev/urandom > /work/data', { trackState: false });
    await box.stop();
    // The engine unmounts the volume as it removes the container; the kernel then frees the device (autoclear).
    for (let i = 0; i < 50 && (await loopDevicesOfForager()) !== ''; i += 1) await new Promise((r) => setTimeout(r, 100));
    expect(await loopDevicesOfForager()).toBe('');
    expect(await readdir(LOOP_DISK_ROOT)).toEqual([]);
  });

  it('poll only: the step past disk_mb is stopped and records what the poll let through', async () => {
    const box = await startTestSandbox({ disk_mb: 64 }, runId);
    boxes.push(box);
    expect(box.isolation).toMatchObject({ disk: 'poll', disk_bounds: ['poll'] });
    const r = await box.exec('fallocate -l 1G /big; sleep 5');
    expect(r.observation.disk_limit_reached).toBe(true);
    expect(r.observation.disk_overshoot_bytes).toBeGreaterThan(900 * MB);
  });

  it('runsc with its memory overlay: writes never reach the host\'s disk, they count against memory', async () => {
    await requireRunsc('runsc-memory');
    const box = await startTestSandbox({ disk_mb: 64, memory_mb: 512, runtime: 'runsc-memory' }, runId);
    boxes.push(box);
    expect(box.isolation).toMatchObject({ kernel: 'gvisor', disk: 'kernel', disk_bounds: ['memory:/'] });
    expect(box.stateReader).toBe('exec');
    const before = await layerBytes(runId);
    const r = await box.exec('head -c 1G /dev/zero > /big; echo "rc=$?"', { timeoutMs: 60_000 }).catch((error: Error) => error);
    // Measured while the container is still there (a sandbox killed for memory is still listed until it is stopped).
    expect((await layerBytes(runId)) - before).toBeLessThan(1 * MB);
    // 1 GiB cannot fit a 512 MiB sandbox: the write is refused, or its processes (or the sandbox) are killed for memory.
    if (!(r instanceof Error)) expect(text(r.observation.stdout)).not.toContain('rc=0');
    else expect(r.message).toMatch(/memory|stopped|removed/);
  }, 240_000);
});

describe('forager gc and what sandboxes leave outside the engine', () => {
  it('finds a loop disk whose harvester is gone (by the pid and start time in its name) and removes it, sparing a live one\'s', async () => {
    const { LoopDisk, reapLoopDisks } = await import('../../../src/docker/isolation/loop-disk.js');
    const dead = await LoopDisk.make(16, { pid: 999_999, start: '1' });
    const live = await LoopDisk.make(16, { pid: process.pid, start: 'live' });
    try {
      const isOwnerAlive = (pid: number, start: string) => pid === process.pid && start === 'live';
      expect(await reapLoopDisks(isOwnerAlive, true)).toEqual([dead.dir.split('/').pop()]);
      expect(await reapLoopDisks(isOwnerAlive)).toEqual([dead.dir.split('/').pop()]);
      expect(await readdir(LOOP_DISK_ROOT)).toEqual([live.dir.split('/').pop()]);
    } finally {
      await live.release();
      await dead.release();
    }
    expect(await readdir(LOOP_DISK_ROOT)).toEqual([]);
  });
});
