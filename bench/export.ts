import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ExportFormat } from '../src/export/index.js';
import { writeSyntheticBatch } from './export-data.js';

export interface ExportBenchOptions {
  /** Trajectories in the synthetic set; default 100,000. */
  count?: number;
  formats?: ExportFormat[];
  /** Keep the generated files (default: removed). */
  keep?: boolean;
  /**
   * Rounds of every format in turn (default 1). On a shared machine one pair of runs can
   * land either side of a target; the median of the rounds' paired ratios is steadier.
   */
  repeat?: number;
}

export interface ExportBenchResult {
  format: ExportFormat;
  trajectories: number;
  /** Step rows written (the hf and parquet step tables hold one per step). */
  steps: number;
  seconds: number;
  trajectoriesPerSecond: number;
  /** Peak resident set size of the process that exported, in MiB. */
  peakRssMb: number;
  /** CPU time (user + system) of the export: the fair comparison on a shared, busy machine. */
  cpuSeconds: number;
}

const run = promisify(execFile);
const self = fileURLToPath(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));
const child = fileURLToPath(new URL('export-child.mjs', import.meta.url));

/**
 * Generate a synthetic set on disk, build the sources, then export the set once per
 * format, each in a fresh process (bench/export-child.mjs) so its peak RSS is its own,
 * running the compiled build as `forager export` does.
 */
export async function benchExport(options: ExportBenchOptions = {}): Promise<{ count: number; generateSeconds: number; rounds: ExportBenchResult[][] }> {
  const count = options.count ?? 100_000;
  const repeat = options.repeat ?? 1;
  const dir = await mkdtemp(join(tmpdir(), 'forager-bench-export-'));
  try {
    const started = performance.now();
    await writeSyntheticBatch(join(dir, 'batch'), count);
    const generateSeconds = (performance.now() - started) / 1000;
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root });
    const rounds: ExportBenchResult[][] = [];
    for (let round = 0; round < repeat; round += 1) {
      const results: ExportBenchResult[] = [];
      for (const format of options.formats ?? ['jsonl', 'chat', 'parquet', 'hf']) {
        const out = join(dir, format === 'parquet' || format === 'hf' || format === 'atif' ? format : `${format}.jsonl`);
        await rm(out, { recursive: true, force: true });
        const { stdout } = await run(process.execPath, [child, format, join(dir, 'batch'), out], { maxBuffer: 1 << 20 });
        results.push(JSON.parse(stdout) as ExportBenchResult);
      }
      rounds.push(results);
    }
    return { count, generateSeconds, rounds };
  } finally {
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}

async function cli(argv: string[]): Promise<void> {
  printExportBench(await benchExport(parseExportBenchArgs(argv)));
}

/** `--count N`, `--formats jsonl,hf` and `--repeat N` from a bench command line. */
export function parseExportBenchArgs(argv: readonly string[]): ExportBenchOptions {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at === -1 ? undefined : argv[at + 1];
  };
  const count = value('--count');
  const formats = value('--formats');
  const repeat = value('--repeat');
  return {
    ...(count !== undefined ? { count: Number(count) } : {}),
    ...(formats !== undefined ? { formats: formats.split(',') as ExportFormat[] } : {}),
    ...(repeat !== undefined ? { repeat: Number(repeat) } : {}),
  };
}

/** Print the figures of benchExport(): one line per format and round, then each format's medians over the rounds. */
export function printExportBench(bench: Awaited<ReturnType<typeof benchExport>>): void {
  process.stdout.write(`export: generated ${bench.count} synthetic trajectories in ${bench.generateSeconds.toFixed(1)} s\n`);
  const many = bench.rounds.length > 1;
  bench.rounds.forEach((results, round) => {
    const jsonl = results.find((r) => r.format === 'jsonl');
    for (const r of results) {
      const ratio = jsonl && r !== jsonl ? `; ${(r.seconds / jsonl.seconds).toFixed(2)}x jsonl's wall time, ${(r.cpuSeconds / jsonl.cpuSeconds).toFixed(2)}x its CPU time (target <= 1.5x for hf)` : '';
      const label = many ? `export ${r.format} (round ${round + 1})` : `export ${r.format.padEnd(8)}`;
      process.stdout.write(`${label} ${r.trajectories} trajectories (${r.steps} steps) in ${r.seconds.toFixed(1)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU: ${Math.round(r.trajectoriesPerSecond)} trajectories/s, ${Math.round(r.steps / r.seconds)} step rows/s, peak RSS ${Math.round(r.peakRssMb)} MB (target <= 300 MB)${ratio}\n`);
    }
  });
  if (!many) return;
  const formats = (bench.rounds[0] ?? []).map((r) => r.format);
  for (const format of formats) {
    const runs = bench.rounds.map((results) => ({ run: results.find((r) => r.format === format) as ExportBenchResult, jsonl: results.find((r) => r.format === 'jsonl') }));
    const wall = median(runs.map(({ run }) => run.seconds));
    const cpu = median(runs.map(({ run }) => run.cpuSeconds));
    const rss = Math.max(...runs.map(({ run }) => run.peakRssMb));
    // Ratios are taken within a round (the two runs side by side), then their median.
    const ratio = format === 'jsonl' || !runs[0]?.jsonl ? '' : `; median of the rounds' ratios: ${median(runs.map(({ run, jsonl }) => run.seconds / (jsonl as ExportBenchResult).seconds)).toFixed(2)}x jsonl's wall time, ${median(runs.map(({ run, jsonl }) => run.cpuSeconds / (jsonl as ExportBenchResult).cpuSeconds)).toFixed(2)}x its CPU time (target <= 1.5x for hf)`;
    process.stdout.write(`export ${format.padEnd(8)} median of ${runs.length} rounds: ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU, ${Math.round(bench.count / wall)} trajectories/s; highest peak RSS ${Math.round(rss)} MB (target <= 300 MB)${ratio}\n`);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

if (process.argv[1] === self) await cli(process.argv.slice(2));
