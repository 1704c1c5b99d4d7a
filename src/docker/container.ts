import { accessSync, constants } from 'node:fs';
import type { Duplex } from 'node:stream';
import type Docker from 'dockerode';
import { AbortedError } from '../core/errors.js';
import type { BackendSandbox, BackendSpec, BackendState, EnforcedLimit, LayerView, PidFacts, SandboxProcess, SpawnOptions } from '../sandbox/backend.js';
import { flavourOf, type EngineFlavour } from './flavour.js';
import { FrameDemuxer } from './frames.js';
import { CgroupPids } from './pids.js';
import { putFile } from './put-file.js';

/** Capabilities a root shell needs for ordinary work (files, users, apt); everything else is dropped. */
const CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETFCAP', 'NET_BIND_SERVICE'];

/**
 * Create and start a container for a sandbox: limits, labels, no network unless asked,
 * capabilities dropped, tini as PID 1 reaping orphans, and a dead-man main process
 * (`sleep` for the sandbox's lifetime) after which the engine removes the container.
 */
export async function startContainer(docker: Docker, spec: BackendSpec, flavour: EngineFlavour = flavourOf(docker)): Promise<DockerContainer> {
  const mb = spec.limits.memory_mb * 1024 * 1024;
  const container = await docker.createContainer({
    Image: spec.image,
    Entrypoint: ['sleep'],
    Cmd: [String(spec.lifetimeS)],
    Hostname: spec.hostname,
    WorkingDir: spec.workdir,
    Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    User: '0',
    Labels: spec.labels,
    NetworkDisabled: spec.limits.network === 'none',
    StopTimeout: 1,
    HostConfig: {
      AutoRemove: true,
      Init: true,
      NetworkMode: spec.limits.network,
      Memory: mb,
      MemorySwap: mb,
      NanoCpus: Math.round(spec.limits.cpus * 1e9),
      PidsLimit: spec.limits.pids,
      CapDrop: ['ALL'],
      CapAdd: CAPABILITIES,
      SecurityOpt: ['no-new-privileges'],
    },
  });
  const box = new DockerContainer(docker, container, flavour);
  try {
    if (spec.signal?.aborted) throw new AbortedError();
    await container.start();
  } catch (error) {
    await box.remove().catch(() => undefined);
    throw error;
  }
  return box;
}

/** One container, the Docker side of the sandbox port. */
export class DockerContainer implements BackendSandbox {
  readonly localKernel: boolean;
  private pidFiles: Promise<CgroupPids | undefined> | undefined;

  constructor(
    private readonly docker: Docker,
    readonly container: Docker.Container,
    private readonly flavour: EngineFlavour,
  ) {
    this.localKernel = Boolean((docker.modem as { socketPath?: unknown }).socketPath);
  }

  get id(): string {
    return this.container.id;
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
    return putFile(this.container, path, data, options);
  }

  async pids(): Promise<PidFacts> {
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
    if (!this.localKernel || !this.flavour.hostLayer) return null;
    const info = await this.container.inspect();
    return readableLayer(info.GraphDriver as { Name?: string; Data?: Record<string, string> | null } | undefined, this.flavour.overlayDriver);
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

  async state(): Promise<BackendState | null> {
    const info = await this.container.inspect().catch(() => undefined);
    if (!info) return null;
    return { running: info.State.Running && !info.State.Restarting, oomKilled: info.State.OOMKilled === true };
  }

  async remove(): Promise<void> {
    await this.container.remove({ force: true }).catch((error: { statusCode?: number }) => {
      // 404: already gone; 409: the engine's auto-remove is already under way.
      if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
    });
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
