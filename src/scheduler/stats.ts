import { classifyFailure } from '../core/failure.js';
import { percentile } from '../core/percentile.js';
import { roundUsd } from '../model/prices.js';
import type { AttemptOutcome } from './types.js';

export interface OutcomeSummary {
  attempts: number;
  /** `<exit status>` or `<exit status>/<failure kind>:<code>` → count. */
  outcomes: Record<string, number>;
  retries: number;
  steps: { p50: number; p95: number };
  durationMs: { p50: number; p95: number };
  /** Finished trajectories per minute of wall time. */
  perMinute: number;
  /** USD the attempts' model calls cost; null when no attempt had a price. */
  costUsd: number | null;
}

/** Summarise finished attempts: outcomes by exit status and failure kind, p50/p95, rate. Pure. */
export function summariseOutcomes(outcomes: AttemptOutcome[], elapsedMs: number): OutcomeSummary {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = outcomeLabel(o);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const steps = outcomes.map((o) => o.steps);
  const durations = outcomes.map((o) => o.durationMs);
  return {
    attempts: outcomes.length,
    outcomes: counts,
    retries: outcomes.reduce((sum, o) => sum + o.retries, 0),
    steps: { p50: percentile(steps, 50) ?? 0, p95: percentile(steps, 95) ?? 0 },
    durationMs: { p50: percentile(durations, 50) ?? 0, p95: percentile(durations, 95) ?? 0 },
    perMinute: elapsedMs > 0 ? (outcomes.length * 60_000) / elapsedMs : 0,
    costUsd: outcomes.some((o) => o.costUsd !== undefined) ? roundUsd(outcomes.reduce((sum, o) => sum + (o.costUsd ?? 0), 0)) : null,
  };
}

export function outcomeLabel(o: { status: string; failureKind: string | null; code: string | null }): string {
  return o.failureKind ? `${o.status}/${o.failureKind}:${o.code ?? '?'}` : o.status;
}

/** An attempt whose trajectory does not count and will be redone on resume (core/failure.ts). */
export function needsRedoOutcome(o: AttemptOutcome): boolean {
  if (o.status === 'aborted') return true;
  if (o.failureKind !== 'infrastructure') return false;
  return classifyFailure({ kind: o.failureKind, code: o.code ?? 'UNKNOWN' }) !== 'final';
}
