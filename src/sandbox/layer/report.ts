import type { FileChange } from '../../trajectory/schema.js';

/** What changed in the layer since the previous report, bounded and split at the workdir. */
export interface LayerReport {
  inside: FileChange[];
  insideTotal: number;
  outside: FileChange[];
  outsideTotal: number;
  /** Changes known but not listed (files of a deleted image folder past the expansion cap). */
  omitted: number;
  /** Changes under caches and VCS folders (.git, __pycache__…): counted, not listed. */
  pruned: number;
  /** Disk the layer holds now, and the most it held since the previous report. */
  bytes: number;
  peakBytes: number;
  /** Full walks this report needed (the kernel's event queue overflowed, or no inotify watch was left). */
  fullWalks: number;
}
