import { accessSync, constants } from 'node:fs';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { AbortedError } from '../core/errors.js';
import type { BackendSandbox, BackendSpec, BackendState, EndFacts, EnforcedLimit, LayerView, PidFacts, SandboxProcess, SessionSocketDir, SpawnOptions } from '../sandbox/backend.js';
import type { Isolation } from '../trajectory/schema.js';
import { flavourOf, removeContainer, type EngineFlavour } from './flavour.js';
import { FrameDemuxer } from './frames.js';
import { deadmanConfig, isMissingPerl, knownPerl, rememberPerl, type DeadmanConfig } from './deadman.js';
import { CgroupPids } from './pids.js';
import { putFile, putFileInside } from './put-file.js';
import { makeSessionSocketDir, removeSessionSocketDir } from './session-socket.js';
import { planIsolation } from './isolation/container-isolation.js';
import { endGvisorLeftovers } from './isolation/gvisor-leftovers.js';

/** Capabilities a root shell needs for ordinary work (files, users, apt); everything else is dropped. */
const CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETFCAP', 'NET_BIND_SERVICE'];

/**
 * Create and start a container for a sandbox: limits, labels, no network unless asked,
 * capabilities dropped, and a dead-man main process after which the engine removes the
 * container: PID 1 itself where the image has perl (immune to the agent, reaping orphans),
 * else tini reaping and `sleep` as its child (see deadman.ts). The isolation the limits ask
 * for (runtime, kernel disk bounds) is applied here (isolation/container-isolation.ts);
 * nothing of a failed start is left behind.
 */
export async function startContainer(docker: Docker, spec: BackendSpec, flavour: EngineFlavour = flavourOf(docker)): Promise<DockerContainer> {
  const perl = knownPerl(spec.image);
  try {
    const box = await createAndStart(docker, spec, flavour, deadmanConfig(spec.lifetimeS, perl ?? true));
    if (perl === undefined) rememberPerl(spec.image, true);
    return box;
  } catch (error) {
    // The first sandbox of an image without perl: made again with tini and `sleep`.
    if (perl === undefined && isMissingPerl(error)) {
      rememberPerl(spec.image, false);
      return startContainer(docker, spec, flavour);
    }
    throw error;
  }
}

/** Create the container with its isolation and dead-man and start it; whatever fails, nothing of it is left. */
async function createAndStart(docker: Docker, spec: BackendSpec, flavour: EngineFlavour, deadman: DeadmanConfig): Promise<DockerContainer> {
  const mb = spec.limits.memory_mb * 1024 * 1024;
  const onThisHost = Boolean((docker.modem as { socketPath?: unknown }).socketPath);
  const isolation = await planIsolation(docker, spec, onThisHost);
  // The session's streams over a socket on this host where the engine shares its file
  // system with us (the condition of the host layer reader); gVisor refuses to connect to a
  // host socket (EPERM with runsc 20221219), so it keeps the attach.
  let socket = onThisHost && flavour.hostLayer && !isolation.gvisor ? await makeSessionSocketDir() : undefined;
  const release = async () => {
    if (socket) await removeSessionSocketDir(socket.dir).catch(() => undefined);
    await isolation.release();
  };
  const create = () => {
    const mounts = [...(isolation.hostConfig.Mounts ?? []), ...(socket ? [socket.mount] : [])];
    return docker.createContainer({
      Image: spec.image,
      Entrypoint: deadman.Entrypoint,
      Cmd: deadman.Cmd,
      Hostname: spec.hostname,
      WorkingDir: spec.workdir,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      User: '0',
      Labels: spec.labels,
      NetworkDisabled: spec.limits.network === 'none',
      StopTimeout: 1,
      HostConfig: {
        AutoRemove: true,
        Init: deadman.Init,
        NetworkMode: spec.limits.network,
        Memory: mb,
        MemorySwap: mb,
        NanoCpus: Math.round(spec.limits.cpus * 1e9),
        PidsLimit: spec.limits.pids,
        CapDrop: ['ALL'],
        CapAdd: CAPABILITIES,
        SecurityOpt: ['no-new-privileges'],
        ...isolation.hostConfig,
        ...(mounts.length ? { Mounts: mounts } : {}),
      },
    });
  };
  let container: Docker.Container;
  try {
    container = await create().catch(async (error: unknown) => {
      // An engine behind a local socket that is not on this host (a forwarded socket)
      // cannot bind our directory: the session keeps the attach.
      if (!socket || !String((error as Error).message).includes(socket.dir.hostDir)) throw error;
      await removeSessionSocketDir(socket.dir).catch(() => undefined);
      socket = undefined;
      return create();
    });
  } catch (error) {
    await release();
    throw error;
  }
  const box = new DockerContainer(docker, container, flavour, { onThisHost, gvisor: isolation.gvisor, unobserved: isolation.unobserved, facts: isolation.facts, agentProcessLimit: isolation.agentProcessLimit, release, sessionSocket: socket?.dir });
  try {
    if (spec.signal?.aborted) throw new AbortedError();
    await container.start();
    // Into the running container: a mount the engine makes at start (a tmpfs volume) is only there now.
    await isolation.fill(container);
    await isolation.started();
  } catch (error) {
    await box.remove().catch(() => undefined);
    throw error;
  }
  return box;
}

