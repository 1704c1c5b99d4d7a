import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetTrajectory } from '../../../trajectory/dataset-reader.js';
import type { TrajectorySink } from '../sink.js';
import { toAtif } from './to-atif.js';

/** One ATIF document per trajectory, `DIR/<trajectory_id>.json`. */
export async function openAtifSink(dir: string): Promise<TrajectorySink> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  return {
    files,
    async write(trajectory: DatasetTrajectory) {
      const path = join(dir, `${trajectory.header.trajectory_id.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
      await writeFile(path, `${JSON.stringify(toAtif(trajectory), null, 2)}\n`);
      files.push(path);
    },
    close: async () => undefined,
  };
}
