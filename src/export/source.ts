import { ForagerError } from '../core/errors.js';
import { readTrajectory, type Trajectory } from '../trajectory/reader.js';
import { discoverTrajectoryFiles } from './discover.js';

export interface SourceCounts {
  files: number;
  /** Files without a footer (crashed or running), skipped unless `includePartial`. */
  partial: number;
  /** Files that could not be read as trajectories. */
  invalid: number;
  /** The first few invalid files and why. */
  invalidFiles: { path: string; error: string }[];
}

export function emptySourceCounts(): SourceCounts {
  return { files: 0, partial: 0, invalid: 0, invalidFiles: [] };
}

/**
 * Read the trajectories under the inputs one at a time; only the current one is in
 * memory. Partial files are counted and skipped unless asked for; unreadable ones are
 * counted, not fatal, so one torn file does not stop a dataset export.
 */
export async function* readTrajectories(
  inputs: readonly string[],
  options: { includePartial?: boolean },
  counts: SourceCounts,
): AsyncGenerator<Trajectory> {
  for await (const path of discoverTrajectoryFiles(inputs)) {
    counts.files += 1;
    let trajectory: Trajectory;
    try {
      trajectory = await readTrajectory(path);
    } catch (error) {
      if (!(error instanceof ForagerError)) throw error;
      counts.invalid += 1;
      if (counts.invalidFiles.length < 20) counts.invalidFiles.push({ path, error: error.message });
      continue;
    }
    if (!trajectory.footer) {
      counts.partial += 1;
      if (!options.includePartial) continue;
    }
    yield trajectory;
  }
}
