import type { Candidate } from './candidates.js';
import { sha256, spliceHunk } from './candidates.js';
import type { Mutant } from './task-spec.js';
import { statusesIn, type Workbench } from './workbench.js';

export type Verdict =
  | { kept: Mutant; content: string; discarded?: undefined }
  | { kept?: undefined; discarded: 'uncaught' | 'timedOut' | 'mismatched' };

/**
 * Apply one mutant in the container and judge it: the tests that call its function
 * first (cheap rejection), then, if one of them no longer passes, the full suite for
 * the record. Tests that passed on the clean repository and now fail, error or are
 * missing are FAIL_TO_PASS; those still passing are PASS_TO_PASS. The file is restored
 * whatever happens.
 */
export async function judgeMutant(
  bench: Workbench,
  candidate: Candidate,
  original: string,
  passing: string[],
  options: { timeoutMs: number; signal?: AbortSignal; sourceId: string },
): Promise<Verdict> {
  const content = spliceHunk(original, candidate);
  if (sha256(content) !== candidate.sha256) return { discarded: 'mismatched' };
  const { signal, timeoutMs } = options;
  try {
    await bench.writeRepoFile(candidate.file, content, signal);
    const quick = await bench.runTests({ select: candidate.tests, timeoutMs, signal });
    if (quick.timedOut) return { discarded: 'timedOut' };
    const quickStatuses = statusesIn(quick, candidate.tests);
    if (candidate.tests.every((t) => quickStatuses[t] === 'passed')) return { discarded: 'uncaught' };
    const full = await bench.runTests({ timeoutMs, signal });
    if (full.timedOut) return { discarded: 'timedOut' };
    const statuses = statusesIn(full, passing);
    const failToPass = passing.filter((t) => statuses[t] !== 'passed');
    const passToPass = passing.filter((t) => statuses[t] === 'passed');
    if (failToPass.length === 0) return { discarded: 'uncaught' };
    const id = `${options.sourceId}-mut-${candidate.kind}-${candidate.sha256.slice(0, 10)}`;
    return { kept: { candidate, id, failToPass, passToPass }, content };
  } finally {
    await bench.restore(signal);
  }
}
