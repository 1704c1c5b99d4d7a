import { rm } from 'node:fs/promises';
import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { BackendOptions, BackendSandbox, BackendSpec, LeftoverLine, ListedSandbox, SandboxBackend } from '../sandbox/backend.js';
import type { ImageRequest, PrepareImageOptions, ProviderSetupOptions } from '../sandbox/contracts.js';
import { startContainer } from './container.js';
import { flavourOf, removeContainer, type EngineFlavour } from './flavour.js';
import { requireEngineFreeSpace } from './disk-guard.js';
import { withEngineErrors } from './engine-errors.js';
import { reapGvisorOrphans } from './isolation/gvisor-leftovers.js';
import { reapLoopDisks } from './isolation/loop-disk.js';
import { containerSocketDir, reapSessionSocketDirs } from './session-socket.js';
import { dockerVersion, engine, pingEngine, requireEngine } from './engine.js';
import { evictImages } from './images/evict.js';
import { findImage } from './images/find-image.js';
import { recordImageUse } from './images/image-use.js';
import { resolveTaskImage, type TaskImage } from './images/task-image.js';
import { setupDocker } from './setup/setup.js';

export interface DockerBackendOptions extends BackendOptions {
  /** The engine to talk to (default: the one DOCKER_HOST names, else the local socket). */
  docker?: Docker;
  /** Engine facts (default: the flavour the client carries, Docker's unless marked). */
  flavour?: EngineFlavour;
}

/**
 * Docker as a sandbox backend: containers with a dead-man, processes through exec
 * attaches, PID and layer facts from the host's cgroup and overlay directories, images
 * built and cached by content.
 */
export class DockerBackend implements SandboxBackend {
  readonly name: string = 'docker';
  private readonly docker: Docker | undefined;
  private readonly flavour: EngineFlavour | undefined;

  constructor(options: DockerBackendOptions = {}) {
    this.docker = options.docker;
    this.flavour = options.flavour;
  }

  protected get client(): Docker {
    return this.docker ?? engine();
  }

  ping(timeoutMs?: number): Promise<boolean> {
    return pingEngine(this.client, timeoutMs);
  }

  async health(): Promise<void> {
    await requireEngine(this.client);
  }

  version(): Promise<string | undefined> {
    // The per-process cache belongs to the shared client; another engine is asked each time.
    return this.docker ? this.docker.version().then((v) => v.Version, () => undefined) : dockerVersion();
  }

  prepareImage(task: ImageRequest, options: PrepareImageOptions = {}): Promise<TaskImage> {
    return resolveTaskImage(task, { ...options, docker: this.client });
  }

  findImage(refOrId: string): Promise<{ id: string; tags: string[] } | null> {
    return findImage(refOrId, this.client);
  }

  async create(spec: BackendSpec): Promise<BackendSandbox> {
    return withEngineErrors(await startContainer(this.client, spec, this.flavour ?? flavourOf(this.client)));
  }

  async list(label: string): Promise<ListedSandbox[]> {
    const containers = await this.client.listContainers({ all: true, filters: { label: [label] } });
    return containers.map((c) => ({ id: c.Id, labels: c.Labels, state: c.State }));
  }

  async remove(id: string): Promise<void> {
    const socketDir = await containerSocketDir(this.client, id);
    await removeContainer(this.client, id, this.flavour ?? flavourOf(this.client));
    // Its harvester, which would have removed it with the container, is gone.
    if (socketDir) await rm(socketDir, { recursive: true, force: true });
  }

  async reapLeftovers(options: { dryRun: boolean; isOwnerAlive: (pid: number, start: string) => boolean }): Promise<LeftoverLine[]> {
    const lines: LeftoverLine[] = (await reapLoopDisks(options.isOwnerAlive, options.dryRun)).map((name) => `loop disk ${name} (its harvester is gone)`);
    for (const name of await reapSessionSocketDirs(this.client, options.isOwnerAlive, options.dryRun)) lines.push(`session socket directory ${name} (its harvester is gone)`);
    // gVisor's host processes are this host's: only an engine on this host (a local socket)
    // can have left them, and only those whose bundle names its data root are its own.
    if (!(this.client.modem as { socketPath?: unknown }).socketPath) return lines;
    const known = new Set((await this.client.listContainers({ all: true })).map((c) => c.Id));
    const root = ((await this.client.info()) as { DockerRootDir?: string }).DockerRootDir;
    if (!root) return lines;
    const sweep = await reapGvisorOrphans(known, root, options.dryRun);
    for (const p of sweep.orphans) lines.push(`gVisor ${p.program} pid ${p.pid} of container ${p.containerId.slice(0, 12)}, which the engine no longer lists`);
    for (const p of sweep.unattributed) lines.push({ what: `gVisor ${p.program} pid ${p.pid} of container ${p.containerId.slice(0, 12)}`, keptBecause: "left alone: its bundle is gone, so which engine's it is cannot be told" });
    return lines;
  }

  async requireFreeSpace(minFreeBytes: number): Promise<void> {
    await requireEngineFreeSpace(minFreeBytes, this.client);
  }

  setup(options: ProviderSetupOptions): Promise<number> {
    return setupDocker(options);
  }

  recordImageUse(refs: Iterable<string>): Promise<void> {
    return recordImageUse(refs);
  }

  evictImages(options: { budgetBytes: number; log?: Logger }): Promise<{ id: string; refs: string[] }[]> {
    return evictImages({ ...options, docker: this.client });
  }
}

export function createDockerBackend(options: DockerBackendOptions = {}): SandboxBackend {
  return withEngineErrors(new DockerBackend(options));
}
