import type { FileChange, State } from '../trajectory/schema.js';
import { shellQuote } from './quote.js';

/** At most this many changed files are listed per step; the rest is flagged as truncated. */
export const MAX_CHANGES = 1000;
const PRUNED = ['.git', '__pycache__', 'node_modules', '.pytest_cache'];

/**
 * Shell code that lists every file under `root` with its mtime and size, NUL-separated:
 * one `find`, the cheapest probe there is (one process per step). The harvester keeps
 * the previous listing and diffs (see WorkdirTracker).
 */
export function stateProbe(root: string): string {
  const prune = PRUNED.map((name) => `-name ${name}`).join(' -o ');
  return `find ${shellQuote(root)} -xdev \\( ${prune} \\) -prune -o \\( -type f -o -type l \\) -printf '%P\\t%T@\\t%s\\0'`;
}

interface Entry {
  mtime: string;
  size: number;
}

/**
 * What each step did to the files under a root: the listing after the step compared
 * with the one before it. The first listing is the baseline and reports no change.
 */
export class WorkdirTracker {
  private previous: Map<string, Entry> | undefined;

  constructor(private readonly root: string) {}

  update(listing: Buffer, cwd: string): State {
    const now = parseListing(listing);
    const before = this.previous;
    this.previous = now;
    if (!before) return { cwd, changes: [] };
    const prefix = this.root.endsWith('/') ? this.root : `${this.root}/`;
    const changes: FileChange[] = [];
    for (const [path, entry] of now) {
      const old = before.get(path);
      if (!old) changes.push({ path: prefix + path, change: 'added', size: entry.size });
      else if (old.mtime !== entry.mtime || old.size !== entry.size) changes.push({ path: prefix + path, change: 'modified', size: entry.size });
    }
    for (const path of before.keys()) {
      if (!now.has(path)) changes.push({ path: prefix + path, change: 'deleted' });
    }
    changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const state: State = { cwd, changes: changes.slice(0, MAX_CHANGES) };
    if (changes.length > MAX_CHANGES) state.changes_truncated = true;
    return state;
  }
}

/** `path\tmtime\tsize` records; a path may itself hold tabs, so split from the right. */
function parseListing(listing: Buffer): Map<string, Entry> {
  const entries = new Map<string, Entry>();
  for (const record of listing.toString('utf8').split('\0')) {
    const sizeAt = record.lastIndexOf('\t');
    const timeAt = record.lastIndexOf('\t', sizeAt - 1);
    if (sizeAt < 0 || timeAt < 0) continue;
    entries.set(record.slice(0, timeAt), { mtime: record.slice(timeAt + 1, sizeAt), size: Number(record.slice(sizeAt + 1)) });
  }
  return entries;
}
