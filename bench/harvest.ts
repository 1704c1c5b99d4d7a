import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { engine } from '../src/docker/engine.js';

const run = promisify(execFile);
const IMAGE = 'forager-base:bookworm';
const ENTRY = fileURLToPath(new URL('./cli-entry.ts', import.meta.url));

export interface HarvestBenchOptions {
  /** Tasks in the forager batch (default 200). */
  tasks?: number;
  /** Actions per task (default 10). */
  actions?: number;
  concurrency?: number;
  /** Tasks the sequential docker-exec baseline runs (its rate is per minute, so a sample suffices; default 20). */
  baselineTasks?: number;
  /** Concurrency and batch size of the peak-RSS run (default 16 and 64). */
  rssConcurrency?: number;
  rssTasks?: number;
}

export interface HarvestBench {
  tasks: number;
  actions: number;
  concurrency: number;
  foragerSeconds: number;
  foragerPerMinute: number;
  baselineTasks: number;
  baselineSeconds: number;
  baselinePerMinute: number;
  ratio: number;
  /** Bare container create+start+remove per minute at the same concurrency: the engine's own ceiling. */
  ceilingPerMinute: number;
  rssConcurrency: number;
  peakRssMb: number;
}

/** Trajectories per minute through `forager harvest` against a container per task with one `docker exec` per action; and the harvester's peak RSS. */
export async function benchHarvest(options: HarvestBenchOptions = {}): Promise<HarvestBench> {
  const tasks = options.tasks ?? 200;
  const actions = options.actions ?? 10;
  const concurrency = options.concurrency ?? 4;
  const baselineTasks = options.baselineTasks ?? 20;
  const rssConcurrency = options.rssConcurrency ?? 16;
  const rssTasks = options.rssTasks ?? 64;
  const dir = await mkdtemp(join(tmpdir(), 'forager-bench-harvest-'));
  try {
    const commands = (i: number) => Array.from({ length: actions }, (_, j) => `echo task ${i} step ${j} > f${j}.txt && cat f${j}.txt`);
    await writeTasks(join(dir, 'tasks'), tasks, commands);
    const forager = await harvestChild(join(dir, 'tasks'), join(dir, 'out'), concurrency);
    const baselineSeconds = await runBaseline(baselineTasks, commands, join(dir, 'baseline'));
    const ceilingPerMinute = await engineCeiling(concurrency, 60);
    await writeTasks(join(dir, 'rss-tasks'), rssTasks, commands);
    const rss = await harvestChild(join(dir, 'rss-tasks'), join(dir, 'rss-out'), rssConcurrency);
    const foragerPerMinute = (tasks * 60) / forager.seconds;
    const baselinePerMinute = (baselineTasks * 60) / baselineSeconds;
    return {
      tasks, actions, concurrency, foragerSeconds: forager.seconds, foragerPerMinute,
      baselineTasks, baselineSeconds, baselinePerMinute, ratio: foragerPerMinute / baselinePerMinute, ceilingPerMinute,
      rssConcurrency, peakRssMb: rss.peakRssKb / 1024,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function printHarvestBench(b: HarvestBench): void {
  const lines = [
    `harvest: ${b.tasks} scripted tasks × ${b.actions} actions`,
    `  forager harvest, concurrency ${b.concurrency}: ${b.foragerPerMinute.toFixed(0)} trajectories/min (${b.foragerSeconds.toFixed(1)} s)`,
    `  container per task + docker exec per action, sequential (${b.baselineTasks} tasks): ${b.baselinePerMinute.toFixed(0)} trajectories/min (${b.baselineSeconds.toFixed(1)} s)`,
    `  ratio ${b.ratio.toFixed(1)}× (target ≥ 10×)`,
    `  engine ceiling: bare containers (create, start, remove; nothing run in them) at concurrency ${b.concurrency}: ${b.ceilingPerMinute.toFixed(0)}/min`,
    `    = ${(b.ceilingPerMinute / b.baselinePerMinute).toFixed(1)}× the baseline at most for any harvester with a container per attempt; forager reaches ${((100 * b.foragerPerMinute) / b.ceilingPerMinute).toFixed(0)}% of it`,
    `  harvester peak RSS at concurrency ${b.rssConcurrency}: ${b.peakRssMb.toFixed(0)} MB (target < 200 MB)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** Containers the engine can create, start and remove per minute at `concurrency`, with nothing run in them. */
async function engineCeiling(concurrency: number, count: number): Promise<number> {
  const docker = engine();
  const once = async () => {
    const container = await docker.createContainer({
      Image: IMAGE, Cmd: ['sleep', '600'], Labels: { 'forager.run': `bench-ceiling-${process.pid}` }, HostConfig: { NetworkMode: 'none', Init: true },
    });
    try {
      await container.start();
    } finally {
      await container.remove({ force: true });
    }
  };
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      next += 1;
      await once();
    }
  }));
  return (count * 60_000) / (performance.now() - started);
}

async function writeTasks(dir: string, count: number, commands: (i: number) => string[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (let i = 0; i < count; i += 1) {
    const spec = { id: `bench-${i}`, instruction: 'bench', image: { ref: IMAGE }, agent: { type: 'scripted', actions: commands(i).map((command) => ({ tool: 'bash', command })) } };
    await writeFile(join(dir, `bench-${i}.task.yaml`), stringify(spec));
  }
}

/** Run `forager harvest` as a child process, sampling its peak RSS (VmHWM) until it exits. */
async function harvestChild(tasks: string, out: string, concurrency: number): Promise<{ seconds: number; peakRssKb: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'harvest', tasks, '--out', out, '--concurrency', String(concurrency), '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
  let peak = 0;
  const sample = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (match) peak = Math.max(peak, Number(match[1]));
    } catch {
      // the child has exited
    }
  };
  const timer = setInterval(sample, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => { sample(); resolve(c); }));
  clearInterval(timer);
  if (code !== 0) throw new Error(`forager harvest exited with ${code}`);
  return { seconds: (performance.now() - started) / 1000, peakRssKb: peak };
}

/** The way peers do it: a container per task, one `docker exec` subprocess per action, one task at a time; each output kept as JSONL. */
async function runBaseline(count: number, commands: (i: number) => string[], out: string): Promise<number> {
  await mkdir(out, { recursive: true });
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const { stdout } = await run('docker', ['run', '-d', '--label', `forager.run=bench-baseline-${process.pid}`, '--network', 'none', '--init', IMAGE, 'sleep', '600']);
    const id = stdout.trim();
    const lines: string[] = [];
    try {
      for (const command of commands(i)) {
        const t = performance.now();
        const result = await run('docker', ['exec', '-w', '/tmp', id, 'bash', '-c', command]).then(
          (r) => ({ ...r, code: 0 }),
          (e: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: e.code ?? -1 }),
        );
        lines.push(JSON.stringify({ command, ...result, ms: performance.now() - t }));
      }
    } finally {
      await run('docker', ['rm', '-f', id]);
    }
    await writeFile(join(out, `${i}.jsonl`), `${lines.join('\n')}\n`);
  }
  return (performance.now() - started) / 1000;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const tasks = Number(process.argv[2] ?? 200);
  printHarvestBench(await benchHarvest({ tasks }));
}
