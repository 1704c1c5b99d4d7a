import type { QueueStatus } from '../queue/index.js';

/** `forager status --queue URL [--batch ID] [--json]`. */
export async function printQueueStatus(url: string, options: { batch?: string; json?: boolean }): Promise<void> {
  const { readQueueStatus } = await import('../queue/index.js');
  const status = await readQueueStatus(url, options.batch);
  process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatQueueStatus(status));
}

export function formatQueueStatus(s: QueueStatus): string {
  const row = (name: string, c: { waiting: number; active: number; delayed: number; completed: number; failed: number }, planned?: number | null) =>
    `${name.padEnd(28)} ${[planned ?? '', c.waiting, c.active, c.delayed, c.completed, c.failed].map((v) => String(v).padStart(10)).join('')}`;
  const lines = [
    `queue ${s.queue}: ${s.workers} worker connection(s)`,
    `${'batch'.padEnd(28)} ${['planned', 'waiting', 'active', 'delayed', 'completed', 'failed'].map((h) => h.padStart(10)).join('')}`,
    ...s.batches.map((b) => row(b.batch, b, b.planned)),
    row('total', s.totals),
  ];
  return `${lines.join('\n')}\n`;
}
