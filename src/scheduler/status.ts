import { inspectAttemptFile } from './attempt-file.js';
import { readBatchRecord, type BatchEvent } from './batch-record.js';
import { attemptPath, listAttemptsOnDisk, listTries } from './layout.js';
import { roundUsd } from '../model/prices.js';
import { outcomeLabel } from './stats.js';
import { readDiskFacts } from './disk-facts.js';
import { summariseDisk, type DiskSummary, type SandboxDiskFacts } from './disk-summary.js';

export interface BatchStatus {
  dir: string;
  runId: string | null;
  planned: number;
  /** Finished trajectories that count (any exit status but aborted or infrastructure). */
  complete: number;
  /** Finished but to be redone on resume: aborted or failed for infrastructure. */
  redo: number;
  /** Started, no footer yet: crashed or still running. */
  partial: number;
  /** Never started. */
  pending: number;
  /** Outcome label (`status` or `status/kind:code`) → count, over complete and redo files. */
  outcomes: Record<string, number>;
  retries: number;
  retryReasons: Record<string, number>;
  rejected: { source: string; message: string }[];
  /** USD the finished trajectories' model calls cost (their footers); null when none had a price. */
  costUsd: number | null;
  /** Why the last run stopped taking work early (the batch cost limit), if it did. */
  stopped: string | null;
  /** How each attempt's sandbox had its disk bounded (kernel or poll, per mode), and the largest overshoot the poll let through. */
  disk: DiskSummary;
}

/** What a batch folder holds, from the trajectory files (the truth) and the index (plan, retries). */
export async function readBatchStatus(dir: string): Promise<BatchStatus> {
  const events = await readBatchRecord(dir);
  const plan = [...events].reverse().find((e): e is Extract<BatchEvent, { type: 'planned' }> => e.type === 'planned');
  const status: BatchStatus = {
    dir, runId: plan?.run_id ?? null, planned: plan?.attempts.length ?? 0,
    complete: 0, redo: 0, partial: 0, pending: 0, outcomes: {}, retries: 0, retryReasons: {}, rejected: plan?.rejected ?? [],
    costUsd: null, stopped: null, disk: summariseDisk([]),
  };
  const disk: SandboxDiskFacts[] = [];
  // The index is a cache: without it, the attempts are whatever trajectory files exist.
  const attempts = plan?.attempts ?? (await listAttemptsOnDisk(dir));
  status.planned = attempts.length;
  for (const item of attempts) {
    const path = attemptPath(dir, item.task, item.attempt);
    const file = await inspectAttemptFile(path);
    if (file.state !== 'missing') {
      // Only a step that reached the disk limit records an overshoot, and it ends the attempt with DISK_LIMIT.
      const scan = file.state === 'partial' || file.footer.error?.code === 'DISK_LIMIT';
      disk.push(await readDiskFacts(path, item.task, item.attempt, scan));
    }
    if (file.state === 'complete' || file.state === 'redo') {
      status[file.state] += 1;
      const label = outcomeLabel({ status: file.footer.exit_status, failureKind: file.footer.failure_kind, code: file.footer.error?.code ?? null });
      status.outcomes[label] = (status.outcomes[label] ?? 0) + 1;
      const cost = file.footer.totals.cost_usd;
      if (cost !== undefined) status.costUsd = roundUsd((status.costUsd ?? 0) + cost);
    } else if (file.state === 'partial' || (await listTries(dir, item.task, item.attempt)).length > 0) {
      status.partial += 1;
    } else {
      status.pending += 1;
    }
  }
  status.disk = summariseDisk(disk);
  const lastRun = plan ? events.lastIndexOf(plan) : -1;
  for (const event of events.slice(lastRun + 1)) if (event.type === 'stopped') status.stopped = event.reason;
  for (const event of events) {
    if (event.type !== 'retry') continue;
    status.retries += 1;
    status.retryReasons[event.code] = (status.retryReasons[event.code] ?? 0) + 1;
  }
  return status;
}
