import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, relative, resolve } from 'node:path';
import { InfrastructureError, TaskError } from '../core/errors.js';
import type {
  BackendSandbox, BackendSpec, BackendState, LayerView, ListedSandbox, PidFacts, SandboxBackend, SandboxProcess, SpawnOptions,
} from '../sandbox/backend.js';
import type { ImageRequest, PreparedImage } from '../sandbox/contracts.js';

/** What a test sets to allow this backend: it is not a sandbox. */
export const ALLOW_ENV = 'FORAGER_ALLOW_UNSANDBOXED';
const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * NOT A SANDBOX: commands run on this host, as this user, on its file system. A test
 * backend: the runner, scheduler, queue and session logic run over it without an engine.
 * Each "sandbox" is a PID namespace (so the runtime's process scripts see only its own
 * processes) whose init is the dead-man, a workdir under the host's temporary folder, and
 * no limit at all. Refused unless FORAGER_ALLOW_UNSANDBOXED=1.
 */
export class UnsandboxedBackend implements SandboxBackend {
  readonly name = 'unsandboxed';
  private readonly live = new Map<string, LocalSandbox>();

  constructor() {
    if (process.env[ALLOW_ENV] !== '1') {
      throw new TaskError('UNSANDBOXED_REFUSED', `the unsandboxed backend runs commands on this host with no isolation: it is for forager's own tests (set ${ALLOW_ENV}=1 to allow it)`);
    }
  }

  async ping(): Promise<boolean> {
    return spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { timeout: 10_000 }).status === 0;
  }

  async health(): Promise<void> {
    if (!(await this.ping())) throw new InfrastructureError('ENGINE_UNREACHABLE', 'the unsandboxed backend needs `unshare --pid --mount-proc` (util-linux, as root)');
  }

  async version(): Promise<string | undefined> {
    return 'unsandboxed';
  }

  async prepareImage(task: ImageRequest): Promise<PreparedImage> {
    if (task.spec.repo || task.spec.environment) {
      throw new TaskError('UNSANDBOXED_NO_IMAGES', `${task.spec.id}: the unsandboxed backend has no images: a task with a repo or an environment needs a real backend`);
    }
    return { ref: 'unsandboxed', id: 'unsandboxed', digest: null, built: false };
  }

  async findImage(refOrId: string): Promise<{ id: string; tags: string[] } | null> {
    return refOrId === 'unsandboxed' ? { id: 'unsandboxed', tags: ['unsandboxed'] } : null;
  }

  async create(spec: BackendSpec): Promise<BackendSandbox> {
    const within = relative(tmpdir(), spec.workdir);
    if (within.startsWith('..') || resolve(tmpdir(), within) !== resolve(spec.workdir)) {
      throw new TaskError('UNSANDBOXED_WORKDIR', `the unsandboxed backend works on this host: its workdir must be under ${tmpdir()}, got ${spec.workdir}`);
    }
    // Its workdir is a host folder, removed with it: two live at once would share (and remove) it.
    if ([...this.live.values()].some((s) => s.workdir === resolve(spec.workdir))) {
      throw new TaskError('UNSANDBOXED_WORKDIR_BUSY', `the unsandboxed backend runs one sandbox per workdir at a time: ${spec.workdir} is in use`);
    }
    await mkdir(spec.workdir, { recursive: true });
    const sandbox = await LocalSandbox.start(spec, () => this.live.delete(sandbox.id));
    this.live.set(sandbox.id, sandbox);
    return sandbox;
  }

  async list(label: string): Promise<ListedSandbox[]> {
    const [key, value] = label.split('=', 2) as [string, string | undefined];
    return [...this.live.values()]
      .filter((s) => Object.hasOwn(s.labels, key) && (value === undefined || s.labels[key] === value))
      .map((s) => ({ id: s.id, labels: s.labels, state: 'running' }));
  }

  async remove(id: string): Promise<void> {
    await this.live.get(id)?.remove();
  }

  async requireFreeSpace(): Promise<void> {}

  async setup(): Promise<number> {
    await this.health();
    return 0;
  }

  async recordImageUse(): Promise<void> {}

  async evictImages(): Promise<{ id: string; refs: string[] }[]> {
    return [];
  }
}

/** One PID namespace on this host, its init the dead-man `sleep`. */
class LocalSandbox implements BackendSandbox {
  readonly localKernel = true;
  private removed = false;

  private constructor(
    readonly id: string,
    readonly labels: Record<string, string>,
    private readonly holder: ChildProcess,
    private readonly initPid: number,
    readonly workdir: string,
    private readonly env: Record<string, string>,
    private readonly forget: () => void,
  ) {}

