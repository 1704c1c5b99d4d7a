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
export async function benchExport(options: ExportBenchOptions = {}): Promise<{ count: number; generateSeconds: number; results: ExportBenchResult[] }> {
  const count = options.count ?? 100_000;
  const dir = await mkdtemp(join(tmpdir(), 'forager-bench-export-'));
  try {
    const started = performance.now();
    await writeSyntheticBatch(join(dir, 'batch'), count);
    const generateSeconds = (performance.now() - started) / 1000;
    await run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { cwd: root });
    const results: ExportBenchResult[] = [];
    for (const format of options.formats ?? ['jsonl', 'chat', 'parquet', 'hf']) {
      const out = join(dir, format === 'parquet' || format === 'hf' || format === 'atif' ? format : `${format}.jsonl`);
      const { stdout } = await run(process.execPath, [child, format, join(dir, 'batch'), out], { maxBuffer: 1 << 20 });
      results.push(JSON.parse(stdout) as ExportBenchResult);
    }
    return { count, generateSeconds, results };
  } finally {
    if (!options.keep) await rm(dir, { recursive: true, force: true });
  }
}

async function cli(argv: string[]): Promise<void> {
  printExportBench(await benchExport(parseExportBenchArgs(argv)));
}

/** `--count N` and `--formats jsonl,hf` from a bench command line. */
export function parseExportBenchArgs(argv: readonly string[]): ExportBenchOptions {
  const value = (flag: string) => {
    const at = argv.indexOf(flag);
    return at === -1 ? undefined : argv[at + 1];
  };
  const count = value('--count');
  const formats = value('--formats');
  return {
    ...(count !== undefined ? { count: Number(count) } : {}),
    ...(formats !== undefined ? { formats: formats.split(',') as ExportFormat[] } : {}),
  };
}

/** Print the figures of benchExport(), one line per format. */
export function printExportBench(bench: Awaited<ReturnType<typeof benchExport>>): void {
  process.stdout.write(`export: generated ${bench.count} synthetic trajectories in ${bench.generateSeconds.toFixed(1)} s\n`);
  const jsonl = bench.results.find((r) => r.format === 'jsonl');
  for (const r of bench.results) {
    const ratio = jsonl && r !== jsonl ? `; ${(r.seconds / jsonl.seconds).toFixed(2)}x jsonl's wall time, ${(r.cpuSeconds / jsonl.cpuSeconds).toFixed(2)}x its CPU time (target <= 1.5x for hf)` : '';
    process.stdout.write(`export ${r.format.padEnd(8)} ${r.trajectories} trajectories (${r.steps} steps) in ${r.seconds.toFixed(1)} s wall, ${r.cpuSeconds.toFixed(1)} s CPU: ${Math.round(r.trajectoriesPerSecond)} trajectories/s, ${Math.round(r.steps / r.seconds)} step rows/s, peak RSS ${Math.round(r.peakRssMb)} MB (target <= 300 MB)${ratio}\n`);
  }
}

if (process.argv[1] === self) await cli(process.argv.slice(2));
