// @needs docker
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { main } from '../../src/cli/main.js';
import { assignSplit, exportTrajectories, globToRegExp, HF_CONFIGS } from '../../src/export/index.js';
import { describeParquet, query } from './duckdb.js';
import { bashTrajectory, buildHeader, makeTempDir, richTrajectory, writeTrajectory, type TrajectoryInput } from './fixtures.js';

interface Card {
  license: string;
  language: string[];
  configs: { config_name: string; default?: boolean; data_files: { split: string; path: string }[] }[];
  dataset_info: { config_name: string; features: { name: string; dtype?: string; list?: unknown[] }[]; splits: { name: string; num_examples: number; num_bytes: number }[] }[];
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(path)));
    else out.push(path);
  }
  return out.sort();
}

async function readCard(dir: string): Promise<Card> {
  const text = await readFile(join(dir, 'README.md'), 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
  expect(match).not.toBeNull();
  return parse(match![1]!) as Card;
}

/** Twelve trajectories over six repositories, with a seed that puts repositories on both sides of the split. */
async function writeSet(dir: string): Promise<{ inputs: TrajectoryInput[]; seed: number }> {
  const inputs: TrajectoryInput[] = [];
  for (let r = 0; r < 6; r += 1) {
    inputs.push(richTrajectory(`rich-${r}`, `pkg${r}-1`, `org/pkg${r}`));
    inputs.push(bashTrajectory(`bash-${r}`, `pkg${r}-2`, [`make test-${r}`, `git diff ${r}`, 'ls'], { repo: `org/pkg${r}` }));
  }
  for (const input of inputs) await writeTrajectory(join(dir, 'batch', input.id, 'attempt-0.jsonl'), input);
  let seed = 0;
  const sides = (s: number) => new Set(inputs.map((i) => assignSplit(i.repo!, { name: 'validation', fraction: 0.4, seed: s })));
  while (sides(seed).size < 2) seed += 1;
  return { inputs, seed };
}

describe('exportTrajectories() - hf', () => {
  it('writes data/<config>/<split>-NNNNN-of-MMMMM.parquet shards whose card configs, globs and counts match what DuckDB reads', async () => {
    const dir = await makeTempDir();
    const { inputs, seed } = await writeSet(dir);
    const out = join(dir, 'hf');
    const report = await exportTrajectories([join(dir, 'batch')], { format: 'hf', out, split: { name: 'validation', fraction: 0.4, seed }, shardBytes: 4_000, license: 'mit', languages: ['en'] });
    expect(report.exported).toBe(inputs.length);

    const files = (await listFiles(out)).map((f) => relative(out, f));
    expect(files.filter((f) => !f.startsWith('data/'))).toEqual(['README.md']);
    const shard = /^data\/(trajectories|steps|chat)\/(train|validation)-(\d{5})-of-(\d{5})\.parquet$/;
    expect(files.filter((f) => f.startsWith('data/')).every((f) => shard.test(f))).toBe(true);
    // Per config and split: shards numbered 0..M-1, all "of M"; small shards force several.
    for (const config of HF_CONFIGS) {
      for (const split of ['train', 'validation']) {
        const mine = files.filter((f) => f.startsWith(`data/${config}/${split}-`)).map((f) => shard.exec(f)!);
        expect(mine.length).toBeGreaterThan(0);
        expect(mine.map((m) => Number(m[3]))).toEqual(mine.map((_, i) => i));
        expect(new Set(mine.map((m) => Number(m[4])))).toEqual(new Set([mine.length]));
      }
    }
    expect(files.filter((f) => f.startsWith('data/steps/train-')).length).toBeGreaterThan(1);

    const card = await readCard(out);
    expect(card.license).toBe('mit');
    expect(card.language).toEqual(['en']);
    expect(card.configs.map((c) => c.config_name)).toEqual(['trajectories', 'steps', 'chat']);
    expect(card.configs.filter((c) => c.default).map((c) => c.config_name)).toEqual(['trajectories']);
    const expectedRows: Record<string, (ids: Set<string>) => number> = {
      trajectories: (ids) => ids.size,
      steps: (ids) => inputs.filter((i) => ids.has(i.id)).reduce((n, i) => n + i.steps.length, 0),
      chat: (ids) => ids.size,
    };
    for (const config of card.configs) {
      const info = card.dataset_info.find((d) => d.config_name === config.config_name)!;
      for (const { split, path } of config.data_files) {
        // The glob names exactly the shards of this config and split.
        const glob = globToRegExp(path);
        expect(files.filter((f) => glob.test(f))).toEqual(files.filter((f) => f.startsWith(`data/${config.config_name}/${split}-`)));
        const [row] = await query(`SELECT count(*) AS n FROM read_parquet('${join(out, path)}.parquet')`);
        const ids = new Set(inputs.filter((i) => assignSplit(i.repo!, { name: 'validation', fraction: 0.4, seed }) === split).map((i) => i.id));
        expect(Number(row!['n'])).toBe(expectedRows[config.config_name]!(ids));
        expect(info.splits.find((s) => s.name === split)?.num_examples).toBe(Number(row!['n']));
      }
      // The card's features are the files' columns, in order.
      const types = await describeParquet(join(out, `data/${config.config_name}/train-00000-of-*.parquet`));
      expect(info.features.map((f) => f.name)).toEqual(Object.keys(types));
    }
  });

  it('declares on the card, column by column, the type each file holds (timestamps with their UTC zone)', async () => {
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'batch', 'a.jsonl'), richTrajectory('t-1', 'pkg-1', 'org/pkg'));
    const out = join(dir, 'hf');
    await exportTrajectories([join(dir, 'batch')], { format: 'hf', out });
    const card = await readCard(out);
    // Arrow's dtype names as DuckDB (an independent reader) spells the same physical and logical types.
    const DUCKDB_OF: Record<string, string> = { string: 'VARCHAR', int32: 'INTEGER', int64: 'BIGINT', float64: 'DOUBLE', bool: 'BOOLEAN', 'timestamp[ms, tz=UTC]': 'TIMESTAMP WITH TIME ZONE' };
    let checked = 0;
    for (const info of card.dataset_info) {
      const types = await describeParquet(join(out, `data/${info.config_name}/train-00000-of-00001.parquet`));
      for (const feature of info.features.filter((f) => f.dtype !== undefined)) {
        expect([info.config_name, feature.name, DUCKDB_OF[feature.dtype!]]).toEqual([info.config_name, feature.name, types[feature.name]]);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(40);
    const timestamps = card.dataset_info.flatMap((i) => i.features.filter((f) => f.dtype?.startsWith('timestamp')).map((f) => `${i.config_name}.${f.name}:${f.dtype}`));
    expect(timestamps).toEqual(['trajectories.started_at:timestamp[ms, tz=UTC]', 'trajectories.ended_at:timestamp[ms, tz=UTC]', 'steps.started_at:timestamp[ms, tz=UTC]']);
    const [row] = await query(`SELECT epoch_ms(started_at) AS ms FROM read_parquet('${join(out, 'data/trajectories/train-00000-of-00001.parquet')}')`);
    expect(Number(row!['ms'])).toBe(Date.parse(buildHeader(richTrajectory('t-1', 'pkg-1')).started_at));
  });

  it('types the columns: scalars as in the parquet format, messages as lists of structs, tools as a JSON string', async () => {
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'batch', 'a.jsonl'), richTrajectory('t-1', 'pkg-1', 'org/pkg'));
    const out = join(dir, 'hf');
    await exportTrajectories([join(dir, 'batch')], { format: 'hf', out });
    expect(await describeParquet(join(out, 'data/trajectories/train-00000-of-00001.parquet'))).toMatchObject({
      trajectory_id: 'VARCHAR', attempt: 'INTEGER', seed: 'BIGINT', started_at: 'TIMESTAMP WITH TIME ZONE', resolved: 'BOOLEAN', reward: 'DOUBLE', source_format: 'VARCHAR',
    });
    expect(await describeParquet(join(out, 'data/steps/train-00000-of-00001.parquet'))).toMatchObject({ step_index: 'INTEGER', exit_code: 'INTEGER', stdout_bytes: 'BIGINT', shown: 'VARCHAR' });
    const chatTypes = await describeParquet(join(out, 'data/chat/train-00000-of-00001.parquet'));
    expect(chatTypes['tools']).toBe('VARCHAR');
    expect(chatTypes['messages']).toMatch(/^STRUCT\("role" VARCHAR, "content" VARCHAR, tool_calls STRUCT\(id VARCHAR, "type" VARCHAR, "function" STRUCT\("name" VARCHAR, arguments VARCHAR\)\)\[\], .*train BOOLEAN, loss_mask INTEGER\)\[\]$/);
    expect(chatTypes['messages_cwm']).toBe('STRUCT("role" VARCHAR, "content" VARCHAR, train BOOLEAN, loss_mask INTEGER)[]');
    const [row] = await query(`SELECT len(messages) AS n, messages[3].tool_calls[1].function.name AS first_tool, messages_cwm[3].content AS cwm, json_array_length(tools::JSON) AS tools FROM read_parquet('${out}/data/chat/*.parquet')`);
    expect(row).toMatchObject({ n: 18n, first_tool: 'bash', tools: 5n });
    expect(String(row!['cwm'])).toContain('<tool: bash>');
  });

  it('forager export --format hf writes the report beside data/, not inside it', async () => {
    const dir = await makeTempDir();
    await writeTrajectory(join(dir, 'in', 'a.jsonl'), bashTrajectory('a', 'x-1', ['ls'], { repo: 'org/x' }));
    const out = join(dir, 'hf');
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (() => true) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['node', 'forager', 'export', join(dir, 'in'), '--format', 'hf', '--out', out, '--shard-size', '1MB', '--license', 'cc-by-4.0']);
    } finally {
      process.stdout.write = write;
    }
    expect(code).toBe(0);
    const report = JSON.parse(await readFile(join(out, 'forager-report.json'), 'utf8'));
    expect(report).toMatchObject({ format: 'hf', exported: 1, sources: { forager: 1 }, models: { unknown: 1 } });
    expect((await readCard(out)).license).toBe('cc-by-4.0');
  });

  // Python's `datasets` is not a dependency: set FORAGER_DATASETS_PYTHON to a Python that has it to run this check.
  it.runIf(process.env['FORAGER_DATASETS_PYTHON'])('loads with Python datasets: every config and split, the counts of the card', async () => {
    const dir = await makeTempDir();
    const { seed } = await writeSet(dir);
    const out = join(dir, 'hf');
    await exportTrajectories([join(dir, 'batch')], { format: 'hf', out, split: { name: 'validation', fraction: 0.4, seed }, shardBytes: 4_000 });
    const script = fileURLToPath(new URL('../../scripts/load-hf-dataset.py', import.meta.url));
    const { stdout } = await promisify(execFile)(process.env['FORAGER_DATASETS_PYTHON']!, [script, out], { env: { ...process.env, HF_HUB_OFFLINE: '1', HF_DATASETS_OFFLINE: '1' }, maxBuffer: 16 << 20 });
    const loaded = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, Record<string, number>>;
    const card = await readCard(out);
    for (const info of card.dataset_info) {
      expect(loaded[info.config_name]).toEqual(Object.fromEntries(info.splits.map((s) => [s.name, s.num_examples])));
    }
  }, 300_000);
});
