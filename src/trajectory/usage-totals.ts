import type { Footer, Step } from './schema.js';

/**
 * Costs are kept to 1e-10 USD, so sums of recorded costs compare equal to a recomputation.
 * A rule of the record format, so it lives here (src/model's prices use it too).
 */
export function roundUsd(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

type UsageTotals = Pick<Footer['totals'], 'prompt_tokens' | 'completion_tokens' | 'cache_read_tokens' | 'cache_write_tokens' | 'reasoning_tokens' | 'cost_usd'>;

/** The footer's model totals: each token kind and the cost summed over the steps; kinds no step reported are left out. Pure. */
export function sumModelUsage(steps: Step[]): UsageTotals {
  const totals: Record<string, number> = {};
  const add = (key: keyof UsageTotals, value: number | undefined) => {
    if (value !== undefined) totals[key] = (totals[key] ?? 0) + value;
  };
  for (const step of steps) {
    const usage = step.model?.usage;
    add('prompt_tokens', usage?.prompt_tokens);
    add('completion_tokens', usage?.completion_tokens);
    add('cache_read_tokens', usage?.cache_read_tokens);
    add('cache_write_tokens', usage?.cache_write_tokens);
    add('reasoning_tokens', usage?.reasoning_tokens);
    add('cost_usd', step.model?.cost_usd);
  }
  if (totals.cost_usd !== undefined) totals.cost_usd = roundUsd(totals.cost_usd);
  // As before: token totals only when some tokens were counted.
  if (!totals.prompt_tokens && !totals.completion_tokens) {
    delete totals.prompt_tokens;
    delete totals.completion_tokens;
  }
  return totals;
}
