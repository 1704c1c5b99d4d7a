import { readFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { abortOnSignals } from '../src/cli/signals.js';
import { createLogger } from '../src/core/log.js';
import { readRecord, readRepoInputs } from '../src/env/index.js';
import { createProvider } from '../src/providers/index.js';
import { readYield, renderYield, runSupply, supplyPaths, type StageName, type TaskVerdict, type YieldRow } from '../src/supply/index.js';

/**
 * `npm run bench -- supply [list files or repositories] [--out DIR] [--last N] [--mutants N] [--concurrency N] [--stages env,…]`:
 * the whole pipeline over a fixed list of real repositories (bench/supply-repos.txt: mirrors on the
 * development machine), in one run (resumable: the same command again continues), then the
 * measurements the issue asks for: environments built of N with the scripted installer alone,
 * minutes per environment, sound mined tasks per repository.
 */
export interface SupplyBenchArgs {
  repos: string[];
  out: string;
  last: number;
  mutants: number;
  concurrency: number;
  /** Stages to run (default all); `--stages env` first measures every environment before any mining. */
  stages?: StageName[];
}

export function parseSupplyBenchArgs(argv: string[]): SupplyBenchArgs {
  const args: SupplyBenchArgs = { repos: [], out: 'runs/bench-supply', last: 500, mutants: 10, concurrency: 1 };
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i]!;
    if (a === '--out') args.out = argv[++i]!;
    else if (a === '--last') args.last = Number(argv[++i]);
    else if (a === '--mutants') args.mutants = Number(argv[++i]);
    else if (a === '--concurrency') args.concurrency = Number(argv[++i]);
    else if (a === '--stages') args.stages = argv[++i]!.split(',') as StageName[];
    else args.repos.push(a);
  }
  if (args.repos.length === 0) args.repos.push(fileURLToPath(new URL('./supply-repos.txt', import.meta.url)));
  return args;
}

export interface SupplyBench {
  rows: YieldRow[];
  wallMs: number;
  /** The 1-minute load average every 30 s of the run. */
  load: number[];
  /** Per repository: the environment's minutes and the first-parent commits of the last N that touch tests and code. */
  details: { repo: string; envMinutes: number | null; qualifying: number | null; soundMined: number | null; reason: string | null; dropped: Record<string, number> | null; unsound: string[] }[];
}

export async function benchSupply(args: SupplyBenchArgs): Promise<SupplyBench> {
  const started = Date.now();
  const inputs = await readRepoInputs(args.repos);
  const log = createLogger({ level: 'warn' });
  // Ctrl-C stops the run as `forager supply` does: containers removed, the next run resumes.
  const controller = new AbortController();
  const release = abortOnSignals(controller);
  // The machine is shared: the load beside the run says what its minutes mean.
  const load: number[] = [loadavg()[0]!];
  const sampler = setInterval(() => load.push(loadavg()[0]!), 30_000);
  await runSupply(inputs, {
    provider: createProvider(), out: args.out, concurrency: args.concurrency, stages: args.stages, last: args.last, mutants: args.mutants, seed: 0, runId: `bench-supply-${process.pid}`, log, signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'stage-finished' || e.type === 'stage-failed') process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${e.repo} ${e.stage}: ${e.type === 'stage-finished' ? e.summary : `${e.code}: ${e.message}`}\n`);
    },
  }).finally(() => {
    release();
    clearInterval(sampler);
  });
  const rows = await readYield(args.out);
  const details = [];
  for (const row of rows) {
    const key = row.repo.replace(/\//g, '__');
    const record = await readRecord(supplyPaths.env(args.out, key)).catch(() => null);
    const mine = JSON.parse(await readFile(join(supplyPaths.mine(args.out, key), 'mine.json'), 'utf8').catch(() => 'null')) as { candidates: number; dropped: Record<string, number> } | null;
    const validate = JSON.parse(await readFile(supplyPaths.validate(args.out, key), 'utf8').catch(() => 'null')) as { tasks: TaskVerdict[] } | null;
    const unsound = (validate?.tasks ?? []).filter((t) => !t.sound).map((t) => `${t.id}: ${t.reason ?? '?'}`);
    details.push({ repo: row.repo, envMinutes: row.env_minutes, qualifying: mine?.candidates ?? null, soundMined: row.sound_issue_fix, reason: record?.reason?.code ?? null, dropped: mine?.dropped ?? null, unsound });
  }
  return { rows, wallMs: Date.now() - started, details, load };
}

export function printSupplyBench(bench: SupplyBench): void {
  const { rows, details } = bench;
  const verified = rows.filter((r) => r.env === 'verified');
  const scripted = verified.filter((r) => r.installer === 'scripted');
  const minutes = verified.map((r) => r.env_minutes ?? 0).sort((a, b) => a - b);
  const median = minutes.length ? minutes[Math.floor(minutes.length / 2)] : null;
  console.log(renderYield(rows));
  console.log(`environments verified: ${verified.length} of ${rows.length} (${scripted.length} by the scripted installer alone: ${rows.length ? Math.round((100 * scripted.length) / rows.length) : 0} %; target >= 80 %)`);
  console.log(`minutes per environment: median ${median ?? '-'}, max ${minutes.at(-1) ?? '-'} (target <= 5 on 2 cores)`);
  for (const d of details.filter((x) => (x.qualifying ?? 0) >= 80)) {
    console.log(`${d.repo}: ${d.qualifying} qualifying commits in the window, ${d.soundMined ?? '-'} sound mined tasks (target >= 20)`);
  }
  for (const d of details.filter((x) => x.reason)) console.log(`${d.repo}: ${d.reason}`);
  for (const d of details.filter((x) => x.dropped)) {
    const dropped = Object.entries(d.dropped!).sort((a, b) => b[1] - a[1]).map(([reason, n]) => `${reason} ${n}`).join(', ');
    console.log(`${d.repo}: candidates dropped: ${dropped || 'none'}; unsound after validation: ${d.unsound.length ? d.unsound.join('; ') : 'none'}`);
  }
  const load = [...bench.load].sort((a, b) => a - b);
  console.log(`wall time of the run: ${(bench.wallMs / 60000).toFixed(1)} min; load average (1 min) beside it: median ${load[Math.floor(load.length / 2)]!.toFixed(1)}, max ${load.at(-1)!.toFixed(1)} on ${cpus().length} cores`);
}
