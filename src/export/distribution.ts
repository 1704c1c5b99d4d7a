import { percentileOfSorted } from '../core/percentile.js';

export interface Distribution {
  count: number;
  min: number | null;
  p50: number | null;
  p95: number | null;
  max: number | null;
  mean: number | null;
}

/** Nearest-rank quantiles of the values (which it sorts in place). */
export function describeDistribution(values: number[]): Distribution {
  if (values.length === 0) return { count: 0, min: null, p50: null, p95: null, max: null, mean: null };
  values.sort((a, b) => a - b);
  const sum = values.reduce((total, value) => total + value, 0);
  return {
    count: values.length, min: values[0] as number, p50: percentileOfSorted(values, 50)!, p95: percentileOfSorted(values, 95)!,
    max: values.at(-1) as number, mean: sum / values.length,
  };
}
