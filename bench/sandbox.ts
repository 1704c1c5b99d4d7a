import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createDockerBackend, engine } from '../src/docker/index.js';
import { RuntimeSandbox } from '../src/sandbox/index.js';
import { runOneShot } from '../src/sandbox/process/index.js';
import { createFile, editFile, viewFile } from '../src/file-tools/index.js';
import { PINNED_ENV } from '../src/runner/environment.js';
import { DEFAULT_LIMITS } from '../src/task/spec.js';
import { fmt, median, timeMany } from './stats.js';

const run = promisify(execFile);
const IMAGE = 'forager-base:bookworm';

export interface SandboxBench {
  dispatchMs: number;
  dispatchWithStateMs: number;
  engineApiExecMs: number;
  cliExecMs: number;
  dispatchSpeedup: number;
  /** The file tools on a small file, as the runner calls them (state read after create and edit). */
  viewMs: number;
  createMs: number;
  editMs: number;
  /** The same file operations without the tool process (one exec each: what an image without perl gets). */
  viewPortableMs: number;
  editPortableMs: number;
  startStopMs: number;
  rawStartStopMs: number;
  startStopRatio: number;
}

/** Per-action dispatch and sandbox start+stop, forager against the ways peers do it. */
export async function benchSandbox(options: { actions?: number; starts?: number } = {}): Promise<SandboxBench> {
  const actions = options.actions ?? 200;
  const starts = options.starts ?? 15;
  const sandbox = await RuntimeSandbox.start(createDockerBackend(), { image: IMAGE, runId: 'bench', taskId: 'bench', workdir: '/work', env: { ...PINNED_ENV }, limits: { ...DEFAULT_LIMITS } });
  try {
    await timeMany(20, () => sandbox.exec('true', { trackState: false }));
    const dispatch = await timeMany(actions, () => sandbox.exec('true', { trackState: false }));
    const withState = await timeMany(actions, () => sandbox.exec('true'));
    const api = await timeMany(Math.min(actions, 50), () => runOneShot(sandbox.box, ['true']));
    const cli = await timeMany(Math.min(actions, 50), () => run('docker', ['exec', sandbox.id, 'true']));
    const files = await benchFileTools(sandbox, actions);
    const portableBox = await RuntimeSandbox.start(createDockerBackend(), { image: IMAGE, runId: 'bench', taskId: 'bench', workdir: '/work', env: { ...PINNED_ENV }, limits: { ...DEFAULT_LIMITS } }, { helpers: 'portable' });
    let portable: Awaited<ReturnType<typeof benchFileTools>>;
    try {
      portable = await benchFileTools(portableBox, Math.min(actions, 30));
    } finally {
      await portableBox.stop();
    }
    const docker = engine();
    const rawOnce = async () => {
      const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', '60'], Labels: { 'forager.run': 'bench-raw' }, HostConfig: { Init: true, NetworkMode: 'none' } });
      try {
        await c.start();
      } finally {
        await c.remove({ force: true });
      }
    };
    const foragerOnce = async () => {
      const s = await RuntimeSandbox.start(createDockerBackend(), { image: IMAGE, runId: 'bench', taskId: 'bench', workdir: '/work', env: { ...PINNED_ENV }, limits: { ...DEFAULT_LIMITS } });
      await s.stop();
    };
    await rawOnce();
    await foragerOnce();
    const raw: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < starts; i += 1) {
      raw.push(...(await timeMany(1, rawOnce)));
      ours.push(...(await timeMany(1, foragerOnce)));
    }
    const result: SandboxBench = {
      dispatchMs: median(dispatch),
      dispatchWithStateMs: median(withState),
      engineApiExecMs: median(api),
      cliExecMs: median(cli),
      dispatchSpeedup: median(cli) / median(dispatch),
      viewMs: files.view,
      createMs: files.create,
      editMs: files.edit,
      viewPortableMs: portable.view,
      editPortableMs: portable.edit,
      startStopMs: median(ours),
      rawStartStopMs: median(raw),
      startStopRatio: median(ours) / median(raw),
    };
    return result;
  } finally {
    await sandbox.stop();
  }
}

export function printSandboxBench(r: SandboxBench): void {
  process.stdout.write(
    [
      '== per-action dispatch (`true`), median',
      `  forager session            ${fmt(r.dispatchMs)}`,
      `  forager session + state    ${fmt(r.dispatchWithStateMs)}   (cwd and changed files recorded)`,
      `  Engine API exec            ${fmt(r.engineApiExecMs)}`,
      `  docker exec (CLI)          ${fmt(r.cliExecMs)}`,
      `  speed-up vs docker exec    ${r.dispatchSpeedup.toFixed(1)}x   (target: >= 50x, dispatch <= 1 ms)`,
      '== file tools on a small file, median (target: <= 2 ms each)',
      `  view                       ${fmt(r.viewMs)}   (portable, one exec each: ${fmt(r.viewPortableMs)})`,
      `  create                     ${fmt(r.createMs)}   (state read included)`,
      `  edit                       ${fmt(r.editMs)}   (state read included; portable: ${fmt(r.editPortableMs)})`,
      '== sandbox start + stop, median',
      `  forager                    ${fmt(r.startStopMs)}   (create, start, bash session, remove)`,
      `  raw create/start/remove    ${fmt(r.rawStartStopMs)}`,
      `  ratio                      ${r.startStopRatio.toFixed(2)}x   (target: <= 1.5x)`,
      '',
    ].join('\n'),
  );
}

/** view, create and edit of a small file, `n` times each, as the runner calls them. */
async function benchFileTools(sandbox: RuntimeSandbox, n: number): Promise<{ view: number; create: number; edit: number }> {
  const io = { timeoutMs: 30_000 };
  await sandbox.exec("printf 'alpha\\nbeta\\ngamma\\n' > /work/small.txt", { trackState: false });
  let i = 0;
  const view = await timeMany(n, () => viewFile(sandbox, { tool: 'view', path: '/work/small.txt' }, { ...io, maxOutputBytes: 65536 }));
  const create = await timeMany(n, () => createFile(sandbox, { tool: 'create', path: `/work/new-${i++}.txt`, content: 'one\ntwo\n' }, io));
  let flip = false;
  const edit = await timeMany(n, () => {
    flip = !flip;
    return editFile(sandbox, { tool: 'edit', path: '/work/small.txt', search: flip ? 'beta' : 'BETA', replace: flip ? 'BETA' : 'beta' }, io);
  });
  return { view: median(view), create: median(create), edit: median(edit) };
}
