import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { flavourOf } from '../flavour.js';
import { withFileLock } from './file-lock.js';

/**
 * forager's own record of the images it built, per engine: engine ID → image ID → ref and
 * time. Eviction removes only images in it: labels cannot prove authorship, since Docker
 * copies them into every image built FROM a labelled one.
 */
export interface BuiltImages {
  version: 1;
  engines: Record<string, Record<string, { ref: string; built_at: string }>>;
}

/** ~/.cache/forager/built-images.json, or under $XDG_CACHE_HOME. */
export function builtImagesPath(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'forager', 'built-images.json');
}

const engineIds = new WeakMap<Docker, Promise<string>>();

/** The engine's own ID (`docker info`, or what its flavour names it by), so one record serves several engines. */
export function engineId(docker: Docker): Promise<string> {
  let id = engineIds.get(docker);
  if (!id) {
    const flavour = flavourOf(docker);
    id = flavour.engineId ? flavour.engineId(docker) : docker.info().then((info: { ID?: string; Name?: string }) => info.ID || info.Name || 'unknown');
    engineIds.set(docker, id);
  }
  return id;
}

export async function readBuiltImages(path = builtImagesPath()): Promise<BuiltImages> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as Partial<BuiltImages>;
    if (value && value.version === 1 && value.engines && typeof value.engines === 'object') return value as BuiltImages;
  } catch {
    // missing or unreadable: nothing is known to be ours
  }
  return { version: 1, engines: {} };
}

/** The IDs of the images forager built on this engine. */
export async function builtImageIds(docker: Docker, path = builtImagesPath()): Promise<Set<string>> {
  const record = await readBuiltImages(path);
  return new Set(Object.keys(record.engines[await engineId(docker)] ?? {}));
}

/** Add an image forager just built (locked: many builds may finish at once). */
export async function recordBuiltImage(docker: Docker, id: string, ref: string, path = builtImagesPath()): Promise<void> {
  const engine = await engineId(docker);
  await updateRecord(path, (record) => {
    (record.engines[engine] ??= {})[id] = { ref, built_at: new Date().toISOString() };
  });
}

/** Drop images that were removed. */
export async function forgetBuiltImages(docker: Docker, ids: Iterable<string>, path = builtImagesPath()): Promise<void> {
  const engine = await engineId(docker);
  await updateRecord(path, (record) => {
    for (const id of ids) delete record.engines[engine]?.[id];
  });
}

async function updateRecord(path: string, change: (record: BuiltImages) => void): Promise<void> {
  await withFileLock(`built-images-${path}`, async () => {
    const record = await readBuiltImages(path);
    change(record);
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, `${JSON.stringify(record, null, 1)}\n`);
    await rename(temp, path);
  }, { timeoutMs: 60_000 });
}
