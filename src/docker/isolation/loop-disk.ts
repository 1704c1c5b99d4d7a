import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { InfrastructureError } from '../../core/errors.js';
import { findProgram, isRoot, runHostCommand } from '../../core/host-command.js';

/** Where loop-file disks are made and mounted on the host, one folder per sandbox while it starts. */
export const LOOP_DISK_ROOT = process.env.FORAGER_DISK_ROOT ?? '/var/lib/forager/disks';

/**
 * An ext4 file system of a fixed size in a sparse file, loop-mounted on the host. The file is
 * unlinked as soon as it is mounted and the mount is made by mount(8), which sets the loop
 * device's autoclear flag: once the container holds the file system (a bind mount) and the
 * host's own mount is lazily detached (`detachHost`), the kernel frees the device and the
 * file's blocks when the container's last reference goes, whatever ends it. Only a harvester
 * killed between `make` and `detachHost` leaves a mount here; `forager gc` finds it by the
 * owner pid and start time in its name.
 */
export class LoopDisk {
  private attached = true;

  private constructor(readonly dir: string) {}

  static async make(sizeMb: number, owner: { pid: number; start: string | null }): Promise<LoopDisk> {
    if (!isRoot()) throw new InfrastructureError('DISK_MOUNT_UNAVAILABLE', 'a loop-file disk (disk_mount: loop) needs root on the engine\'s host: use disk_mount: tmpfs, or run forager as root');
    for (const program of ['mkfs.ext4', 'mount', 'umount']) {
      if (!findProgram(program)) throw new InfrastructureError('DISK_MOUNT_UNAVAILABLE', `a loop-file disk needs ${program} on this host (e2fsprogs, mount)`);
    }
    await mkdir(LOOP_DISK_ROOT, { recursive: true, mode: 0o700 });
    const name = `${owner.pid}-${owner.start ?? 'x'}-${randomBytes(6).toString('hex')}`;
    const dir = join(LOOP_DISK_ROOT, name);
    const file = `${dir}.img`;
    const disk = new LoopDisk(dir);
    try {
      await mkdir(dir, { mode: 0o700 });
      // -m 0: no blocks reserved for root (the agent is root: the limit is the size); lazy
      // init keeps mkfs at tens of milliseconds whatever the size.
      await must('truncate', ['-s', `${sizeMb}M`, file]);
      await must('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=1,lazy_journal_init=1', file]);
      await must('mount', ['-o', 'loop,nosuid,nodev', file, dir]);
      await unlink(file);
      // The file system's root is the workdir: no lost+found for the agent to find there.
      await rm(join(dir, 'lost+found'), { recursive: true, force: true });
    } catch (error) {
      await disk.release();
      await unlink(file).catch(() => undefined);
      throw error instanceof InfrastructureError ? error : new InfrastructureError('DISK_MOUNT_FAILED', `could not make a ${sizeMb} MiB loop disk: ${(error as Error).message}`, { cause: error });
    }
    return disk;
  }

  /** The container holds the file system now: drop the host's mount (lazily; the container's stays). */
  async detachHost(): Promise<void> {
    if (!this.attached) return;
    this.attached = false;
    await runHostCommand('umount', ['-l', this.dir]);
    await rmdir(this.dir).catch(() => undefined);
  }

  /** Undo a disk no container took: unmount (the loop device and the file go with it). */
  async release(): Promise<void> {
    await this.detachHost();
  }
}

/** Loop disks whose making harvester is gone (by pid and start time in the name): unmounted and removed; their names. */
export async function reapLoopDisks(isOwnerAlive: (pid: number, start: string) => boolean, dryRun = false): Promise<string[]> {
  const names = await readdir(LOOP_DISK_ROOT).catch(() => [] as string[]);
  const reaped: string[] = [];
  for (const name of names) {
    const match = /^(\d+)-([^-]+)-[0-9a-f]+(\.img)?$/.exec(name);
    if (!match || isOwnerAlive(Number(match[1]), match[2]!)) continue;
    reaped.push(name);
    if (dryRun) continue;
    const path = join(LOOP_DISK_ROOT, name);
    if (match[3]) await unlink(path).catch(() => undefined);
    else {
      await runHostCommand('umount', ['-l', path]);
      await rmdir(path).catch(() => undefined);
    }
  }
  return reaped;
}

async function must(program: string, args: string[]): Promise<void> {
  const result = await runHostCommand(program, args, { timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new Error(`${program} ${args.join(' ')} failed (exit ${result.exitCode}): ${result.tail.trim()}`);
}
