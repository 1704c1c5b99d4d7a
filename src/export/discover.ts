import { open, stat } from 'node:fs/promises';
import { TaskError } from '../core/errors.js';
import { walkJsonlFiles, type WalkOptions } from '../scheduler/index.js';
import { TRAJECTORY_FORMAT } from '../trajectory/schema.js';

/** A candidate file; `probe` when it was found in a folder and must be checked for a trajectory header. */
export interface Candidate {
  path: string;
  probe: boolean;
}

/**
 * Trajectory files under the inputs, in a stable order: a file is taken as given, a folder
 * is walked recursively for `*.jsonl` files whose first line is a forager trajectory
 * header (other JSONL files, such as batch manifests, are passed over). In a batch folder
 * that is one file per attempt; tries and staging files only with `includeTries`
 * (scheduler/layout.ts).
 */
export async function* discoverTrajectoryFiles(inputs: readonly string[], options: WalkOptions = {}): AsyncGenerator<string> {
  for await (const candidate of discoverCandidates(inputs, options)) {
    if (!candidate.probe || (await hasTrajectoryHeader(candidate.path))) yield candidate.path;
  }
}

/** Files given, and `*.jsonl` files in the folders given (recursively, by the batch layout's walk), sorted by name. */
export async function* discoverCandidates(inputs: readonly string[], options: WalkOptions = {}): AsyncGenerator<Candidate> {
  for (const input of inputs) {
    let info;
    try {
      info = await stat(input);
    } catch (cause) {
      throw new TaskError('EXPORT_INPUT_MISSING', `${input}: no such file or folder`, { cause });
    }
    if (!info.isDirectory()) yield { path: input, probe: false };
    else for await (const path of walkJsonlFiles(input, options)) yield { path, probe: true };
  }
}

/** Whether the file's first line declares the forager trajectory format (reads at most 64 KiB). */
export async function hasTrajectoryHeader(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    const newline = text.indexOf('\n');
    if (newline !== -1 || bytesRead < buffer.length) return isHeaderLine(newline === -1 ? text : text.slice(0, newline));
    // A header longer than the window (a long instruction): its fields are enough to recognise it.
    return text.startsWith('{') && text.includes('"type":"header"') && text.includes(`"format":"${TRAJECTORY_FORMAT}"`);
  } finally {
    await handle.close();
  }
}

function isHeaderLine(line: string): boolean {
  try {
    const value = JSON.parse(line) as { type?: unknown; format?: unknown };
    return value.type === 'header' && value.format === TRAJECTORY_FORMAT;
  } catch {
    return false;
  }
}
