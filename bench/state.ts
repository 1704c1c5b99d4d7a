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

export interface StateBench {
  rows: StateBenchRow[];
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
  await build();
  return { rows, runRssMb: await runRss(await ensureFilesImage(100_000)), runRssFloorMb: await runRss(await ensureFilesImage(1_000)) };
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
  );
  process.stdout.write(lines.join('\n'));
}
