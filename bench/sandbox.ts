import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { createDockerBackend, engine } from '../src/docker/index.js';
import { createPodmanBackend, podmanClient, podmanEndpoint } from '../src/podman/index.js';
import { RuntimeSandbox, type SandboxBackend } from '../src/sandbox/index.js';
import { runOneShot } from '../src/sandbox/process/index.js';
import { createFile, editFile, viewFile } from '../src/file-tools/index.js';
import { PINNED_ENV } from '../src/runner/environment.js';
import { DEFAULT_LIMITS } from '../src/task/spec.js';
import { fmt, median, timeMany } from './stats.js';

const run = promisify(execFile);
const IMAGE = 'forager-base:bookworm';

/** A backend as the bench drives it: forager's backend, the engine's own client and CLI (the baselines). */
interface BenchTarget {
  name: 'docker' | 'podman';
  backend: () => SandboxBackend;
  client: () => Docker;
  /** How peers run one action: the engine's CLI, `<cli> exec <id> true`. */
  cli: string;
}

const TARGETS: BenchTarget[] = [
  { name: 'docker', backend: () => createDockerBackend(), client: () => engine(), cli: 'docker' },
  { name: 'podman', backend: () => createPodmanBackend(), client: () => podmanClient(podmanEndpoint()), cli: 'podman' },
];

/** Steps of `true` before dispatch is timed: a harvester running a batch has its JIT warm by then. */
const DISPATCH_WARMUP = 1000;

export interface BackendBench {
  backend: string;
  /** Dispatch over the session's transport as forager chooses it (a Unix socket on a local engine). */
  dispatchMs: number;
  dispatchTransport: string;
  /** The same in a sandbox whose session goes through the engine's attach, timed in turns with the other. */
  dispatchAttachMs: number;
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
  /** Attempts (start, `actions` tracked steps, stop) run `concurrency` at a time. */
  throughput: { attempts: number; concurrency: number; actions: number; wallMs: number; attemptsPerMinute: number; stepsPerSecond: number };
}

export interface SandboxBench {
  backends: BackendBench[];
}

export interface SandboxBenchOptions {
  actions?: number;
  starts?: number;
  /** Default: every backend (docker, podman); each must answer. */
  backends?: string[];
  attempts?: number;
  concurrency?: number;
}

/** Per-action dispatch, sandbox start+stop and attempt throughput on each backend, against the ways peers do it, in one run. */
export async function benchSandbox(options: SandboxBenchOptions = {}): Promise<SandboxBench> {
  const wanted = options.backends ?? TARGETS.map((t) => t.name);
  const backends: BackendBench[] = [];
  for (const target of TARGETS.filter((t) => wanted.includes(t.name))) backends.push(await benchOne(target, options));
  return { backends };
}

