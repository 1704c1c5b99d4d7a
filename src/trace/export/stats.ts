import type { TraceFile } from '../read.js';

export interface TraceStats {
  files: number;
  tasks: number;
  functions: number;
  invocations: number;
  events: number;
  /** Invocations by outcome: return, exception, unfinished. */
  outcomes: Record<string, number>;
  /** Invocations cut, by reason (events, wall_time, bytes, exit…). */
  cutInvocations: Record<string, number>;
  /** Everything the footers counted as cut (repr timeouts, processes over the byte budget…). */
  cuts: Record<string, number>;
  /** Calls seen against invocations recorded (sampling). */
  calls: number;
  /** Files whose job ended in error or was aborted. */
  failed: number;
}

/** Totals over trace files, pure. */
export function summariseTraces(files: TraceFile[]): TraceStats {
  const stats: TraceStats = { files: files.length, tasks: 0, functions: 0, invocations: 0, events: 0, outcomes: {}, cutInvocations: {}, cuts: {}, calls: 0, failed: 0 };
  const tasks = new Set<string>();
  const functions = new Set<string>();
  for (const file of files) {
    tasks.add(file.header.task.id);
    for (const key of file.functions.keys()) functions.add(`${file.header.task.id}|${key}`);
    for (const inv of file.invocations) {
      stats.invocations += 1;
      stats.events += inv.events.length;
      stats.outcomes[inv.outcome] = (stats.outcomes[inv.outcome] ?? 0) + 1;
      if (inv.cut) stats.cutInvocations[inv.cut.reason] = (stats.cutInvocations[inv.cut.reason] ?? 0) + 1;
    }
    for (const [reason, n] of Object.entries(file.footer?.cuts ?? {})) stats.cuts[reason] = (stats.cuts[reason] ?? 0) + n;
    for (const [calls] of Object.values(file.footer?.sampling ?? {})) stats.calls += calls;
    if (!file.footer || file.footer.exit_status === 'error' || file.footer.exit_status === 'aborted') stats.failed += 1;
  }
  stats.tasks = tasks.size;
  stats.functions = functions.size;
  return stats;
}

/** The stats as aligned text lines. */
export function renderTraceStats(stats: TraceStats): string {
  const pairs = (record: Record<string, number>) => Object.entries(record).sort().map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return [
    `files        ${stats.files} (${stats.failed} failed)`,
    `tasks        ${stats.tasks}`,
    `functions    ${stats.functions}`,
    `invocations  ${stats.invocations} recorded of ${stats.calls} calls`,
    `events       ${stats.events}`,
    `outcomes     ${pairs(stats.outcomes)}`,
    `cut          ${pairs(stats.cutInvocations)}`,
    `limits hit   ${pairs(stats.cuts)}`,
  ].join('\n') + '\n';
}
