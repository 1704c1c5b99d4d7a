import type { WalkOptions } from '../scheduler/index.js';
import { discoverCandidates } from './discover.js';

/** The files an export of `inputs` will open (trajectory files and other *.jsonl), for progress totals. */
export function discoverTrajectoryCandidates(inputs: readonly string[], options: WalkOptions = {}): AsyncGenerator<{ path: string }> {
  return discoverCandidates(inputs, options);
}
