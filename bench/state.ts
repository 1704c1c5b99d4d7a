import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { capturedBytes } from '../src/core/capture.js';
import { createDockerBackend } from '../src/docker/index.js';
import { RuntimeSandbox } from '../src/sandbox/index.js';
import { PINNED_ENV } from '../src/runner/environment.js';
import { DEFAULT_LIMITS } from '../src/task/spec.js';
import { FindTracker, findProbe } from './find-probe.js';
import { ensureFilesImage } from './state-images.js';
import { fmt, median } from './stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SIZES = [1_000, 20_000, 100_000];

export interface StateBenchRow {
  files: number;
  /** Median wall time of one tracked `true` step (dispatch, command, state). */
  stepMs: number;
  /** Median `observation.duration_ms` of `true`. */
  durationMs: number;
  /** Median `state.probe_ms`. */
  probeMs: number;
  /** Median per-step cost above an untracked `true` step. */
  overheadMs: number;
  /** The old in-session `find` probe: step wall time, and its overhead above an untracked step. */
  findStepMs: number;
  findOverheadMs: number;
  /** What the old probe put into duration_ms (it ran inside the action). */
  findDurationMs: number;
}

/** Per-step cost when the agent itself wrote the files into the layer (what a `pip install` does). */
export interface AgentLayerRow {
  files: number;
  stepMs: number;
  probeMs: number;
  overheadMs: number;
}

/** Seven tasks stepping `sleep 0.2` beside one that keeps a 100k-file layer busy, all at once. */
export interface HogResult {
  concurrency: number;
  /** |duration_ms - the command's own time| over the quiet tasks' steps: median and worst. */
  medianErrorMs: number;
  maxErrorMs: number;
  /** |duration_ms - 200| (the nominal time, which a loaded machine stretches for everyone): median and worst. */
  medianNominalErrorMs: number;
  maxNominalErrorMs: number;
  steps: number;
}

export interface StateBench {
  rows: StateBenchRow[];
  agentRows: AgentLayerRow[];
  hog: HogResult;
  /** Peak RSS of `forager run` over 99k files with ~3.8 KB paths, written by the agent. */
  longNamesRssMb: number;
  /** Peak RSS of `forager run` (built JS) over the 100k-file image, 50 steps. */
  runRssMb: number;
  /** The same for the 1k-file image: the floor. */
  runRssFloorMb: number;
}

