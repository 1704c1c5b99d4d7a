import { hostname } from 'node:os';
import type Docker from 'dockerode';
import type { ReapedSandbox } from '../core/contracts.js';
import { engine } from './engine.js';
import { LABEL_RUN, LABEL_TASK, processStartTime } from '../sandbox/labels.js';
import { decideReap, type ReapContext } from '../sandbox/reap-decision.js';

export interface ReapOptions {
  docker?: Docker;
  /** Only look at containers of this run id. */
  runId?: string;
  /** Decide and report, remove nothing. */
  dryRun?: boolean;
  context?: Partial<ReapContext>;
}

/** A container the reaper looked at: the provider contract's ReapedSandbox. */
export type ReapedContainer = ReapedSandbox;

/** Remove every forager container whose owning harvester is gone; never one of a live run. */
export async function reapOrphans(options: ReapOptions = {}): Promise<ReapedContainer[]> {
  const docker = options.docker ?? engine();
  const context: ReapContext = {
    host: hostname(),
    nowS: Math.floor(Date.now() / 1000),
    startTimeOf: processStartTime,
    ...options.context,
  };
  const label = options.runId ? `${LABEL_RUN}=${options.runId}` : LABEL_RUN;
  const containers = await docker.listContainers({ all: true, filters: { label: [label] } });
  const out: ReapedContainer[] = [];
  for (const info of containers) {
    const decision = decideReap(info.Labels, context);
    const entry = { id: info.Id, runId: info.Labels[LABEL_RUN] ?? '', taskId: info.Labels[LABEL_TASK] ?? '', state: info.State, orphan: decision.remove, removed: false, reason: decision.reason };
    if (decision.remove && !options.dryRun) {
      await docker.getContainer(info.Id).remove({ force: true }).catch((error: { statusCode?: number }) => {
        // 404: gone meanwhile; 409: removal already in progress (auto-remove).
        if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
      });
      entry.removed = true;
    }
    out.push(entry);
  }
  return out;
}
