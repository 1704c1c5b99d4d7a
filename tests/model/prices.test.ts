import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { costOfUsage, loadPriceTable, priceFor } from '../../src/model/index.js';

describe('costOfUsage()', () => {
  it('prices uncached prompt, cache reads, cache writes and completion tokens per million', () => {
    const usage = { prompt_tokens: 1_000_000, completion_tokens: 200_000, total_tokens: 1_200_000, cache_read_tokens: 600_000, cache_write_tokens: 100_000 };
    // 300k uncached × 3 + 600k × 0.3 + 100k × 3.75 + 200k × 15, per million.
    expect(costOfUsage(usage, { input: 3, output: 15, cache_read: 0.3, cache_write: 3.75 })).toBeCloseTo(0.9 + 0.18 + 0.375 + 3, 10);
    // Cache prices default to the input price.
    expect(costOfUsage(usage, { input: 2, output: 8 })).toBeCloseTo(2 + 1.6, 10);
  });
});

describe('priceFor()', () => {
  it("finds the model's own entry, else the * entry, else none", () => {
    const table = { 'gpt-5': { input: 1.25, output: 10 }, '*': { input: 1, output: 2 } };
    expect(priceFor(table, 'gpt-5')).toEqual({ input: 1.25, output: 10 });
    expect(priceFor(table, 'other')).toEqual({ input: 1, output: 2 });
    expect(priceFor({ 'gpt-5': { input: 1, output: 1 } }, 'other')).toBeUndefined();
    expect(priceFor(undefined, 'gpt-5')).toBeUndefined();
  });
});

describe('loadPriceTable()', () => {
  it('reads YAML and refuses a bad entry naming the file and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'forager-prices-'));
    const good = join(dir, 'prices.yaml');
    await writeFile(good, 'o3-mini:\n  input: 1.1\n  output: 4.4\n  cache_read: 0.55\n');
    expect(await loadPriceTable(good)).toEqual({ 'o3-mini': { input: 1.1, output: 4.4, cache_read: 0.55 } });
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'o3-mini:\n  input: -1\n  output: 4.4\n');
    await expect(loadPriceTable(bad)).rejects.toThrow(/bad\.yaml.*o3-mini\.input/s);
    const unknown = join(dir, 'unknown.json');
    await writeFile(unknown, JSON.stringify({ m: { input: 1, output: 1, cached: 1 } }));
    await expect(loadPriceTable(unknown)).rejects.toThrow(/unknown\.json.*cached/s);
  });
});