/** What the container's isolation means for reading it. */
export interface ContainerIsolation {
  /** The engine runs on this host: its cgroup and overlay files are readable here (as root). */
  onThisHost: boolean;
  /** gVisor: the sandbox has a kernel of its own (its /proc, its clock, its process count). */
  gvisor: boolean;
  /** Paths whose writes are not in the writable layer. */
  unobserved: string[];
  facts?: Omit<Isolation, 'state_reader'>;
  /** The agent's process limit when it is held below the sandbox's (gVisor: RLIMIT_NPROC with a reserve). */
  agentProcessLimit?: number;
  /** Undo what the start made outside the engine (a loop disk not yet handed over, the session socket directory). */
  release?: () => Promise<void>;
  /** The session socket directory bound into the container, for its first session. */
  sessionSocket?: SessionSocketDir;
}

/** One container, the Docker side of the sandbox port. */
export class DockerContainer implements BackendSandbox {
  readonly localKernel: boolean;
  readonly isolation: Omit<Isolation, 'state_reader'> | undefined;
  readonly agentProcessLimit: number | undefined;
  private pidFiles: Promise<CgroupPids | undefined> | undefined;
  /** When it was made (seconds): where its events start. */
  private readonly created = Math.floor(Date.now() / 1000) - 1;
  private readonly how: ContainerIsolation;

  constructor(
    private readonly docker: Docker,
    readonly container: Docker.Container,
    private readonly flavour: EngineFlavour,
    how?: ContainerIsolation,
  ) {
    this.how = how ?? { onThisHost: Boolean((docker.modem as { socketPath?: unknown }).socketPath), gvisor: false, unobserved: [] };
    // Under gVisor the sandbox's clock and /proc are its own kernel's, not this host's.
    this.localKernel = this.how.onThisHost && !this.how.gvisor;
    this.isolation = this.how.facts;
    this.agentProcessLimit = this.how.agentProcessLimit;
  }

  get id(): string {
    return this.container.id;
  }

  takeSessionSocket(): SessionSocketDir | undefined {
    const dir = this.how.sessionSocket;
    this.how.sessionSocket = undefined;
    return dir;
  }

  get pidsCountedInside(): boolean {
    return this.how.gvisor;
  }

  get unenforcedLimits(): readonly EnforcedLimit[] {
    return this.flavour.unenforcedLimits;
  }

  async spawn(argv: string[], options: SpawnOptions = {}): Promise<SandboxProcess> {
    const exec = await this.container.exec({
      Cmd: argv,
      AttachStdin: options.stdin === true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      Env: options.env,
      WorkingDir: options.cwd,
      User: options.user,
    });
    const stream = (await exec.start({ hijack: true, stdin: options.stdin === true })) as unknown as Duplex;
    return attachedProcess(exec, stream);
  }

  putFile(path: string, data: Buffer, options: { signal?: AbortSignal } = {}): Promise<void> {
    // gVisor does not see what the archive endpoint writes under it (its /tmp, files it has read).
    return this.how.gvisor ? putFileInside(this, path, data, options) : putFile(this.container, path, data, options);
  }