/** `npm run bench -- state`: what recording the state of each step costs as the repository grows. */
export async function benchState(options: { steps?: number } = {}): Promise<StateBench> {
  const steps = options.steps ?? 200;
  const rows: StateBenchRow[] = [];
  const sandboxes: RuntimeSandbox[] = [];
  try {
    for (const files of SIZES) {
      const image = await ensureFilesImage(files);
      sandboxes.push(await RuntimeSandbox.start(createDockerBackend(), { image, runId: 'bench-state', taskId: 'bench', workdir: '/work/repo', env: { ...PINNED_ENV }, limits: { ...DEFAULT_LIMITS } }));
    }
    const samples = SIZES.map(() => ({ plain: [] as number[], tracked: [] as number[], durations: [] as number[], probes: [] as number[] }));
    for (const sandbox of sandboxes) for (let i = 0; i < 10; i += 1) await sandbox.exec('true');
    // Round-robin over the sizes, so a busy machine weighs on each the same.
    for (let i = 0; i < steps; i += 1) {
      for (let k = 0; k < sandboxes.length; k += 1) {
        const sandbox = sandboxes[k]!;
        const sample = samples[k]!;
        let t = performance.now();
        await sandbox.exec('true', { trackState: false });
        sample.plain.push(performance.now() - t);
        t = performance.now();
        const r = await sandbox.exec('true');
        sample.tracked.push(performance.now() - t);
        sample.durations.push(r.observation.duration_ms);
        sample.probes.push(r.state?.probe_ms ?? NaN);
      }
    }
    for (let k = 0; k < sandboxes.length; k += 1) {
      const files = SIZES[k]!;
      const sandbox = sandboxes[k]!;
      const sample = samples[k]!;
      // The old way, after the samples above: `true`, then find in the same session, on the action's clock.
      const find: number[] = [];
      const findDurations: number[] = [];
      const tracker = new FindTracker();
      for (let i = 0; i < (files >= 100_000 ? 30 : 100); i += 1) {
        const t = performance.now();
        const old = await sandbox.exec(`true\n${findProbe('/work/repo')}`, { trackState: false });
        const { head, tail } = capturedBytes(old.observation.stdout);
        tracker.update(Buffer.concat([head, tail]));
        find.push(performance.now() - t);
        findDurations.push(old.observation.duration_ms);
      }
      rows.push({
        files,
        stepMs: median(sample.tracked),
        durationMs: median(sample.durations),
        probeMs: median(sample.probes),
        overheadMs: median(sample.tracked) - median(sample.plain),
        findStepMs: median(find),
        findOverheadMs: median(find) - median(sample.plain),
        findDurationMs: median(findDurations),
      });
    }
  } finally {
    for (const sandbox of sandboxes) await sandbox.stop();
  }
  const agentRows = await benchAgentLayer(Math.min(steps, 100));
  const hog = await benchHog(8, 30);
  await build();
  return {
    rows,
    agentRows,
    hog,
    longNamesRssMb: await runRssOf(longNamesTask()),
    runRssMb: await runRss(await ensureFilesImage(100_000)),
    runRssFloorMb: await runRss(await ensureFilesImage(1_000)),
  };
}

function startBase(): Promise<RuntimeSandbox> {
  return RuntimeSandbox.start(createDockerBackend(), { image: 'forager-base:bookworm', runId: 'bench-state', taskId: 'bench', workdir: '/work', env: { ...PINNED_ENV }, limits: { ...DEFAULT_LIMITS } });
}

/** The agent writes N files into its layer, then steps touch one file each: what does a step cost? */
async function benchAgentLayer(steps: number): Promise<AgentLayerRow[]> {
  const sandboxes: RuntimeSandbox[] = [];
  const rows: AgentLayerRow[] = [];
  try {
    for (const files of SIZES) {
      const sandbox = await startBase();
      sandboxes.push(sandbox);
      await sandbox.exec(`mkdir -p /work/gen && cd /work/gen && for d in $(seq 0 ${Math.ceil(files / 1000) - 1}); do mkdir d$d; (cd d$d && seq ${files >= 1000 ? 1000 : files} | sed 's/$/.py/' | xargs touch); done; echo written`, { timeoutMs: 600_000 });
    }
    const samples = SIZES.map(() => ({ plain: [] as number[], tracked: [] as number[], probes: [] as number[] }));
    for (let i = 0; i < steps; i += 1) {
      for (let k = 0; k < sandboxes.length; k += 1) {
        const sample = samples[k]!;
        let t = performance.now();
        await sandboxes[k]!.exec('true', { trackState: false });
        sample.plain.push(performance.now() - t);
        t = performance.now();
        const r = await sandboxes[k]!.exec(`echo ${i} > /work/gen/d0/step.txt`);
        sample.tracked.push(performance.now() - t);
        sample.probes.push(r.state?.probe_ms ?? NaN);
      }
    }
    for (let k = 0; k < SIZES.length; k += 1) {
      const sample = samples[k]!;
      rows.push({ files: SIZES[k]!, stepMs: median(sample.tracked), probeMs: median(sample.probes), overheadMs: median(sample.tracked) - median(sample.plain) });
    }
  } finally {
    for (const sandbox of sandboxes) await sandbox.stop();
  }
  return rows;
}

