import { access, mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ExitStatus, FailureKind } from './types.js';
import { INDEX_FILE } from './layout.js';
import { readLines } from '../lines/index.js';

/** One line of the batch index. The trajectory files are the truth; this is the history and a cache. */
export type BatchEvent =
  | { type: 'planned'; at: string; run_id: string; pid: number; attempts: { key: string; task: string; attempt: number; path: string }[]; rejected: { source: string; message: string }[] }
  | { type: 'skipped'; at: string; key: string; reason: string }
  | { type: 'started'; at: string; key: string; try: number }
  | { type: 'retry'; at: string; key: string; try: number; code: string; message: string; delay_ms: number }
  | {
      type: 'finished';
      at: string;
      key: string;
      status: ExitStatus;
      failure_kind: FailureKind | null;
      code: string | null;
      path: string | null;
      retries: number;
      reasons: string[];
      steps: number;
      duration_ms: number;
      cost_usd?: number;
    }
  | { type: 'interrupted'; at: string; reason: string }
  | { type: 'stopped'; at: string; reason: string; cost_usd: number };

/**
 * Appends events to DIR/batch.jsonl, one write per line, in order. Safe to reopen after
 * a crash: a torn last line is closed with a newline first, and readers skip it.
 */
export class BatchRecord {
  private chain: Promise<void> = Promise.resolve();

  private constructor(private readonly handle: FileHandle) {}

  static async open(out: string): Promise<BatchRecord> {
    const path = join(out, INDEX_FILE);
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(path, 'a+');
    const { size } = await handle.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last.toString() !== '\n') await handle.write('\n');
    }
    return new BatchRecord(handle);
  }

  /** Queue an event (stamped with the time); resolves once it is written. */
  append(event: DistributiveOmit<BatchEvent, 'at'>): Promise<void> {
    const line = `${JSON.stringify({ ...event, at: new Date().toISOString() })}\n`;
    this.chain = this.chain.then(() => this.handle.write(line)).then(() => undefined);
    return this.chain;
  }

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
    await this.handle.sync().catch(() => undefined);
    await this.handle.close();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * Every readable event of a batch index; torn or foreign lines are skipped, a missing index
 * is empty. A line past the limit is not a torn write: it stops the read (LineTooLongError).
 */
export async function readBatchRecord(out: string): Promise<BatchEvent[]> {
  const path = join(out, INDEX_FILE);
  if (!(await access(path).then(() => true, () => false))) return [];
  const events: BatchEvent[] = [];
  for await (const { text: line } of readLines(path)) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line) as { type?: unknown };
      if (typeof value.type === 'string') events.push(value as BatchEvent);
    } catch {
      // A torn line from a crash mid-write: the trajectory files still say what happened.
    }
  }
  return events;
}
