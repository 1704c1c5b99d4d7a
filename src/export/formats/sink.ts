import type { DatasetTrajectory as Trajectory } from '../../trajectory/dataset-reader.js';

/** Where exported trajectories go; one per output (per split). */
export interface TrajectorySink {
  /** The files this sink writes. */
  readonly files: readonly string[];
  write(trajectory: Trajectory): Promise<void>;
  close(): Promise<void>;
}
