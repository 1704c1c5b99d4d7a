import type Docker from 'dockerode';
import type { Logger } from 'pino';
import type { ImageRequest, PrepareImageOptions, ProviderSetupOptions, ProvidedSandbox, ReapOptions, ReapedSandbox, SandboxProvider, SandboxSpec } from '../core/contracts.js';
import { requireEngineFreeSpace } from './disk-guard.js';
import { dockerVersion, engine, pingEngine, requireEngine } from './engine.js';
import { reapOrphans } from './reaper.js';
import { DockerSandbox, type DockerSandboxOptions } from './sandbox.js';
import type { LoadedTask } from '../task/load.js';
import { evictImages } from './images/evict.js';
import { findImage } from './images/find-image.js';
import { recordImageUse } from './images/image-use.js';
import { setupDocker } from './setup/setup.js';
import { resolveTaskImage, type TaskImage } from './images/task-image.js';

export interface DockerProviderOptions {
  /** The engine to talk to (default: the one DOCKER_HOST names, else the local socket). */
  docker?: Docker;
  /** How per-step state is read (default FORAGER_STATE_READER, else `auto`). */
  stateReader?: DockerSandboxOptions['stateReader'];
}

/**
 * Docker as a sandbox provider: containers with a dead-man and exec-attached bash sessions
 * (src/sandbox/docker/), images built and cached here (src/images/). It lives with the
 * images because preparing an image needs the task (images -> task), which sandbox/ may not import.
 */
export class DockerProvider implements SandboxProvider {
  readonly name = 'docker';
  private readonly docker: Docker | undefined;

  constructor(private readonly options: DockerProviderOptions = {}) {
    this.docker = options.docker;
  }

  private get client(): Docker {
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

  prepareImage(task: ImageRequest & LoadedTask, options: PrepareImageOptions = {}): Promise<TaskImage> {
    return resolveTaskImage(task, { ...options, docker: this.client });
  }

  findImage(refOrId: string): Promise<{ id: string; tags: string[] } | null> {
    return findImage(refOrId, this.client);
  }

  start(spec: SandboxSpec): Promise<ProvidedSandbox> {
    return DockerSandbox.start({ ...spec, docker: this.client, stateReader: this.options.stateReader });
  }

  reap(options: ReapOptions = {}): Promise<ReapedSandbox[]> {
    return reapOrphans({ ...options, docker: this.client });
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

export function createDockerProvider(options: DockerProviderOptions = {}): SandboxProvider {
  return new DockerProvider(options);
}
