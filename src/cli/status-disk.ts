import type { DiskSummary } from '../scheduler/index.js';

const BOUND_WORDS: Record<keyof DiskSummary['bounds'], string> = {
  kernel: 'by the kernel',
  'mounts+poll': 'workdir and /tmp by the kernel, the rest by the poll',
  poll: 'by the poll',
  unrecorded: 'not recorded (older trajectories)',
};

/** The `status` lines on how the batch's sandboxes had their disk bounded, and what the poll let through. */
export function formatDiskSummary(disk: DiskSummary): string[] {
  if (disk.sandboxes === 0 && disk.unreadable === 0) return [];
  const counts = (Object.keys(BOUND_WORDS) as (keyof DiskSummary['bounds'])[])
    .filter((bound) => bound !== 'unrecorded' || disk.bounds.unrecorded > 0)
    .map((bound) => `${BOUND_WORDS[bound]} ${disk.bounds[bound]}`);
  const lines = [`disk of ${disk.sandboxes} sandbox${disk.sandboxes === 1 ? '' : 'es'}: ${counts.join('; ')}`];
  const width = Math.max(...disk.modes.map((m) => m.disk.length));
  const runtimeWidth = Math.max(...disk.modes.map((m) => m.runtime.length));
  for (const mode of disk.modes) {
    lines.push(`  ${String(mode.sandboxes).padStart(6)}  ${mode.disk.padEnd(width)}  ${mode.runtime.padEnd(runtimeWidth)}  ${mode.bounds.join(' ')}`.trimEnd());
  }
  if (disk.unreadable > 0) lines.push(`  ${String(disk.unreadable).padStart(6)}  no header to read (crashed before writing it)`);
  const reached = `${disk.limitReached} step${disk.limitReached === 1 ? '' : 's'} reached the disk limit`;
  const o = disk.overshoot;
  lines.push(o
    ? `disk overshoot: largest ${mib(o.bytes)} (${o.bytes} bytes) let through by the poll, task ${o.task} attempt ${o.attempt} step ${o.step}; ${reached}`
    : `disk overshoot: none recorded; ${reached}`);
  if (disk.stepsUnread > 0) lines.push(`  (${disk.stepsUnread} attempt file(s) had a line past the line limit: their steps were not all read)`);
  return lines;
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
