import { Queue, type JobType } from 'bullmq';
import { connectRedis } from './connection.js';
import { BATCHES_KEY, batchOfJobId, KEY_PREFIX, QUEUE_NAME } from './names.js';
import type { BatchInfo } from './enqueue.js';

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
}

export interface BatchQueueStatus extends QueueCounts {
  batch: string;
  planned: number | null;
  enqueuedAt: string | null;
}

export interface QueueStatus {
  queue: string;
  totals: QueueCounts;
  batches: BatchQueueStatus[];
  /** Workers connected to the queue now. */
  workers: number;
}

const STATES: [keyof QueueCounts, JobType[]][] = [
  ['waiting', ['wait', 'paused', 'prioritized', 'waiting-children']],
  ['active', ['active']],
  ['delayed', ['delayed']],
  ['completed', ['completed']],
  ['failed', ['failed']],
];

/** Progress from the queue: job counts by state, overall and per batch (from the job ids, no payloads read). */
export async function readQueueStatus(url: string, onlyBatch?: string): Promise<QueueStatus> {
  const connection = connectRedis(url);
  const queue = new Queue(QUEUE_NAME, { connection, prefix: KEY_PREFIX });
  try {
    const infos = await connection.hgetall(BATCHES_KEY);
    const byBatch = new Map<string, BatchQueueStatus>();
    const entry = (batch: string): BatchQueueStatus => {
      let s = byBatch.get(batch);
      if (!s) {
        const info = infos[batch] ? (JSON.parse(infos[batch]) as BatchInfo) : undefined;
        s = { batch, planned: info?.planned ?? null, enqueuedAt: info?.enqueued_at ?? null, ...zero() };
        byBatch.set(batch, s);
      }
      return s;
    };
    for (const batch of Object.keys(infos)) if (!onlyBatch || batch === onlyBatch) entry(batch);
    const totals = zero();
    for (const [state, types] of STATES) {
      const ids = await queue.getRanges(types, 0, -1);
      for (const id of new Set(ids)) {
        const batch = batchOfJobId(id);
        if (onlyBatch && batch !== onlyBatch) continue;
        totals[state] += 1;
        entry(batch)[state] += 1;
      }
    }
    const workers = (await queue.getWorkers()).length;
    return { queue: url.replace(/\/\/[^@/]*@/, '//***@'), totals, batches: [...byBatch.values()].sort((a, b) => a.batch.localeCompare(b.batch)), workers };
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

function zero(): QueueCounts {
  return { waiting: 0, active: 0, delayed: 0, completed: 0, failed: 0 };
}
