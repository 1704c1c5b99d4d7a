import { basename, dirname, relative, sep } from 'node:path';
import { TRAJECTORIES_DIR } from '../scheduler/layout.js';
import { patchSha256, readHarnessSidecar, type HarnessSidecar } from '../swebench/harness-results.js';
import type { DatasetTrajectory, ExternalGrade } from '../trajectory/dataset-reader.js';

/**
 * The verdicts an official SWE-bench harness gave a batch's attempts (its sidecar, written
 * by `forager swebench report --from-harness`), looked up per trajectory file. A verdict
 * holds for the very file it was attached to (`trajectories/<task>/<attempt>.jsonl`) and
 * only while that file's patch is the one graded: a re-run attempt is not given the old
 * verdict. Each batch's sidecar is read once.
 */
export class HarnessGrades {
  private readonly sidecars = new Map<string, Promise<HarnessSidecar | undefined>>();

  async gradeOf(trajectory: DatasetTrajectory): Promise<ExternalGrade | undefined> {
    const folder = dirname(dirname(trajectory.path));
    if (basename(folder) !== TRAJECTORIES_DIR) return undefined;
    const batch = dirname(folder);
    let sidecar = this.sidecars.get(batch);
    if (!sidecar) this.sidecars.set(batch, (sidecar = readHarnessSidecar(batch)));
    const verdicts = await sidecar;
    const entry = verdicts?.instances[trajectory.header.task.id];
    if (!verdicts || !entry || entry.trajectory !== relative(batch, trajectory.path).split(sep).join('/')) return undefined;
    if (entry.patch_sha256 !== patchSha256(trajectory.footer?.patch)) return undefined;
    return { resolved: entry.resolved, reward: entry.reward, source: verdicts.source };
  }
}
