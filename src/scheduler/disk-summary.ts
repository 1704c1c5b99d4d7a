import type { Header } from '../trajectory/schema.js';

/** How a sandbox's disk was bounded, from its header: `unrecorded` where the header does not say (older trajectories). */
export type DiskBound = 'kernel' | 'mounts+poll' | 'poll' | 'unrecorded';

/** What one attempt's trajectory says about its sandbox's disk. */
export interface SandboxDiskFacts {
  task: string;
  attempt: number;
  /** The header's `sandbox` and `limits.runtime`; null when the file has no readable header. */
  header: { sandbox?: Header['sandbox']; runtime?: string } | null;
  /** Steps that reached the disk limit. */
  limitReached: number;
  /** The step that recorded the largest `disk_overshoot_bytes`, if any did. */
  overshoot?: { bytes: number; step: number };
  /** A line of the file could not be read (past the line limit): its steps were not all looked at. */
  stepsUnread?: boolean;
}

/** Sandboxes of one mode: how their disk was bounded, under which runtime, by what. */
export interface DiskMode {
  disk: DiskBound;
  runtime: string;
  /** The header's `disk_bounds` with the workdir's path read as `workdir`, and the poll named by how it read the layer. */
  bounds: string[];
  sandboxes: number;
}

/** Over a batch's attempts: which bound held each sandbox's disk, and the most the poll let through. */
export interface DiskSummary {
  /** Attempt files whose header was read (one sandbox each: the attempt's latest try). */
  sandboxes: number;
  /** Sandboxes per bound: `kernel` (all it could write), `mounts+poll` (workdir and /tmp by the kernel, the rest by the poll), `poll`, `unrecorded`. */
  bounds: Record<DiskBound, number>;
  /** Per mode, most sandboxes first. */
  modes: DiskMode[];
  /** Attempt files with no readable header (started, crashed before writing it). */
  unreadable: number;
  /** Attempt files whose steps could not all be read (a line past the limit): their overshoot may be missing. */
  stepsUnread: number;
  /** Steps that reached the disk limit (each ended its attempt). */
  limitReached: number;
  /** The largest overshoot any step recorded, and where; null when none did. */
  overshoot: { bytes: number; task: string; attempt: number; step: number } | null;
}

/** Summarise the disk facts of a batch's attempts (pure: the reading is disk-facts.ts). */
export function summariseDisk(facts: SandboxDiskFacts[]): DiskSummary {
  const summary: DiskSummary = {
    sandboxes: 0, bounds: { kernel: 0, 'mounts+poll': 0, poll: 0, unrecorded: 0 }, modes: [], unreadable: 0, stepsUnread: 0, limitReached: 0, overshoot: null,
  };
  const modes = new Map<string, DiskMode>();
  for (const fact of facts) {
    summary.limitReached += fact.limitReached;
    if (fact.stepsUnread) summary.stepsUnread += 1;
    if (fact.overshoot && fact.overshoot.bytes > (summary.overshoot?.bytes ?? 0)) {
      summary.overshoot = { bytes: fact.overshoot.bytes, task: fact.task, attempt: fact.attempt, step: fact.overshoot.step };
    }
    if (!fact.header) {
      summary.unreadable += 1;
      continue;
    }
    const mode = modeOf(fact.header);
    summary.sandboxes += 1;
    summary.bounds[mode.disk] += 1;
    const key = JSON.stringify([mode.disk, mode.runtime, mode.bounds]);
    const known = modes.get(key);
    if (known) known.sandboxes += 1;
    else modes.set(key, { ...mode, sandboxes: 1 });
  }
  summary.modes = [...modes.values()].sort((a, b) => b.sandboxes - a.sandboxes || a.disk.localeCompare(b.disk) || a.runtime.localeCompare(b.runtime));
  return summary;
}

function modeOf(header: NonNullable<SandboxDiskFacts['header']>): Omit<DiskMode, 'sandboxes'> {
  const sandbox = header.sandbox ?? {};
  // The runtime as the engine named it; an older header has only the task's choice, or none (the engine's default).
  const runtime = sandbox.runtime ?? header.runtime ?? 'default';
  if (!sandbox.disk) return { disk: 'unrecorded', runtime, bounds: [] };
  const poll = pollOf(sandbox.state_reader);
  const bounds = (sandbox.disk_bounds ?? []).map((bound) => {
    if (bound === 'poll') return poll;
    // `tmpfs:/work`, `loop:/srv/app`: the workdir differs per task, the kind of bound does not.
    const [kind, path] = splitBound(bound);
    return path === undefined || path === '/tmp' || path === '/' ? bound : `${kind}:workdir`;
  });
  return { disk: sandbox.disk, runtime, bounds };
}

/**
 * Which poll watched the layer: the host's watcher (inotify over the layer, `state_reader`
 * `host…`), or the engine's count of the layer's size asked while a step runs (`exec`).
 */
function pollOf(stateReader: string | undefined): string {
  if (stateReader === undefined) return 'poll';
  return stateReader.startsWith('host') ? 'poll:host-watcher' : 'poll:engine-size';
}

function splitBound(bound: string): [string, string | undefined] {
  const at = bound.indexOf(':');
  return at === -1 ? [bound, undefined] : [bound.slice(0, at), bound.slice(at + 1)];
}