/** One task churning a 100k-file layer beside quiet ones, concurrently: are the quiet ones' timings their own? */
export async function benchHog(concurrency: number, steps: number): Promise<HogResult> {
  const sandboxes: RuntimeSandbox[] = [];
  try {
    for (let i = 0; i < concurrency; i += 1) sandboxes.push(await startBase());
    await sandboxes[0]!.exec('mkdir -p /work/hog && cd /work/hog && for d in $(seq 0 99); do mkdir d$d; (cd d$d && seq 1000 | xargs touch); done', { timeoutMs: 600_000 });
    let hogging = true;
    const hog = (async () => {
      for (let i = 0; hogging; i += 1) await sandboxes[0]!.exec(`cd /work/hog && for d in d$((${i} % 100)); do (cd $d && seq 1000 | sed 's/$/.${i}/' | xargs touch); done`, { timeoutMs: 600_000 });
    })();
    const errors: number[] = [];
    const nominal: number[] = [];
    await Promise.all(sandboxes.slice(1).map(async (sandbox) => {
      for (let i = 0; i < steps; i += 1) {
        // The command times itself (bash's clock around the sleep): on a machine this loaded the
        // sleep itself wakes late, for forager and for any other harness alike; what forager
        // must not add is its own load or another task's layer to the record.
        const r = await sandbox.exec('s=$EPOCHREALTIME; sleep 0.2; e=$EPOCHREALTIME; echo "$s $e"');
        const [s, e] = (r.observation.stdout.text ?? '').trim().split(' ').map(Number) as [number, number];
        const ownMs = (e - s) * 1000;
        if (!Number.isFinite(ownMs)) throw new Error(`the hog bench's command printed no times: ${JSON.stringify(r.observation.stdout.text)}`);
        errors.push(Math.abs(r.observation.duration_ms - ownMs));
        nominal.push(Math.abs(r.observation.duration_ms - 200));
      }
    }));
    hogging = false;
    await hog;
    errors.sort((a, b) => a - b);
    nominal.sort((a, b) => a - b);
    return {
      concurrency,
      medianErrorMs: median(errors),
      maxErrorMs: errors.at(-1) ?? NaN,
      medianNominalErrorMs: median(nominal),
      maxNominalErrorMs: nominal.at(-1) ?? NaN,
      steps: errors.length,
    };
  } finally {
    for (const sandbox of sandboxes) await sandbox.stop();
  }
}

/** A task that writes 99k files under 17 nested folders of 220-character names (paths of ~3.8 KB), then steps. */
async function longNamesTask(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'forager-bench-state-'));
  const task = join(dir, 'bench.task.yaml');
  const name = 'n'.repeat(220);
  const deep = `cd /work && for i in $(seq 17); do mkdir -p ${name} && cd ${name}; done; for d in $(seq 0 98); do mkdir d$d; (cd d$d && seq 1000 | xargs touch); done; echo written`;
  const actions = [{ tool: 'bash', command: deep, timeout_s: 1200 }, ...Array.from({ length: 20 }, (_, i) => ({ tool: 'bash', command: `echo ${i} > /work/step.txt` }))];
  await writeFile(task, stringify({ id: 'bench-state-long', instruction: 'bench', image: { ref: 'forager-base:bookworm' }, workdir: '/work', agent: { type: 'scripted', actions } }));
  return task;
}

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'ignore' });
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`npm run build failed (${code})`))));
  });
}

/** Peak RSS (GNU time) of `node bin/forager.js run` of 50 `true` steps on the image. */
async function runRss(image: string): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'forager-bench-state-'));
  const task = join(dir, 'bench.task.yaml');
  const actions = [{ tool: 'bash', command: 'echo x > /work/repo/d000/f000001.py' }, ...Array.from({ length: 49 }, () => ({ tool: 'bash', command: 'true' }))];
  await writeFile(task, stringify({ id: 'bench-state', instruction: 'bench', image: { ref: image }, workdir: '/work/repo', agent: { type: 'scripted', actions } }));
  return runRssOf(Promise.resolve(task));
}

