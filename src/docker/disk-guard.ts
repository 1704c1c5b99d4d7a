import type Docker from 'dockerode';
import { InfrastructureError } from '../core/errors.js';
import { freeBytes } from './disk.js';
import { engine } from './engine.js';

export { DEFAULT_MIN_FREE_MB, minFreeBytesFromEnv } from '../sandbox/free-space.js';

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
