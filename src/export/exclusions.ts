import { ForagerError, TaskError } from '../core/errors.js';
import { readLines } from '../lines/index.js';
import { normaliseRepo } from './facts.js';

/** Read a list file: one entry per line, blank lines and `#` comments ignored. */
export async function readListFile(path: string, what: string): Promise<string[]> {
  const entries: string[] = [];
  try {
    for await (const { text } of readLines(path)) {
      const entry = text.replace(/#.*/, '').trim();
      if (entry !== '') entries.push(entry);
    }
  } catch (cause) {
    if (cause instanceof ForagerError) throw cause;
    throw new TaskError('EXPORT_LIST_UNREADABLE', `${path}: cannot read the ${what} list: ${(cause as Error).message}`, { cause });
  }
  return entries;
}

export async function readExcludedTasks(path: string): Promise<Set<string>> {
  return new Set(await readListFile(path, 'excluded tasks'));
}

export async function readExcludedRepos(path: string): Promise<Set<string>> {
  return new Set((await readListFile(path, 'excluded repositories')).map(normaliseRepo));
}
