import type { FileChange, State } from '../trajectory/schema.js';

/** At most this many changed files under the workdir are listed per step. */
export const MAX_CHANGES = 1000;
/** At most this many changed files outside the workdir are listed per step. */
export const MAX_OUTSIDE = 200;
/** Longest path kept in a change record, in characters; longer ones are cut and end with `…`. */
export const MAX_PATH = 4096;
/** Caches and VCS internals: changes under folders of these names are not listed. */
export const PRUNED = ['.git', '__pycache__', 'node_modules', '.pytest_cache'];

/** One change a state reader saw, before bounds and the workdir/outside split. */
export interface RawChange {
  path: string;
  change: FileChange['change'];
  size?: number;
}

export interface StateReading {
  changes: RawChange[];
  /** The reader could not see everything (a snapshot or a listing hit its bound). */
  incomplete: boolean;
  /** Changes the reader knows of but did not list. */
  omitted: number;
}

/**
 * The step's state record from what a reader saw: changes under the workdir in
 * `changes`, the rest in `outside`, each sorted, pruned and bounded (counts of what was
 * left out are kept).
 */
export function buildState(cwd: string, reading: StateReading, workdir: string): State {
  const prefix = workdir.endsWith('/') ? workdir : `${workdir}/`;
  const inside: FileChange[] = [];
  const outside: FileChange[] = [];
  for (const raw of reading.changes) {
    if (isPruned(raw.path)) continue;
    const change: FileChange = { path: boundPath(raw.path), change: raw.change };
    if (raw.size !== undefined && raw.change !== 'deleted') change.size = raw.size;
    (raw.path.startsWith(prefix) ? inside : outside).push(change);
  }
  const byPath = (a: FileChange, b: FileChange) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  inside.sort(byPath);
  outside.sort(byPath);
  const state: State = { cwd, changes: inside.slice(0, MAX_CHANGES) };
  const insideOmitted = Math.max(0, inside.length - MAX_CHANGES);
  if (insideOmitted > 0 || reading.incomplete || reading.omitted > 0) {
    state.changes_truncated = true;
    // What the reader could not attribute counts against the workdir: the stricter reading.
    state.changes_omitted = insideOmitted + reading.omitted;
  }
  if (outside.length > 0) state.outside = outside.slice(0, MAX_OUTSIDE);
  if (outside.length > MAX_OUTSIDE) {
    state.outside_truncated = true;
    state.outside_omitted = outside.length - MAX_OUTSIDE;
  }
  return state;
}

function isPruned(path: string): boolean {
  for (const name of PRUNED) {
    if (path.includes(`/${name}/`) || path.endsWith(`/${name}`)) return true;
  }
  return false;
}

function boundPath(path: string): string {
  return path.length <= MAX_PATH ? path : `${path.slice(0, MAX_PATH)}…`;
}
