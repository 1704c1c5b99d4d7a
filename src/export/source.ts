import { ForagerError } from '../core/errors.js';
import { readDatasetTrajectory, type DatasetTrajectory as Trajectory } from '../trajectory/dataset-reader.js';
import { discoverCandidates, hasTrajectoryHeader, type Candidate } from './discover.js';
import { HarnessGrades } from './harness-grades.js';

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

/** Files read ahead while the current trajectory is processed: hides file latency, bounds memory. */
const READ_AHEAD = 8;

type Loaded = { kind: 'skip' } | { kind: 'ok'; trajectory: Trajectory } | { kind: 'invalid'; path: string; error: string };

/**
 * Read the trajectories under the inputs in order, at most READ_AHEAD + 1 in memory.
 * Partial files are counted and skipped unless asked for; unreadable ones are counted,
 * not fatal, so one torn file does not stop a dataset export. A batch's official harness
 * verdicts (swebench-harness.json) come with its trajectories as `grade`.
 */
export async function* readTrajectories(
  inputs: readonly string[],
  options: { includePartial?: boolean; includeTries?: boolean },
  counts: SourceCounts,
): AsyncGenerator<Trajectory> {
  const pending: Promise<Loaded>[] = [];
  const candidates = discoverCandidates(inputs, { includeTries: options.includeTries });
  const grades = new HarnessGrades();
  let exhausted = false;
  const fill = async () => {
    while (!exhausted && pending.length < READ_AHEAD) {
      const next = await candidates.next();
      if (next.done) exhausted = true;
      else pending.push(load(next.value));
    }
  };
  try {
    for (;;) {
      await fill();
      const head = pending.shift();
      if (!head) return;
      const loaded = await head;
      if (loaded.kind === 'skip') continue;
      counts.files += 1;
      if (loaded.kind === 'invalid') {
        counts.invalid += 1;
        if (counts.invalidFiles.length < 20) counts.invalidFiles.push({ path: loaded.path, error: loaded.error });
        continue;
      }
      if (!loaded.trajectory.footer) {
        counts.partial += 1;
        if (!options.includePartial) continue;
      }
      // A damaged harness sidecar stops the read: its grades cannot be trusted, and guessing would mislabel the set.
      const grade = await grades.gradeOf(loaded.trajectory);
      if (grade) loaded.trajectory.grade = grade;
      yield loaded.trajectory;
    }
  } finally {
    // A consumer that stops early leaves reads in flight: let them settle unobserved.
    for (const promise of pending) promise.catch(() => undefined);
  }
}

async function load(candidate: Candidate): Promise<Loaded> {
  try {
    if (candidate.probe && !(await hasTrajectoryHeader(candidate.path))) return { kind: 'skip' };
    return { kind: 'ok', trajectory: await readDatasetTrajectory(candidate.path) };
  } catch (error) {
    if (!(error instanceof ForagerError)) throw error;
    return { kind: 'invalid', path: candidate.path, error: error.message };
  }
}
