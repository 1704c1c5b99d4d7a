import { LABEL_DEADLINE, LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_OWNER_START } from './labels.js';

export interface ReapContext {
  host: string;
  nowS: number;
  /** The start time of a live process with this pid, or null when none is running. */
  startTimeOf(pid: number): string | null;
}

export interface ReapDecision {
  remove: boolean;
  reason: string;
}

/**
 * Whether a forager container's owner is gone. On this host the owner pid is checked
 * (and its start time, so a reused pid does not keep an orphan alive); a container from
 * another host, or without owner labels, is only removed once past its deadline.
 */
export function decideReap(labels: Record<string, string>, context: ReapContext): ReapDecision {
  const host = labels[LABEL_OWNER_HOST];
  const pid = Number(labels[LABEL_OWNER_PID]);
  if (host === context.host && Number.isInteger(pid) && pid > 0) {
    const started = context.startTimeOf(pid);
    if (started === null) return { remove: true, reason: `owner pid ${pid} is not running` };
    const expected = labels[LABEL_OWNER_START];
    if (expected !== undefined && expected !== started) return { remove: true, reason: `owner pid ${pid} was reused by another process` };
    return { remove: false, reason: `owner pid ${pid} is alive` };
  }
  const deadline = Number(labels[LABEL_DEADLINE]);
  if (Number.isFinite(deadline) && deadline < context.nowS) return { remove: true, reason: `past its deadline (owner on ${host ?? 'unknown host'})` };
  const when = Number.isFinite(deadline) ? 'before its deadline' : 'no deadline label';
  return { remove: false, reason: host ? `owned by host ${host}, ${when}` : `no owner labels, ${when}` };
}
