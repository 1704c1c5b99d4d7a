import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ImportError } from './errors.js';

/** A file to import, and whether it was found in a folder (true) or named (false). */
export interface InputFile {
  path: string;
  found: boolean;
}

/** The files to import: files as given, folders walked (sorted) for names matching `pattern`. */
export async function* findInputFiles(paths: readonly string[], pattern: RegExp): AsyncGenerator<InputFile> {
  for (const path of paths) {
    const info = await stat(path).catch((cause: unknown) => {
      throw new ImportError(`${path}: no such file or folder`, { cause });
    });
    if (info.isDirectory()) {
      for await (const found of walk(path, pattern)) yield { path: found, found: true };
    } else yield { path, found: false };
  }
}

async function* walk(folder: string, pattern: RegExp): AsyncGenerator<string> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path, pattern);
    else if (entry.isFile() && pattern.test(entry.name)) yield path;
  }
}
