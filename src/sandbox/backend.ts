import type { Isolation, Limits } from '../trajectory/schema.js';
import type { EnforcedLimit, ImageRequest, PreparedImage, PrepareImageOptions, ProviderSetupOptions } from './contracts.js';

export type { EnforcedLimit } from './contracts.js';

/*
 * The port a sandbox backend implements (SWE-ReX's deployment side): start and remove a
 * sandbox, start a process in it, put a file, and report facts the kernel keeps about it
 * (PIDs, the writable layer). Everything per step — the session protocol, kills, fork-bomb
 * clearing, the disk watch, state reading, building observations — is the backend-neutral
 * runtime in this folder, written against this port and nothing else.
 */


/** Options every backend takes from the registry (the CLI's choices). */
export interface BackendOptions {
  /**
   * Start sandboxes even where the backend cannot enforce some limits (rootless Podman on
   * cgroup v1); the sandbox then names them (`unenforcedLimits`) and the trajectory header records them.
   */
  allowUnenforcedLimits?: boolean;
}

/** What a backend starts: one sandbox with its limits, labels and dead-man. */
export interface BackendSpec {
  image: string;
  workdir: string;
  env: Record<string, string>;
  hostname: string;
  limits: Limits;
  /** Carried by the sandbox, so it is findable by run and owner (reaping). */
  labels: Record<string, string>;
  /**
   * Seconds after which the sandbox ends by itself, whatever happens to the harvester:
   * its main process (the dead-man) exits then and the backend removes the sandbox.
   */
  lifetimeS: number;
  signal?: AbortSignal;
}

/** How a process is started in a sandbox, outside any session. */
export interface SpawnOptions {
  /** `NAME=value` entries added to the sandbox's environment. */
  env?: string[];
  cwd?: string;
  user?: string;
  /** Keep the process's stdin open for `write` (otherwise it reads nothing). */
  stdin?: boolean;
}

/** A process started in a sandbox: its streams in order, its end and its exit code. */
export interface SandboxProcess {
  write(data: string | Buffer): void;
  /** Close stdin (after writing `data`). */
  end(data?: Buffer): void;
  /** Each chunk of stdout (1) or stderr (2), in order; one listener. */
  onData(listener: (stream: 1 | 2, chunk: Buffer) => void): void;
  /** Called once, when both streams have ended (the process exited or was killed). */
  onEnd(listener: () => void): void;
  /** The exit code once the process has ended; null when the backend cannot tell. */
  exitCode(): Promise<number | null>;
  /** Stop reading; the process itself is not signalled. */
  close(): void;
}

/** What the kernel says of a sandbox's processes. */
export interface PidFacts {
  /** Processes (tasks) the sandbox holds now, zombies included. */
  current: number | undefined;
  /** How many times a fork failed at the PID limit since the sandbox started (cgroup `pids.events` max), when known. */
  limitHits?: number;
}

/** A sandbox's writable layer as this host sees it: the overlay upper directory and the image's layers below. */
export interface LayerView {
  upper: string;
  lowers: string[];
  /** Where `upper` is seen inside the sandbox (default `/`: the upper directory is the sandbox's root). */
  root?: string;
  /**
   * Paths whose writes are not in the upper directory (size-limited mounts, a runtime's own
   * tmpfs): the runtime lists them by a separate process. `/` when nothing reaches the layer.
   */
  unobserved?: string[];
}

/** What a backend says of a sandbox's state; null from `state()` means it is gone. */
export interface BackendState {
  running: boolean;
  oomKilled: boolean;
}

/** Why a sandbox that no longer runs stopped, by the backend's own records (never by timing). */
export interface EndFacts {
  /**
   * true: someone asked the backend to stop, kill or remove it (the harvester, `forager gc`,
   * an operator); false: its main process ended by itself (from inside the sandbox);
   * undefined: the backend's records no longer say.
   */
  byRequest: boolean | undefined;
  /** The kernel killed something in it for memory. */
  oom: boolean;
}

