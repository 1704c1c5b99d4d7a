import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Layout of a batch folder — the one place that knows it:
 *   DIR/batch.jsonl                                    append-only index (a cache; files are the truth)
 *   DIR/harvest.log                                    pino JSON log
 *   DIR/trajectories/<task-id>/<attempt>.jsonl          the attempt's trajectory (its latest try)
 *   DIR/trajectories/<task-id>/<attempt>.try-<n>.jsonl  a try that was retried or redone, kept for forensics
 *   DIR/.staging/<task-id>/<attempt>/<token>/…          distributed mode: a worker's unpublished run
 *   DIR/workers/<worker>/batch.jsonl                   distributed mode: each worker's index
 * A try is written to its `.try-<n>` file and renamed to `<attempt>.jsonl` when it is final.
 * Exactly one trajectory counts per attempt: tries and staging files are read only when a
 * reader asks for them (`--include-tries`).
 */
export const INDEX_FILE = 'batch.jsonl';
export const LOG_FILE = 'harvest.log';
export const TRAJECTORIES_DIR = 'trajectories';
export const STAGING_DIR = '.staging';

export function taskDir(out: string, taskId: string): string {
  return join(out, TRAJECTORIES_DIR, taskId);
}

export function attemptPath(out: string, taskId: string, attempt: number): string {
  return join(taskDir(out, taskId), `${attempt}.jsonl`);
}

export function tryPath(out: string, taskId: string, attempt: number, n: number): string {
  return join(taskDir(out, taskId), `${attempt}.try-${n}.jsonl`);
}

/** A staging folder of one attempt (one subfolder per lock token under it). */
export function stagingRoot(batchDir: string, taskId: string, attempt: number): string {
  return join(batchDir, STAGING_DIR, taskId, String(attempt));
}

/** One worker's staging folder for an attempt, named by its lock token: a batch-folder layout of its own. */
export function stagingDir(batchDir: string, taskId: string, attempt: number, token: string): string {
  return join(stagingRoot(batchDir, taskId, attempt), token);
}

const ATTEMPT_FILE = /^(\d+)\.jsonl$/;
const TRY_FILE = /^(\d+)\.try-(\d+)\.jsonl$/;

/** The try number in a file name like `0.try-2.jsonl` for this attempt, or null. */
export function parseTryName(name: string, attempt: number): number | null {
  const match = TRY_FILE.exec(name);
  return match && Number(match[1]) === attempt ? Number(match[2]) : null;
}

/** What a file name in a task folder is: an attempt's trajectory, a try of one, or neither. */
export function parseTrajectoryName(name: string): { kind: 'attempt'; attempt: number } | { kind: 'try'; attempt: number; n: number } | null {
  const attempt = ATTEMPT_FILE.exec(name);
  if (attempt) return { kind: 'attempt', attempt: Number(attempt[1]) };
  const tried = TRY_FILE.exec(name);
  return tried ? { kind: 'try', attempt: Number(tried[1]), n: Number(tried[2]) } : null;
}

/** Whether a name is a try file (`<attempt>.try-<n>.jsonl`), which never counts as a trajectory of its own. */
export function isTryName(name: string): boolean {
  return TRY_FILE.test(name);
}

export interface WalkOptions {
  /** Also yield try files and whatever sits in `.staging/` (forensics); default: one file per attempt. */
  includeTries?: boolean;
}

/**
 * Every `*.jsonl` file under a folder, recursively, sorted by name at each level: the
 * candidates a reader (export, stats, viewer) checks for a trajectory header. Try files
 * and `.staging/` are passed over unless `includeTries`; other dot-folders and
 * node_modules always are.
 */
export async function* walkJsonlFiles(folder: string, options: WalkOptions = {}): AsyncGenerator<string> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules') continue;
      if (entry.name.startsWith('.') && !(options.includeTries && entry.name === STAGING_DIR)) continue;
      yield* walkJsonlFiles(path, options);
    } else if (entry.isFile() && entry.name.endsWith('.jsonl')) {
      if (!options.includeTries && isTryName(entry.name)) continue;
      yield path;
    }
  }
}

/** The attempts a batch folder has files for (attempt or try files), by task then attempt. */
export async function listAttemptsOnDisk(dir: string): Promise<{ task: string; attempt: number }[]> {
  const root = join(dir, TRAJECTORIES_DIR);
  const found: { task: string; attempt: number }[] = [];
  for (const task of (await readdir(root).catch(() => [] as string[])).sort()) {
    const attempts = new Set<number>();
    for (const name of await readdir(join(root, task)).catch(() => [] as string[])) {
      const parsed = parseTrajectoryName(name);
      if (parsed) attempts.add(parsed.attempt);
    }
    for (const attempt of [...attempts].sort((a, b) => a - b)) found.push({ task, attempt });
  }
  return found;
}

/**
 * Each attempt's own trajectory file (`<attempt>.jsonl`; tries passed over), by task then
 * attempt, with its path relative to the batch folder; undefined when there is no
 * trajectories/ folder (not a batch folder).
 */
export async function listAttemptFiles(dir: string): Promise<{ task: string; attempt: number; file: string }[] | undefined> {
  const root = join(dir, TRAJECTORIES_DIR);
  const tasks = await readdir(root).catch(() => undefined);
  if (!tasks) return undefined;
  const found: { task: string; attempt: number; file: string }[] = [];
  for (const task of tasks.sort()) {
    const attempts: number[] = [];
    for (const name of await readdir(join(root, task)).catch(() => [] as string[])) {
      const parsed = parseTrajectoryName(name);
      if (parsed?.kind === 'attempt') attempts.push(parsed.attempt);
    }
    for (const attempt of attempts.sort((a, b) => a - b)) found.push({ task, attempt, file: join(TRAJECTORIES_DIR, task, `${attempt}.jsonl`) });
  }
  return found;
}

/** The try numbers present for an attempt, ascending. */
export async function listTries(out: string, taskId: string, attempt: number): Promise<number[]> {
  const names = await readdir(taskDir(out, taskId)).catch(() => [] as string[]);
  return names.map((name) => parseTryName(name, attempt)).filter((n): n is number => n !== null).sort((a, b) => a - b);
}
