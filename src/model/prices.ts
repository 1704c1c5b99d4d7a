import { z } from 'zod';
import { readConfigFile } from '../core/config-file.js';
import type { Usage } from './types.js';
import { roundUsd } from '../trajectory/usage-totals.js';

const usd = z.number().nonnegative();

/** USD per million tokens of each kind; cache prices default to the input price. */
export const PriceSchema = z.object({
  input: usd,
  output: usd,
  cache_read: usd.optional(),
  cache_write: usd.optional(),
}).strict();
export type Price = z.infer<typeof PriceSchema>;

/** Model name → price; `"*"` prices every model the table does not name. */
export const PriceTableSchema = z.record(z.string().min(1), PriceSchema);
export type PriceTable = z.infer<typeof PriceTableSchema>;

/** Read a price table from a YAML or JSON file; errors name the file and the field. */
export async function loadPriceTable(file: string): Promise<PriceTable> {
  return (await readConfigFile(file, PriceTableSchema, { what: 'price table', codePrefix: 'PRICES' })).data;
}

/** The price of `model`: its own entry, else `*`, else undefined (no cost is computed). */
export function priceFor(table: PriceTable | undefined, model: string): Price | undefined {
  return table?.[model] ?? table?.['*'];
}

/**
 * What one call cost in USD: uncached prompt tokens at `input`, cache reads at
 * `cache_read`, cache writes at `cache_write`, completion tokens (reasoning included)
 * at `output`. Pure.
 */
export function costOfUsage(usage: Usage, price: Price): number {
  const read = usage.cache_read_tokens ?? 0;
  const write = usage.cache_write_tokens ?? 0;
  const uncached = Math.max(0, usage.prompt_tokens - read - write);
  const micro = uncached * price.input + read * (price.cache_read ?? price.input) + write * (price.cache_write ?? price.input) + usage.completion_tokens * price.output;
  return roundUsd(micro / 1_000_000);
}

export { roundUsd };
