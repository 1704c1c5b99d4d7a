import type { HarvestResult, OutcomeSummary } from '../scheduler/index.js';

/** The end-of-batch report: what ran, outcomes by exit status and failure kind, percentiles, rate, bad task files. */
export function formatHarvestSummary(result: HarvestResult, summary: OutcomeSummary, out: string, evicted: string[]): string {
  const lines = [
    `${result.interrupted ? 'interrupted' : 'harvested'} run ${result.runId}: ${result.planned} attempts planned, ${result.skipped} already complete, ${summary.attempts} ran in ${(result.elapsedMs / 1000).toFixed(1)} s (${summary.perMinute.toFixed(1)} trajectories/min)`,
  ];
  const outcomes = Object.entries(summary.outcomes).sort((a, b) => b[1] - a[1]);
  if (outcomes.length) lines.push(`outcomes: ${outcomes.map(([label, n]) => `${label} ${n}`).join(', ')}`);
  if (summary.attempts) {
    lines.push(`steps p50 ${summary.steps.p50} p95 ${summary.steps.p95}; duration p50 ${(summary.durationMs.p50 / 1000).toFixed(1)} s p95 ${(summary.durationMs.p95 / 1000).toFixed(1)} s; retries ${summary.retries}`);
  }
  if (summary.costUsd !== null) lines.push(`cost ${summary.costUsd} USD`);
  if (result.stopped) lines.push(`stopped early: ${result.stopped}`);
  if (result.rejected.length) {
    lines.push(`rejected task files (${result.rejected.length}):`);
    for (const bad of result.rejected) lines.push(`  ${bad.message.split('\n')[0]}`);
  }
  if (evicted.length) lines.push(`evicted images over budget: ${evicted.join(', ')}`);
  lines.push(`batch folder: ${out} (forager status ${out})`);
  return `${lines.join('\n')}\n`;
}
