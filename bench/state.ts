import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { capturedBytes } from '../src/sandbox/capture.js';
import { DockerSandbox } from '../src/sandbox/docker/sandbox.js';
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
  for (const files of SIZES) {
    const image = await ensureFilesImage(files);
    const sandbox = await DockerSandbox.start({ image, runId: 'bench-state', taskId: 'bench', workdir: '/work/repo', env: { ...PINNED_ENV }, limits: { ...DEFAULT_LIMITS } });
    try {
      const plain: number[] = [];
      const tracked: number[] = [];
      const durations: number[] = [];
      const probes: number[] = [];
      const find: number[] = [];
      const findDurations: number[] = [];
      const tracker = new FindTracker();
      for (let i = 0; i < 10; i += 1) await sandbox.exec('true');
      for (let i = 0; i < steps; i += 1) {
        let t = performance.now();
        await sandbox.exec('true', { trackState: false });
        plain.push(performance.now() - t);
        t = performance.now();
        const r = await sandbox.exec('true');
        tracked.push(performance.now() - t);
        durations.push(r.observation.duration_ms);
        probes.push(r.state?.probe_ms ?? NaN);
        if (i < Math.min(steps, files >= 100_000 ? 30 : 100)) {
          // The old way: `true`, then find in the same session, on the action's clock.
          t = performance.now();
          const old = await sandbox.exec(`true\n${findProbe('/work/repo')}`, { trackState: false });
          const { head, tail } = capturedBytes(old.observation.stdout);
          tracker.update(Buffer.concat([head, tail]));
          find.push(performance.now() - t);
          findDurations.push(old.observation.duration_ms);
        }
      }
      rows.push({
        files,
        stepMs: median(tracked),
        durationMs: median(durations),
        probeMs: median(probes),
        overheadMs: median(tracked) - median(plain),
        findStepMs: median(find),
        findOverheadMs: median(find) - median(plain),
        findDurationMs: median(findDurations),
      });
    } finally {
      await sandbox.stop();
    }
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
    `  step time ${last.files} vs ${first.files} files: ${(last.stepMs / first.stepMs).toFixed(2)}x   (target: <= 1.5x; old find: ${(last.findStepMs / first.findStepMs).toFixed(2)}x)`,
    `  harvester peak RSS, 50 steps over ${last.files} files: ${r.runRssMb.toFixed(0)} MB   (target: <= 150 MB; ${first.files} files: ${r.runRssFloorMb.toFixed(0)} MB)`,
    '',
  );
  process.stdout.write(lines.join('\n'));
}
