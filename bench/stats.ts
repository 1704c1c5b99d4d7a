import { percentile as nearestRank } from '../src/core/percentile.js';

/** Percentile of a sample (forager's one nearest-rank percentile), NaN when empty: for benchmarks. */
export function percentile(values: number[], p: number): number {
  return nearestRank(values, p) ?? NaN;
}

export const median = (values: number[]) => percentile(values, 50);

export async function timeMany(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export function fmt(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`;
}