async function benchOne(target: BenchTarget, options: SandboxBenchOptions): Promise<BackendBench> {
  const actions = options.actions ?? 200;
  const starts = options.starts ?? 15;
  const spec = { image: IMAGE, runId: 'bench', taskId: 'bench', workdir: '/work', env: { ...PINNED_ENV }, limits: { ...DEFAULT_LIMITS } };
  // One backend per run, as the CLI makes one provider: what it asks the engine once (Podman's host facts, ~0.65 s) is not a per-sandbox cost.
  const backend = target.backend();
  const sandbox = await RuntimeSandbox.start(backend, spec);
  try {
    const dispatch = await benchDispatch(sandbox, await RuntimeSandbox.start(backend, spec, { sessionTransport: 'attach' }), actions);
    const withState = await timeMany(actions, () => sandbox.exec('true'));
    const api = await timeMany(Math.min(actions, 50), () => runOneShot(sandbox.box, ['true']));
    const cli = await timeMany(Math.min(actions, 50), () => run(target.cli, ['exec', sandbox.id, 'true']));
    const files = await benchFileTools(sandbox, actions);
    const portableBox = await RuntimeSandbox.start(backend, spec, { helpers: 'portable' });
    let portable: Awaited<ReturnType<typeof benchFileTools>>;
    try {
      portable = await benchFileTools(portableBox, Math.min(actions, 30));
    } finally {
      await portableBox.stop();
    }
    const docker = target.client();
    const rawOnce = async () => {
      const c = await docker.createContainer({ Image: IMAGE, Cmd: ['sleep', '60'], Labels: { 'forager.run': 'bench-raw' }, HostConfig: { Init: true, NetworkMode: 'none' } });
      try {
        await c.start();
      } finally {
        await c.remove({ force: true });
      }
    };
    const foragerOnce = async () => {
      const s = await RuntimeSandbox.start(backend, spec);
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
    return {
      backend: target.name,
      dispatchMs: median(dispatch.chosen),
      dispatchTransport: sandbox.sessionTransport ?? 'none',
      dispatchAttachMs: median(dispatch.attach),
      dispatchWithStateMs: median(withState),
      engineApiExecMs: median(api),
      cliExecMs: median(cli),
      dispatchSpeedup: median(cli) / median(dispatch.chosen),
      viewMs: files.view,
      createMs: files.create,
      editMs: files.edit,
      viewPortableMs: portable.view,
      editPortableMs: portable.edit,
      startStopMs: median(ours),
      rawStartStopMs: median(raw),
      startStopRatio: median(ours) / median(raw),
      throughput: await benchThroughput(backend, spec, options.attempts ?? 16, options.concurrency ?? 4),
    };
  } finally {
    await sandbox.stop();
  }
}

/**
 * `true` in the session, untracked, in `sandbox` (the transport forager chose) and in
 * `attached` (the engine's attach), after DISPATCH_WARMUP steps each, timed in alternating
 * blocks so that both see the same machine; `attached` is stopped.
 */
async function benchDispatch(sandbox: RuntimeSandbox, attached: RuntimeSandbox, actions: number): Promise<{ chosen: number[]; attach: number[] }> {
  try {
    const step = (s: RuntimeSandbox) => () => s.exec('true', { trackState: false });
    await timeMany(DISPATCH_WARMUP, step(sandbox));
    await timeMany(DISPATCH_WARMUP, step(attached));
    const chosen: number[] = [];
    const attach: number[] = [];
    const block = Math.max(1, Math.ceil(actions / 10));
    for (let done = 0; done < actions; done += block) {
      chosen.push(...(await timeMany(block, step(sandbox))));
      attach.push(...(await timeMany(block, step(attached))));
    }
    return { chosen, attach };
  } finally {
    await attached.stop();
  }
}

/** `attempts` attempts of 10 tracked steps each, `concurrency` at a time: what a harvest of short tasks sustains. */
async function benchThroughput(backend: SandboxBackend, spec: Parameters<typeof RuntimeSandbox.start>[1], attempts: number, concurrency: number): Promise<BackendBench['throughput']> {
  const actions = 10;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < attempts) {
      next += 1;
      const s = await RuntimeSandbox.start(backend, spec);
      try {
        for (let i = 0; i < actions; i += 1) await s.exec(`echo step ${i} > /work/step.txt`);
      } finally {
        await s.stop();
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = performance.now() - started;
  return { attempts, concurrency, actions, wallMs, attemptsPerMinute: attempts / (wallMs / 60_000), stepsPerSecond: (attempts * actions) / (wallMs / 1000) };
}

export function printSandboxBench(r: SandboxBench): void {
  const lines: string[] = [];
  for (const b of r.backends) {
    lines.push(
      `== ${b.backend}: per-action dispatch (\`true\`), median`,
      `  forager session            ${fmt(b.dispatchMs)}   (${b.dispatchTransport}; after ${DISPATCH_WARMUP} warm-up steps: a JIT-warm harvester, as in a batch)`,
      `  forager session, attach    ${fmt(b.dispatchAttachMs)}   (the engine's attach, same run, in turns; ${(b.dispatchAttachMs / b.dispatchMs).toFixed(2)}x the ${b.dispatchTransport})`,
      `  forager session + state    ${fmt(b.dispatchWithStateMs)}   (cwd and changed files recorded)`,
      `  Engine API exec            ${fmt(b.engineApiExecMs)}`,
      `  ${`${b.backend} exec (CLI)`.padEnd(27)}${fmt(b.cliExecMs)}`,
      `  speed-up vs ${b.backend} exec   ${b.dispatchSpeedup.toFixed(1)}x   (target: >= 50x, dispatch <= 1 ms)`,
      `== ${b.backend}: file tools on a small file, median (target: <= 2 ms each)`,
      `  view                       ${fmt(b.viewMs)}   (portable, one exec each: ${fmt(b.viewPortableMs)})`,
      `  create                     ${fmt(b.createMs)}   (state read included)`,
      `  edit                       ${fmt(b.editMs)}   (state read included; portable: ${fmt(b.editPortableMs)})`,
      `== ${b.backend}: sandbox start + stop, median`,
      `  forager                    ${fmt(b.startStopMs)}   (create, start, bash session, remove)`,
      `  raw create/start/remove    ${fmt(b.rawStartStopMs)}`,
      `  ratio                      ${b.startStopRatio.toFixed(2)}x   (target: <= 1.5x)`,
      `== ${b.backend}: throughput, ${b.throughput.attempts} attempts of ${b.throughput.actions} tracked steps, ${b.throughput.concurrency} at a time`,
      `  ${b.throughput.attemptsPerMinute.toFixed(1)} attempts/min, ${b.throughput.stepsPerSecond.toFixed(1)} steps/s (${(b.throughput.wallMs / 1000).toFixed(1)} s)`,
    );
  }
  const [docker, podman] = [r.backends.find((b) => b.backend === 'docker'), r.backends.find((b) => b.backend === 'podman')];
  if (docker && podman) {
    const row = (label: string, d: number, p: number, unit: (n: number) => string) => `  ${label.padEnd(26)} ${unit(d).padStart(10)} ${unit(p).padStart(10)}   ${(p / d).toFixed(2)}x`;
    const n = (x: number) => x.toFixed(1);
    lines.push(
      '== side by side                  docker     podman   podman/docker',
      row('session dispatch', docker.dispatchMs, podman.dispatchMs, fmt),
      row('session dispatch, attach', docker.dispatchAttachMs, podman.dispatchAttachMs, fmt),
      row('session + state', docker.dispatchWithStateMs, podman.dispatchWithStateMs, fmt),
      row('view', docker.viewMs, podman.viewMs, fmt),
      row('edit', docker.editMs, podman.editMs, fmt),
      row('Engine API exec', docker.engineApiExecMs, podman.engineApiExecMs, fmt),
      row('CLI exec', docker.cliExecMs, podman.cliExecMs, fmt),
      row('forager start + stop', docker.startStopMs, podman.startStopMs, fmt),
      row('raw start + stop', docker.rawStartStopMs, podman.rawStartStopMs, fmt),
      row('attempts/min', docker.throughput.attemptsPerMinute, podman.throughput.attemptsPerMinute, n),
      row('steps/s', docker.throughput.stepsPerSecond, podman.throughput.stepsPerSecond, n),
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
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
