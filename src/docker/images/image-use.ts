import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** When each image was last used by a run: image ref → ISO time. Shared by every batch on this machine. */
export type ImageUse = Record<string, string>;

/** ~/.cache/forager/image-use.json, or $XDG_CACHE_HOME/forager/image-use.json. */
export function imageUsePath(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'forager', 'image-use.json');
}

export async function readImageUse(path = imageUsePath()): Promise<ImageUse> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return value && typeof value === 'object' ? (value as ImageUse) : {};
  } catch {
    return {};
  }
}

/** Record that these images were used now; written atomically (temp file + rename). */
export async function recordImageUse(refs: Iterable<string>, path = imageUsePath(), now = new Date()): Promise<void> {
  const use = await readImageUse(path);
  for (const ref of refs) use[ref] = now.toISOString();
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(use, null, 1));
  await rename(temp, path);
}