/** One running sandbox, backend side. */
export interface BackendSandbox {
  readonly id: string;
  /** The sandbox shares this harvester's kernel: its clock and /proc facts can be read from the host. */
  readonly localKernel: boolean;
  /** Limits of the spec this sandbox runs without (only when the operator accepted that); empty when all are enforced. */
  readonly unenforcedLimits?: readonly EnforcedLimit[];
  /**
   * The most processes the agent's session and what it starts may hold, when the backend
   * holds them below the sandbox's own limit (a per-user limit set in the session) so that
   * forager's own processes (kill scripts, listings) can always start. Absent: `limits.pids`.
   */
  readonly agentProcessLimit?: number;
  /** How the backend isolated it (runtime, kernel, what bounds its disk), when it can say. */
  readonly isolation?: Omit<Isolation, 'state_reader'>;
  spawn(argv: string[], options?: SpawnOptions): Promise<SandboxProcess>;
  /** Write one file's exact bytes, parents made, with no process in the sandbox. */
  putFile(path: string, data: Buffer, options?: { signal?: AbortSignal }): Promise<void>;
  pids(): Promise<PidFacts>;
  /**
   * `pids()` has to start a process in the sandbox to count (gVisor: the host's cgroup holds
   * the runtime's own threads): a caller with a process already running there counts with it.
   */
  readonly pidsCountedInside?: boolean;
  /** The writable layer as the host sees it, or null when this process cannot read it. */
  layerView(): Promise<LayerView | null>;
  /** The writable layer's size as the backend counts it (when there is no host view), or undefined. */
  layerBytes(): Promise<number | undefined>;
  /**
   * Raise the PID limit by `extra` for harness work while every PID is taken; resolves to
   * a function that restores it. Absent when the backend cannot change a live limit.
   */
  lendPids?(extra: number): Promise<() => Promise<void>>;
  state(): Promise<BackendState | null>;
  /** Why it stopped, once it has (absent where the backend keeps no such record). */
  endFacts?(): Promise<EndFacts>;
  /** Stop every process of the sandbox at once (cgroup freezer), and let them go on. Absent when the backend cannot. */
  freeze?(): Promise<void>;
  thaw?(): Promise<void>;
  /**
   * SIGKILL every process of the sandbox but PID 1 and `spare` (sandbox PIDs) from the host,
   * by the kernel's list of the sandbox's processes: no process in the sandbox is needed, so
   * it works with every PID taken. Absent unless the sandbox shares this host's kernel.
   */
  killFromHost?(spare: number[]): Promise<number>;
  /**
   * The session socket directory, handed out once (to the first session, which opens
   * before any agent code runs); undefined afterwards, and where the backend has none
   * (a remote engine, gVisor, which refuses to connect to a host socket).
   */
  takeSessionSocket?(): SessionSocketDir | undefined;
  /** Remove the sandbox; safe to call twice and after the backend removed it itself. */
  remove(): Promise<void>;
}

/**
 * A private directory on this host (0700) that the backend bound into the sandbox
 * read-only: the harvester listens there and the session helper connects from inside
 * (session/socket-transport.ts), so the step streams bypass the engine.
 */
export interface SessionSocketDir {
  hostDir: string;
  /** Where the sandbox sees it. */
  sandboxDir: string;
}

/** A sandbox a backend lists, for reaping. */
export interface ListedSandbox {
  id: string;
  labels: Record<string, string>;
  state: string;
}

/** A backend: where sandboxes run and how their images are made. */
/** A leftover reaped (its description), or one found and left alone, with why. */
export type LeftoverLine = string | { what: string; keptBecause: string };

export interface SandboxBackend {
  readonly name: string;
  ping(timeoutMs?: number): Promise<boolean>;
  /** Throw an InfrastructureError (ENGINE_UNREACHABLE) naming the backend when it does not answer. */
  health(): Promise<void>;
  version(): Promise<string | undefined>;
  prepareImage(task: ImageRequest, options?: PrepareImageOptions): Promise<PreparedImage>;
  findImage(refOrId: string): Promise<{ id: string; tags: string[] } | null>;
  /** Create and start a sandbox; on failure nothing is left behind. */
  create(spec: BackendSpec): Promise<BackendSandbox>;
  /** Sandboxes carrying `label` (a key, or key=value). */
  list(label: string): Promise<ListedSandbox[]>;
  /** Remove a listed sandbox; one already gone is not an error. */
  remove(id: string): Promise<void>;
  requireFreeSpace(minFreeBytes: number): Promise<void>;
  /**
   * What sandboxes of dead harvesters left outside the backend's own list (a loop disk's
   * host mount, a failed start's processes): removed unless `dryRun`; one line each. What was
   * found but left alone (whose it is cannot be told) comes as `{ what, keptBecause }`.
   */
  reapLeftovers?(options: { dryRun: boolean; isOwnerAlive: (pid: number, start: string) => boolean }): Promise<LeftoverLine[]>;
  setup(options: ProviderSetupOptions): Promise<number>;
  recordImageUse(refs: Iterable<string>): Promise<void>;
  evictImages(options: { budgetBytes: number; log?: import('pino').Logger }): Promise<{ id: string; refs: string[] }[]>;
}