  async pids(): Promise<PidFacts> {
    // gVisor's host cgroup holds its own kernel's threads and stubs, several per sandbox
    // process: only the sandbox's /proc counts its processes.
    if (this.how.gvisor) return { current: await countSandboxProcesses(this) };
    this.pidFiles ??= Promise.resolve(this.localKernel ? CgroupPids.find(this.flavour.cgroupDirs(this.id)) : undefined);
    const files = await this.pidFiles;
    if (files) return files.read();
    try {
      const stats = (await this.container.stats({ stream: false, 'one-shot': true } as { stream: false })) as { pids_stats?: { current?: number } };
      return { current: stats.pids_stats?.current };
    } catch {
      return { current: undefined };
    }
  }

  async layerView(): Promise<LayerView | null> {
    if (!this.how.onThisHost || !this.flavour.hostLayer) return null;
    const info = await this.container.inspect();
    const view = readableLayer(info.GraphDriver as { Name?: string; Data?: Record<string, string> | null } | undefined, this.flavour.overlayDriver);
    return view && this.how.unobserved.length ? { ...view, unobserved: [...this.how.unobserved] } : view;
  }

  async layerBytes(): Promise<number | undefined> {
    try {
      const info = (await this.container.inspect({ size: true } as object)) as { SizeRw?: number };
      return info.SizeRw;
    } catch {
      return undefined;
    }
  }

  get lendPids(): BackendSandbox['lendPids'] {
    const setLimit = this.flavour.setPidsLimit;
    if (!setLimit) return undefined;
    return async (extra: number) => {
      const info = await this.container.inspect();
      const limit = info.HostConfig.PidsLimit;
      if (!limit || limit <= 0) return async () => undefined;
      await setLimit(this.docker, this.id, limit + extra);
      return async () => {
        await setLimit(this.docker, this.id, limit).catch(() => undefined);
      };
    };
  }

  async freeze(): Promise<void> {
    await this.container.pause();
  }

  async thaw(): Promise<void> {
    await this.container.unpause().catch((error: { statusCode?: number }) => {
      // 409: not paused (any more); 404: gone.
      if (error.statusCode !== 409 && error.statusCode !== 404) throw error;
    });
  }

  get killFromHost(): BackendSandbox['killFromHost'] {
    if (!this.localKernel) return undefined;
    return async (spare: number[]) => {
      this.pidFiles ??= Promise.resolve(CgroupPids.find(this.flavour.cgroupDirs(this.id)));
      const files = await this.pidFiles;
      if (!files) return 0;
      const killed = new Set<number>();
      // Twice: what forked between the listing and the kills is caught by the second round.
      for (let round = 0; round < 2; round += 1) {
        for (const { host, inner } of files.processes()) {
          if (inner === 1 || spare.includes(inner) || killed.has(host)) continue;
          try {
            process.kill(host, 'SIGKILL');
            killed.add(host);
          } catch {
            // exited meanwhile
          }
        }
      }
      return killed.size;
    };
  }

  async state(): Promise<BackendState | null> {
    const info = await this.container.inspect().catch(() => undefined);
    if (!info) return null;
    return { running: info.State.Running && !info.State.Restarting, oomKilled: info.State.OOMKilled === true };
  }

  /**
   * The engine's events for this container since it was made: a `kill`, `stop` or `destroy`
   * asked through the API before it died means from outside; a `die` with none means its
   * main process ended by itself.
   */
  async endFacts(): Promise<EndFacts> {
    const events = await containerEvents(this.docker, this.id, this.created).catch(() => null);
    if (!events) return { byRequest: undefined, oom: false };
    const oom = events.some((e) => e.Action === 'oom');
    const died = events.findIndex((e) => e.Action === 'die');
    const asked = events.findIndex((e) => e.Action === 'kill' || e.Action === 'stop' || e.Action === 'destroy');
    if (died < 0) return { byRequest: asked >= 0 ? true : undefined, oom };
    return { byRequest: asked >= 0 && asked < died, oom };
  }

  async remove(): Promise<void> {
    try {
      await removeContainer(this.docker, this.id, this.flavour);
    } finally {
      (await this.pidFiles)?.close();
      this.pidFiles = Promise.resolve(undefined);
      await this.how.release?.();
      // A gVisor sandbox that failed to start can leave its sandbox and gofer processes
      // (and its shim) behind, unlisted by the engine: find them by the id, end them by pid.
      if (this.how.gvisor && this.how.onThisHost) await endGvisorLeftovers(this.id).catch(() => undefined);
    }
  }
}

