import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export const LABEL_RUN = 'forager.run';
export const LABEL_TASK = 'forager.task';
export const LABEL_OWNER_HOST = 'forager.owner.host';
export const LABEL_OWNER_PID = 'forager.owner.pid';
/** The owner's start time (clock ticks since boot, /proc/<pid>/stat field 22): tells a reused pid apart. */
export const LABEL_OWNER_START = 'forager.owner.start';
export const LABEL_DEADLINE = 'forager.deadline';

/** Labels that let `forager gc` decide whether a container's owner is still alive. */
export function ownerLabels(): Record<string, string> {
  const labels: Record<string, string> = { [LABEL_OWNER_HOST]: hostname(), [LABEL_OWNER_PID]: String(process.pid) };
  const start = processStartTime(process.pid);
  if (start !== null) labels[LABEL_OWNER_START] = start;
  return labels;
}

/** A process's start time from /proc, or null when it does not exist (or there is no /proc). */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}
