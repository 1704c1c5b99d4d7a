import { statfs } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { OverlayStateReader } from './overlay-state.js';

/**
 * The size of a container's writable layer: walked from the host when its upper
 * directory is readable, else asked of the engine (`SizeRw`, which walks the same layer).
 */
export async function writableLayerBytes(container: Docker.Container, overlay: OverlayStateReader | undefined): Promise<number | undefined> {
  if (overlay) return overlay.size();
  try {
    const info = (await container.inspect({ size: true } as object)) as { SizeRw?: number };
    return info.SizeRw;
  } catch {
    return undefined;
  }
}

/** Free bytes on the file system holding `path` (for the engine's data root), or undefined. */
export async function freeBytes(path: string): Promise<number | undefined> {
  try {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
