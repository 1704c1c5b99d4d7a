import { readFile } from 'node:fs/promises';
import { TaskError } from '../core/errors.js';
import { normaliseRepo } from './facts.js';

/** Read a list file: one entry per line, blank lines and `#` comments ignored. */
export async function readListFile(path: string, what: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new TaskError('EXPORT_LIST_UNREADABLE', `${path}: cannot read the ${what} list: ${(cause as Error).message}`, { cause });
  }
  return text.split(/\r?\n/).map((line) => line.replace(/#.*/, '').trim()).filter((line) => line !== '');
}

export async function readExcludedTasks(path: string): Promise<Set<string>> {
  return new Set(await readListFile(path, 'excluded tasks'));
}

export async function readExcludedRepos(path: string): Promise<Set<string>> {
  return new Set((await readListFile(path, 'excluded repositories')).map(normaliseRepo));
}
