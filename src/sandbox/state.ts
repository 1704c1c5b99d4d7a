import type { FileChange, State } from '../trajectory/schema.js';
import type { LayerReport } from './layer/report.js';

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
  /** The exact bytes (base64) when the path is not UTF-8 (`path` then shows them as \xHH). */
  pathBytes?: string;
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
  let pruned = 0;
  for (const raw of reading.changes) {
    if (isPruned(raw.path)) {
      pruned += 1;
      continue;
    }
    const change: FileChange = { path: boundPath(raw.path), change: raw.change };
    if (raw.size !== undefined && raw.change !== 'deleted') change.size = raw.size;
    if (raw.pathBytes !== undefined) change.path_bytes = raw.pathBytes;
    if (raw.path.length > MAX_PATH) change.path_length = Buffer.byteLength(raw.path);
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
  if (pruned > 0) state.changes_pruned = pruned;
  return state;
}

/** A path's bytes as text: UTF-8 as it is; otherwise each byte outside it as \xHH, with the exact bytes kept apart. */
export function decodePath(bytes: Buffer): { path: string; pathBytes?: string } {
  const text = bytes.toString('utf8');
  if (!text.includes('\ufffd') || Buffer.from(text, 'utf8').equals(bytes)) return { path: text };
  return { path: escapeInvalidUtf8(bytes), pathBytes: bytes.toString('base64') };
}

/** Each byte that is not part of a valid UTF-8 sequence as \\xHH (as Python's backslashreplace decodes). */
function escapeInvalidUtf8(bytes: Buffer): string {
  let out = '';
  let run = 0;
  let at = 0;
  while (at < bytes.length) {
    const length = validSequenceAt(bytes, at);
    if (length > 0) {
      at += length;
      continue;
    }
    out += bytes.toString('utf8', run, at) + `\\x${bytes[at]!.toString(16).padStart(2, '0')}`;
    at += 1;
    run = at;
  }
  return out + bytes.toString('utf8', run);
}

/** The length of the valid UTF-8 sequence starting at `at` (no overlongs, surrogates or code points past U+10FFFF), or 0. */
function validSequenceAt(b: Buffer, at: number): number {
  const c = b[at]!;
  if (c < 0x80) return 1;
  const cont = (i: number, lo = 0x80, hi = 0xbf) => at + i < b.length && b[at + i]! >= lo && b[at + i]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
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

/** The step's state record from the host reader's report (already bounded and split by the watcher). */
export function stateFromReport(cwd: string, report: LayerReport): State {
  const state: State = { cwd, changes: report.inside };
  const insideOmitted = report.insideTotal - report.inside.length + report.omitted;
  if (insideOmitted > 0) {
    state.changes_truncated = true;
    state.changes_omitted = insideOmitted;
  }
  if (report.outside.length > 0) state.outside = report.outside;
  if (report.outsideTotal > report.outside.length) {
    state.outside_truncated = true;
    state.outside_omitted = report.outsideTotal - report.outside.length;
  }
  if (report.pruned > 0) state.changes_pruned = report.pruned;
  if (report.fullWalks > 0) state.probe_full_walks = report.fullWalks;
  return state;
}