  static async start(spec: BackendSpec, forget: () => void): Promise<LocalSandbox> {
    // --kill-child: when the holder dies (harvester killed, remove()), the namespace's init
    // gets SIGKILL, and with it every process of the namespace.
    const holder = spawn('unshare', ['--pid', '--fork', '--mount-proc', '--kill-child', '--', 'sleep', String(spec.lifetimeS)], { stdio: 'ignore' });
    const initPid = await childOf(holder);
    const env = { PATH, ...spec.env };
    return new LocalSandbox(`unsandboxed-${randomBytes(6).toString('hex')}`, spec.labels, holder, initPid, resolve(spec.workdir), env, forget);
  }

  async spawn(argv: string[], options: SpawnOptions = {}): Promise<SandboxProcess> {
    const env: Record<string, string> = { ...this.env };
    for (const entry of options.env ?? []) {
      const at = entry.indexOf('=');
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
    const cwd = options.cwd ?? this.workdir;
    // --wd: entering the mount namespace (for its own /proc) would otherwise start at /.
    const child = spawn('nsenter', ['--target', String(this.initPid), '--pid', '--mount', `--wd=${cwd}`, '--', ...argv], {
      cwd,
      env,
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    return processOf(child);
  }

  async putFile(path: string, data: Buffer): Promise<void> {
    const within = relative(this.workdir, path);
    if (within.startsWith('..') || resolve(this.workdir, within) !== resolve(path)) {
      throw new InfrastructureError('WRITE_FAILED', `the unsandboxed backend writes only under its workdir ${this.workdir}, not ${path}`, { context: { path } });
    }
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
  }

  async pids(): Promise<PidFacts> {
    return { current: undefined };
  }

  async layerView(): Promise<LayerView | null> {
    return { upper: this.workdir, lowers: [], root: this.workdir };
  }

  async layerBytes(): Promise<number | undefined> {
    return undefined;
  }

  async state(): Promise<BackendState | null> {
    try {
      process.kill(this.initPid, 0);
      return { running: true, oomKilled: false };
    } catch {
      return null;
    }
  }

  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    this.forget();
    try {
      process.kill(this.initPid, 'SIGKILL');
    } catch {
      // gone already
    }
    this.holder.kill('SIGKILL');
    await rm(this.workdir, { recursive: true, force: true });
  }
}

/** The host PID of the process `unshare --fork` started (the namespace's PID 1). */
async function childOf(holder: ChildProcess): Promise<number> {
  for (let i = 0; i < 200; i += 1) {
    try {
      const children = readFileSync(`/proc/${holder.pid}/task/${holder.pid}/children`, 'latin1').trim();
      if (children) return Number(children.split(' ')[0]);
    } catch {
      // not yet
    }
    if (holder.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  holder.kill('SIGKILL');
  throw new InfrastructureError('SANDBOX_START', 'unshare did not start a PID namespace (the unsandboxed backend needs root, or user namespaces)');
}

/** A local child process as the port's SandboxProcess. */
function processOf(child: ChildProcess): SandboxProcess {
  let onData: ((stream: 1 | 2, chunk: Buffer) => void) | undefined;
  let onEnd: (() => void) | undefined;
  let open = 2;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd?.();
  };
  const exited = new Promise<number | null>((done) => child.on('close', (code, signal) => done(code ?? (signal ? 128 + (osSignal(signal) ?? 0) : null))));
  // As a backend that asks its engine: a process still running after a short wait has no exit code yet.
  const exitCode = () => Promise.race([exited, new Promise<null>((done) => setTimeout(() => done(null), 2_000).unref())]);
  child.stdout!.on('data', (chunk: Buffer) => onData?.(1, chunk));
  child.stderr!.on('data', (chunk: Buffer) => onData?.(2, chunk));
  for (const stream of [child.stdout!, child.stderr!]) {
    stream.on('end', () => { open -= 1; if (open === 0) end(); });
  }
  child.on('error', end);
  child.stdin?.on('error', () => undefined);
  return {
    write: (data) => { child.stdin?.write(data); },
    end: (data) => { child.stdin?.end(data); },
    onData: (listener) => { onData = listener; },
    onEnd: (listener) => {
      onEnd = listener;
      if (ended) listener();
    },
    exitCode,
    close: () => {
      child.stdout!.destroy();
      child.stderr!.destroy();
      child.stdin?.destroy();
      end();
    },
  };
}

function osSignal(name: NodeJS.Signals): number | undefined {
  return ({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGHUP: 1 } as Record<string, number>)[name];
}

export function createUnsandboxedBackend(): SandboxBackend {
  return new UnsandboxedBackend();
}
