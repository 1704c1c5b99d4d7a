import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { TaskError } from '../core/errors.js';
import { readBatchStatus, type BatchStatus } from '../scheduler/index.js';
import { printQueueStatus } from './queue-status.js';
import { formatDiskSummary } from './status-disk.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Summarise a batch folder: planned, complete, partial, failed by exit status and failure kind, retries, how each sandbox\'s disk was bounded (kernel or poll) and the largest overshoot')
    .argument('[dir]', 'batch folder (the --out of forager harvest)')
    .option('--json', 'print the summary as JSON')
    .option('--queue <url>', 'read progress from this queue (distributed mode) instead of a folder')
    .option('--batch <id>', 'with --queue: only this batch')
    .action(async (dir: string | undefined, options: { json?: boolean; queue?: string; batch?: string }) => {
      if (options.queue) return printQueueStatus(options.queue, options);
      if (!dir) throw new TaskError('BATCH_NOT_FOUND', 'status: give a batch folder, or --queue <url>');
      if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new TaskError('BATCH_NOT_FOUND', `${dir}: no such batch folder`);
      const status = await readBatchStatus(dir);
      process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
    });
}

function formatStatus(s: BatchStatus): string {
  const lines = [
    `batch ${s.dir}${s.runId ? ` (last run ${s.runId})` : ''}`,
    `planned ${s.planned}: complete ${s.complete}, to redo ${s.redo} (aborted or infrastructure), partial ${s.partial}, pending ${s.pending}`,
  ];
  const outcomes = Object.entries(s.outcomes).sort((a, b) => b[1] - a[1]);
  if (outcomes.length) lines.push('outcomes:', ...outcomes.map(([label, n]) => `  ${String(n).padStart(6)}  ${label}`));
  const reasons = Object.entries(s.retryReasons).map(([code, n]) => `${code} ${n}`).join(', ');
  lines.push(`retries ${s.retries}${reasons ? ` (${reasons})` : ''}`);
  if (s.costUsd !== null) lines.push(`cost ${s.costUsd} USD`);
  lines.push(...formatDiskSummary(s.disk));
  if (s.stopped) lines.push(`stopped early: ${s.stopped}`);
  if (s.rejected.length) lines.push(`rejected task files (${s.rejected.length}):`, ...s.rejected.map((r) => `  ${r.message.split('\n')[0]}`));
  return `${lines.join('\n')}\n`;
}
