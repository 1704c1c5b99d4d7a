import { statfs } from 'node:fs/promises';

/** Free bytes on the file system holding `path` (for the engine's data root), or undefined. */
export async function freeBytes(path: string): Promise<number | undefined> {
  try {
    const s = await statfs(path);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}
