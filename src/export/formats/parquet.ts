import { plainWriter, type ExportFormatDefinition } from './format.js';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetTrajectory as Trajectory } from '../../trajectory/dataset-reader.js';
import { VERSION } from '../../core/version.js';
import { STEP_COLUMNS, TRAJECTORY_COLUMNS, type StepRow } from './parquet-columns.js';
import { ParquetTable } from './parquet-table.js';
import type { TrajectorySink } from './sink.js';

/**
 * Two typed Parquet files in the folder `dir`: `trajectories.parquet` (one row per
 * trajectory) and `steps.parquet` (one row per step, keyed by `trajectory_id`).
 */
export async function openParquetSink(dir: string): Promise<TrajectorySink> {
  await mkdir(dir, { recursive: true });
  const createdBy = `forager version ${VERSION}`;
  const trajectories = new ParquetTable(join(dir, 'trajectories.parquet'), TRAJECTORY_COLUMNS, { maxRows: 500, maxBytes: 8 << 20 }, createdBy);
  const steps = new ParquetTable<StepRow>(join(dir, 'steps.parquet'), STEP_COLUMNS, { maxRows: 5_000, maxBytes: 8 << 20 }, createdBy);
  return {
    files: [trajectories.path, steps.path],
    async write(trajectory: Trajectory) {
      await trajectories.add(trajectory);
      for (const step of trajectory.steps) await steps.add({ trajectory_id: trajectory.header.trajectory_id, step });
    },
    async close() {
      await trajectories.close();
      await steps.close();
    },
  };
}

/** `--format parquet`: typed tables (trajectories.parquet, steps.parquet) in the folder `out`, a split S in `out/S/`. */
export const parquetFormat: ExportFormatDefinition = {
  description: 'typed Parquet: a trajectory table and a step table in the folder --out',
  reportPath: (out) => join(out, 'report.json'),
  start: (out) => plainWriter((split) => openParquetSink(split === 'all' ? out : join(out, split))),
};

