import { hostname } from 'node:os';
import type { SandboxBackend } from './backend.js';
import type { ImageRequest, IsolationChoice, PreparedImage, PrepareImageOptions, ProviderSetupOptions, ProvidedSandbox, ReapedSandbox, ReapOptions, SandboxProvider, SandboxSpec } from './contracts.js';
import { LABEL_RUN, LABEL_TASK, processStartTime } from './labels.js';
import { decideReap, type ReapContext } from './reap-decision.js';
import { RuntimeSandbox, type RuntimeOptions } from './runtime-sandbox.js';

/** The runtime over one backend: what everything above the sandbox layer is handed. */
export class RuntimeProvider implements SandboxProvider {
  constructor(
    readonly backend: SandboxBackend,
    private readonly options: RuntimeOptions = {},
  ) {}

  get name(): string {
    return this.backend.name;
  }

  get isolation(): IsolationChoice | undefined {
    return this.options.isolation;
  }

  ping(timeoutMs?: number): Promise<boolean> {
    return this.backend.ping(timeoutMs);
  }

  health(): Promise<void> {
    return this.backend.health();
  }

  version(): Promise<string | undefined> {
    return this.backend.version();
  }

  prepareImage(task: ImageRequest, options?: PrepareImageOptions): Promise<PreparedImage> {
    return this.backend.prepareImage(task, options);
  }

  findImage(refOrId: string): Promise<{ id: string; tags: string[] } | null> {
    return this.backend.findImage(refOrId);
  }

  start(spec: SandboxSpec): Promise<ProvidedSandbox> {
    // Limits that name a runtime or mounts (a task's, a recorded run's) keep them; the rest take the operator's.
    const limits = { ...dropUndefined(this.options.isolation ?? {}), ...dropUndefined(spec.limits) } as SandboxSpec['limits'];
    return RuntimeSandbox.start(this.backend, { ...spec, limits }, this.options);
  }

  /** Remove every sandbox whose owning harvester is gone; never one of a live run. */
  async reap(options: ReapOptions & { context?: Partial<ReapContext> } = {}): Promise<ReapedSandbox[]> {
    const context: ReapContext = { host: hostname(), nowS: Math.floor(Date.now() / 1000), startTimeOf: processStartTime, ...options.context };
    const listed = await this.backend.list(options.runId ? `${LABEL_RUN}=${options.runId}` : LABEL_RUN);
    const out: ReapedSandbox[] = [];
    for (const sandbox of listed) {
      const decision = decideReap(sandbox.labels, context);
      const entry = { id: sandbox.id, runId: sandbox.labels[LABEL_RUN] ?? '', taskId: sandbox.labels[LABEL_TASK] ?? '', state: sandbox.state, orphan: decision.remove, removed: false, reason: decision.reason };
      if (decision.remove && !options.dryRun) {
        await this.backend.remove(sandbox.id);
        entry.removed = true;
      }
      out.push(entry);
    }
    // Only what this host's dead harvesters left: a live one's disks and starts are its own.
    const alive = (pid: number, start: string) => context.host === hostname() && context.startTimeOf(pid) === start;
    for (const line of (await this.backend.reapLeftovers?.({ dryRun: options.dryRun === true, isOwnerAlive: alive })) ?? []) {
      if (typeof line === 'string') out.push({ id: line, runId: '', taskId: '', state: 'leftover', orphan: true, removed: options.dryRun !== true, reason: 'left outside the engine by a sandbox whose harvester is gone' });
      else out.push({ id: line.what, runId: '', taskId: '', state: 'leftover', orphan: false, removed: false, reason: line.keptBecause });
    }
    return out;
  }

  requireFreeSpace(minFreeBytes: number): Promise<void> {
    return this.backend.requireFreeSpace(minFreeBytes);
  }

  setup(options: ProviderSetupOptions): Promise<number> {
    return this.backend.setup(options);
  }

  recordImageUse(refs: Iterable<string>): Promise<void> {
    return this.backend.recordImageUse(refs);
  }

  evictImages(options: { budgetBytes: number; log?: import('pino').Logger }): Promise<{ id: string; refs: string[] }[]> {
    return this.backend.evictImages(options);
  }
}

/** A provider: the backend-neutral runtime over `backend`. */
export function createSandboxProvider(backend: SandboxBackend, options: RuntimeOptions = {}): SandboxProvider {
  return new RuntimeProvider(backend, options);
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