/** Peak RSS (GNU time) of `node bin/forager.js run` of a task file. */
async function runRssOf(taskFile: Promise<string>): Promise<number> {
  const task = await taskFile;
  const dir = await mkdtemp(join(tmpdir(), 'forager-bench-state-'));
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'MAXRSS=%M', process.execPath, join(ROOT, 'bin/forager.js'), 'run', task, '--out', join(dir, 'out.jsonl'), '--run-id', 'bench-state'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
    child.on('close', (code) => {
      const kb = Number(/MAXRSS=(\d+)/.exec(err)?.[1]);
      if (code !== 0 || !Number.isFinite(kb)) reject(new Error(`forager run failed (${code}): ${err.slice(-1000)}`));
      else resolve(kb / 1024);
    });
  });
}

export function printStateBench(r: StateBench): void {
  const lines = ['== state after each step (`true`), median per step', '  files      step     overhead   duration_ms   probe_ms  |  old find: step   overhead   duration_ms'];
  for (const row of r.rows) {
    lines.push(`  ${String(row.files).padStart(7)}  ${fmt(row.stepMs).padStart(9)}  ${fmt(row.overheadMs).padStart(9)}  ${fmt(row.durationMs).padStart(10)}  ${fmt(row.probeMs).padStart(9)}  |  ${fmt(row.findStepMs).padStart(13)}  ${fmt(row.findOverheadMs).padStart(9)}  ${fmt(row.findDurationMs).padStart(10)}`);
  }
  const first = r.rows[0]!;
  const last = r.rows.at(-1)!;
  lines.push(
    `  overhead at ${last.files} files: ${fmt(last.overheadMs)}   (target: <= 5 ms)`,
    `  step time ${last.files} vs ${first.files} files: ${(last.stepMs / first.stepMs).toFixed(2)}x, probe ${(last.probeMs / first.probeMs).toFixed(2)}x   (target: <= 1.5x; old find: ${(last.findStepMs / first.findStepMs).toFixed(2)}x)`,
    `  harvester peak RSS, 50 steps over ${last.files} files: ${r.runRssMb.toFixed(0)} MB   (target: <= 150 MB; ${first.files} files: ${r.runRssFloorMb.toFixed(0)} MB)`,
    '',
    '== files written by the agent into its layer, then one small change per step (median per step)',
    '  files      step     overhead   probe_ms',
  );
  for (const row of r.agentRows) lines.push(`  ${String(row.files).padStart(7)}  ${fmt(row.stepMs).padStart(9)}  ${fmt(row.overheadMs).padStart(9)}  ${fmt(row.probeMs).padStart(9)}`);
  const a0 = r.agentRows[0]!;
  const an = r.agentRows.at(-1)!;
  lines.push(
    `  overhead at ${an.files} files: ${fmt(an.overheadMs)}   (target: <= 5 ms); step ${an.files} vs ${a0.files}: ${(an.stepMs / a0.stepMs).toFixed(2)}x, probe ${(an.probeMs / a0.probeMs).toFixed(2)}x   (target: <= 1.5x)`,
    `  harvester peak RSS, 99k files with ~3.8 KB paths written by the agent: ${r.longNamesRssMb.toFixed(0)} MB   (target: <= 150 MB)`,
    '',
    `== one task churning a 100k-file layer beside ${r.hog.concurrency - 1} stepping \`sleep 0.2\`, concurrently (${r.hog.steps} steps)`,
    `  |duration_ms - the command's own time|: median ${fmt(r.hog.medianErrorMs)}, worst ${fmt(r.hog.maxErrorMs)}   (target: within 20 ms)`,
    `  |duration_ms - 200| (the sleep itself wakes late on a loaded machine): median ${fmt(r.hog.medianNominalErrorMs)}, worst ${fmt(r.hog.maxNominalErrorMs)}`,
    '',
  );
  process.stdout.write(lines.join('\n'));
}
