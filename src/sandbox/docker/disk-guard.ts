import type Docker from 'dockerode';
import { InfrastructureError } from '../../core/errors.js';
import { freeBytes } from './disk.js';
import { engine } from './engine.js';

/** Default free space the engine's data root must keep before new work is taken: 5 GiB. */
export const DEFAULT_MIN_FREE_MB = 5120;

/** The threshold from FORAGER_MIN_FREE_MB, else the default; 0 turns the guard off. */
export function minFreeBytesFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FORAGER_MIN_FREE_MB;
  if (raw === undefined || raw === '') return DEFAULT_MIN_FREE_MB * 1024 * 1024;
  const mb = Number(raw);
  if (!Number.isFinite(mb) || mb < 0) {
    throw new InfrastructureError('BAD_MIN_FREE', `FORAGER_MIN_FREE_MB must be a number of MiB (0 turns the guard off), got ${JSON.stringify(raw)}`);
  }
  return Math.round(mb * 1024 * 1024);
}

const roots = new WeakMap<Docker, Promise<string | undefined>>();

/**
 * Throws ENGINE_DISK_LOW when the file system under the engine's data root
 * (`docker info` DockerRootDir) has less than `minFree` bytes free. An engine whose root
 * this process cannot stat (remote) passes: its host must guard itself.
 */
export async function requireEngineFreeSpace(minFree: number, docker: Docker = engine()): Promise<{ root: string; free: number } | undefined> {
  if (minFree <= 0) return undefined;
  let root = roots.get(docker);
  if (!root) {
    root = docker.info().then((info: { DockerRootDir?: string }) => info.DockerRootDir, () => undefined);
    roots.set(docker, root);
  }
  const dir = await root;
  if (!dir) return undefined;
  const free = await freeBytes(dir);
  if (free === undefined) return undefined;
  if (free < minFree) {
    throw new InfrastructureError(
      'ENGINE_DISK_LOW',
      `the engine's data root ${dir} has ${free} bytes free (${Math.floor(free / 1048576)} MiB), below the ${minFree} bytes (${Math.floor(minFree / 1048576)} MiB) kept free: no new attempt is started (set FORAGER_MIN_FREE_MB to change the threshold, 0 to turn the guard off)`,
      { context: { root: dir, freeBytes: free, minFreeBytes: minFree } },
    );
  }
  return { root: dir, free };
}
