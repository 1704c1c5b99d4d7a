import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';

/** One file system entry of a build context, path relative to the context root (POSIX separators). */
export interface ContextEntry {
  path: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  content?: Buffer;
  target?: string;
}

/** Every file, folder and symlink under `dir`, sorted by path; sockets and devices are left out. */
export async function collectContext(dir: string, maxBytes = 512 * 1024 * 1024): Promise<ContextEntry[]> {
  const entries: ContextEntry[] = [];
  let total = 0;
  const walk = async (folder: string): Promise<void> => {
    for (const name of (await readdir(folder)).sort()) {
      const full = join(folder, name);
      const path = relative(dir, full).split(sep).join(posix.sep);
      const stat = await lstat(full);
      const mode = stat.mode & 0o7777;
      if (stat.isSymbolicLink()) entries.push({ path, type: 'symlink', mode, target: await readlink(full) });
      else if (stat.isDirectory()) {
        entries.push({ path, type: 'directory', mode });
        await walk(full);
      } else if (stat.isFile()) {
        total += stat.size;
        if (total > maxBytes) throw new RangeError(`build context ${dir} is larger than ${maxBytes} bytes`);
        entries.push({ path, type: 'file', mode, content: await readFile(full) });
      }
    }
  };
  await walk(dir);
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The content hash an environment image is tagged with: the Dockerfile, every context
 * entry (path, type, permission bits, bytes or link target) and the base image ID.
 */
export function hashBuildInput(input: { dockerfile: Buffer; entries: ContextEntry[]; baseImageId: string }): string {
  const hash = createHash('sha256');
  const field = (value: string | Buffer): void => {
    const bytes = typeof value === 'string' ? Buffer.from(value) : value;
    hash.update(`${bytes.length}:`).update(bytes);
  };
  field('forager-env/1');
  field(input.baseImageId);
  field(input.dockerfile);
  for (const entry of input.entries) {
    field(entry.type);
    field(entry.path);
    field((entry.mode & 0o777).toString(8));
    field(entry.content ?? entry.target ?? '');
  }
  return hash.digest('hex');
}

/** A tar stream of the context, plus one extra file (a Dockerfile that lies outside the context). */
export function packContext(entries: ContextEntry[], extra?: { path: string; content: Buffer }): Readable {
  const pack = tar.pack();
  // A fixed time (not 1970: zip, hence wheels, refuses dates before 1980) keeps images reproducible.
  const mtime = new Date('2020-01-01T00:00:00Z');
  for (const entry of entries) {
    if (entry.type === 'file') pack.entry({ name: entry.path, mode: entry.mode, mtime }, entry.content ?? Buffer.alloc(0));
    else if (entry.type === 'directory') pack.entry({ name: entry.path, type: 'directory', mode: entry.mode, mtime });
    else pack.entry({ name: entry.path, type: 'symlink', linkname: entry.target, mode: entry.mode, mtime });
  }
  if (extra) pack.entry({ name: extra.path, mode: 0o644, mtime }, extra.content);
  pack.finalize();
  return Readable.from(pack, { objectMode: false });
}