/** The processes a gVisor sandbox holds, counted in its own /proc by bash builtins (no fork, so it runs at the limit). */
async function countSandboxProcesses(box: DockerContainer): Promise<number | undefined> {
  try {
    const proc = await box.spawn(['/bin/bash', '--noprofile', '--norc', '-c', 'p=(/proc/[0-9]*); printf %d "${#p[@]}"']);
    let out = '';
    proc.onData((stream, chunk) => { if (stream === 1 && out.length < 32) out += chunk.toString('latin1'); });
    // A sandbox too busy to answer within the bound is counted as unknown, not waited on.
    const ended = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      proc.onEnd(() => { clearTimeout(timer); resolve(true); });
    });
    if (!ended) {
      proc.close();
      return undefined;
    }
    const n = Number.parseInt(out, 10);
    // The counter itself is one of them.
    return Number.isFinite(n) ? Math.max(0, n - 1) : undefined;
  } catch {
    return undefined;
  }
}

/** A process of an exec attach: stdout and stderr decoded from Docker's frames, its exit code from inspect. */
function attachedProcess(exec: Docker.Exec, stream: Duplex): SandboxProcess {
  let onData: ((stream: 1 | 2, chunk: Buffer) => void) | undefined;
  let onEnd: (() => void) | undefined;
  let ended = false;
  const demux = new FrameDemuxer((type, payload) => onData?.(type, payload));
  stream.on('data', (chunk: Buffer) => demux.push(chunk));
  const end = () => {
    if (ended) return;
    ended = true;
    onEnd?.();
  };
  stream.on('end', end);
  stream.on('close', end);
  stream.on('error', end);
  return {
    write: (data) => { stream.write(data); },
    end: (data) => {
      // A reader that stops early (or a killed one) closes the pipe: that is not our error.
      stream.on('error', () => undefined);
      stream.end(data);
    },
    onData: (listener) => { onData = listener; },
    onEnd: (listener) => {
      onEnd = listener;
      if (ended) listener();
    },
    exitCode: async () => {
      for (let i = 0; i < 40; i += 1) {
        const info = await exec.inspect().catch(() => undefined);
        if (!info) return null;
        if (!info.Running) return info.ExitCode ?? null;
        await new Promise((r) => setTimeout(r, 10 + i * 2));
      }
      return null;
    },
    close: () => {
      stream.end();
      stream.destroy();
    },
  };
}

/** One of the engine's events, as much as endFacts reads of it. */
interface EngineEvent {
  Action?: string;
}

/** The engine's events for one container from `since` (seconds) until now; bounded, timed out. */
async function containerEvents(docker: Docker, id: string, since: number): Promise<EngineEvent[]> {
  const stream = (await docker.getEvents({ since, until: Math.ceil(Date.now() / 1000), filters: JSON.stringify({ container: [id] }) })) as unknown as NodeJS.ReadableStream & { destroy?: () => void };
  const events: EngineEvent[] = [];
  let text = '';
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => { stream.destroy?.(); resolve(); }, 10_000);
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const lines = text.split('\n');
      text = lines.pop() ?? '';
      for (const line of lines) {
        if (events.length < 1000 && line.trim()) {
          try { events.push(JSON.parse(line) as EngineEvent); } catch { /* not an event: skip */ }
        }
      }
      if (text.length > 1 << 20) text = '';
    });
    stream.on('end', () => {
      clearTimeout(timer);
      try { if (text.trim()) events.push(JSON.parse(text) as EngineEvent); } catch { /* a cut line: skip */ }
      resolve();
    });
    stream.on('error', () => { clearTimeout(timer); resolve(); });
  });
  return events;
}

/** The container's overlay directories when the driver is overlay and this process can read them, else null. */
export function readableLayer(graphDriver: { Name?: string; Data?: Record<string, string> | null } | undefined, driver = 'overlay2'): LayerView | null {
  if (graphDriver?.Name !== driver || !graphDriver.Data?.UpperDir) return null;
  const upper = graphDriver.Data.UpperDir;
  const lowers = (graphDriver.Data.LowerDir ?? '').split(':').filter(Boolean);
  try {
    accessSync(upper, constants.R_OK | constants.X_OK);
    for (const lower of lowers) accessSync(lower, constants.R_OK | constants.X_OK);
  } catch {
    return null;
  }
  return { upper, lowers };
}
