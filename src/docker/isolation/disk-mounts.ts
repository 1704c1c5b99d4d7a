import { posix } from 'node:path';
import type Docker from 'dockerode';
import { InfrastructureError } from '../../core/errors.js';
import type { Limits } from '../../trajectory/schema.js';
import { LoopDisk } from './loop-disk.js';

type MountSettings = NonNullable<Docker.HostConfig['Mounts']>[number];

/** The workdir and /tmp as size-limited mounts, and what to do with them around the container's life. */
export interface DiskMounts {
  mounts: MountSettings[];
  /** Mounted paths, with how each is bounded: `tmpfs:/work`, `loop:/work`. */
  bounds: string[];
  /** Paths whose writes are not in the container's writable layer. */
  paths: string[];
  /** The container started: let go of what only the start needed. */
  started(): Promise<void>;
  /** The container was never made or is gone: undo. */
  release(): Promise<void>;
}

/**
 * The mounts `limits.disk_mount` asks for: the workdir as a tmpfs (counts against the memory
 * limit) or as a loop-mounted ext4 file of `disk_mb`, and /tmp as a tmpfs of at most a quarter
 * of the memory limit (so it fills before memory does: ENOSPC, not an OOM kill). Both are
 * empty: the image's workdir is copied in as the container starts (fillWorkdir).
 */
export async function prepareDiskMounts(limits: Limits, workdir: string, owner: { pid: number; start: string | null }): Promise<DiskMounts | undefined> {
  if (!limits.disk_mount) return undefined;
  const sizeMb = limits.disk_mb ?? 10240;
  const tmpMb = Math.max(16, Math.min(sizeMb, Math.floor(limits.memory_mb / 4)));
  const tmp = { Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: tmpMb * 1024 * 1024, Mode: 0o1777 } } as MountSettings;
  const withTmp = (work: MountSettings): MountSettings[] => (posix.normalize(workdir) === '/tmp' ? [work] : [work, tmp]);
  const paths = posix.normalize(workdir) === '/tmp' ? ['/tmp'] : [workdir, '/tmp'];
  if (limits.disk_mount === 'tmpfs') {
    const work = volume(workdir, { type: 'tmpfs', device: 'tmpfs', o: `size=${sizeMb}m,mode=0755` });
    return { mounts: withTmp(work), bounds: [`tmpfs:${workdir}`, ...(paths.length > 1 ? ['tmpfs:/tmp'] : [])], paths, started: async () => undefined, release: async () => undefined };
  }
  const disk = await LoopDisk.make(sizeMb, owner);
  const work = volume(workdir, { type: 'none', o: 'bind', device: disk.dir });
  return {
    mounts: withTmp(work),
    bounds: [`loop:${workdir}`, ...(paths.length > 1 ? ['tmpfs:/tmp'] : [])],
    paths,
    started: () => disk.detachHost(),
    release: () => disk.release(),
  };
}

/** An anonymous volume of the local driver: removed with the container (AutoRemove), so nothing of it outlives the sandbox. */
function volume(target: string, options: Record<string, string>): MountSettings {
  return { Type: 'volume', Target: target, VolumeOptions: { DriverConfig: { Name: 'local', Options: options } } } as MountSettings;
}

/**
 * Copy the image's workdir into the (empty) workdir mount of a just started container
 * (before any session: only its dead-man runs): read from a second created container of the same image that has no mounts,
 * streamed through the Engine API into the first (the engine extracts inside the
 * container's view: links in the image cannot reach the host). A workdir larger than the
 * mount fails here, saying so.
 */
export async function fillWorkdir(docker: Docker, target: Docker.Container, image: string, workdir: string, labels: Record<string, string>): Promise<void> {
  const source = await docker.createContainer({ Image: image, Entrypoint: ['true'], Labels: labels, HostConfig: { NetworkMode: 'none' } });
  try {
    let archive: NodeJS.ReadableStream;
    try {
      archive = await source.getArchive({ path: `${workdir.replace(/\/+$/, '')}/.` });
    } catch (error) {
      // An image without the workdir: the mount starts empty, as the folder would.
      if ((error as { statusCode?: number }).statusCode === 404) return;
      throw error;
    }
    await target.putArchive(archive, { path: workdir });
  } catch (error) {
    throw new InfrastructureError('DISK_MOUNT_FAILED', `could not copy the image's ${workdir} into its size-limited mount (larger than disk_mb?): ${(error as Error).message}`, { context: { workdir }, cause: error });
  } finally {
    await source.remove({ force: true }).catch(() => undefined);
  }
}
