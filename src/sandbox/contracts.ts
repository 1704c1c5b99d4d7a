import type { Logger } from 'pino';
import type { Sandbox } from '../core/contracts.js';
import type { TaskSpec } from '../task/spec.js';
import type { Isolation, Limits } from '../trajectory/schema.js';

/** The limits a backend enforces through the kernel (cgroups); a backend says which of them it cannot. */
export type EnforcedLimit = 'memory_mb' | 'cpus' | 'pids';

/*
 * The contract between everything that runs sandboxes (runner, grading, replay, trace,
 * mutate, scheduler, queue, CLI) and the provider that runs them. A provider is the
 * backend-neutral runtime (per-step policy, session, state, limits) over one backend
 * (backend.ts): Docker, Podman, the unsandboxed test backend.
 */

/** One layer a task's image was made of (base or recipe, environment, task). */
export interface ImageLayer {
  kind: 'image' | 'environment' | 'task';
  ref: string;
  id: string;
  built: boolean;
}

/** An image a provider can start sandboxes from. */
export interface PreparedImage {
  ref: string;
  /** The image ID (sha256:…): what trajectories pin. */
  id: string;
  /** The registry digest, or null for a local image. */
  digest: string | null;
  /** Whether this call built it. */
  built?: boolean;
  buildLog?: string;
  layers?: ImageLayer[];
  /** The repository in the image: its root and the base commit patches are taken against. */
  repo?: { root: string; commit: string };
}

/**
 * What preparing a task's image reads of the task: its folder (relative paths in the image
 * spec are under it) and the spec's image, environment and repository. A loaded task fits.
 */
export interface ImageRequest {
  dir: string;
  spec: Pick<TaskSpec, 'id' | 'workdir' | 'image' | 'environment' | 'repo'>;
}

export interface PrepareImageOptions {
  log?: Logger;
  signal?: AbortSignal;
  /** Repository to tag built images into. */
  repository?: string;
}

/** What a sandbox is started with. */
export interface SandboxSpec {
  /** An image reference or ID the provider prepared. */
  image: string;
  /** Carried as the `forager.run` label: every sandbox is findable by its run. */
  runId: string;
  taskId: string;
  workdir: string;
  env: Record<string, string>;
  limits: Limits;
  hostname?: string;
  signal?: AbortSignal;
}

/** A sandbox a provider started: the agent's operations plus the harness's. */
export interface ProvidedSandbox extends Sandbox {
  /** How the backend isolated it and how its state is read, for the trajectory header (absent when the backend cannot say). */
  readonly isolation?: Isolation;
  /** Kill every process but the sandbox's own init and dead-man (the session too); how many. */
  killProcesses(): Promise<number>;
  /** Limits of its spec the sandbox runs without (the operator accepted that); empty when all hold. */
  readonly unenforcedLimits: readonly EnforcedLimit[];
  /** How the session's streams travel now: the engine's attach, or a Unix socket on this host; absent before a session opened. */
  readonly sessionTransport?: 'attach' | 'socket';
}

export interface ReapOptions {
  /** Only this run's sandboxes. */
  runId?: string;
  /** Decide and report, remove nothing. */
  dryRun?: boolean;
}

export interface ReapedSandbox {
  id: string;
  runId: string;
  taskId: string;
  state: string;
  /** The owner is gone: the sandbox is (or, in a dry run, would be) removed. */
  orphan: boolean;
  removed: boolean;
  reason: string;
}

/** Isolation the operator chose for every sandbox (`--runtime`, `--disk-mount`): over a task's own limits, under a recorded trajectory's. */
export type IsolationChoice = Partial<Pick<Limits, 'runtime' | 'disk_mount'>>;

export interface ProviderSetupOptions {
  /** An OCI runtime to install and register with the backend (`runsc`), checked by starting a sandbox under it. */
  runtime?: string;
  /** Install or start the backend when none answers (false: fail instead). */
  install: boolean;
  /** Image recipes to build (default: every recipe). */
  recipes?: string[];
  log: Logger;
  /** One line of progress for the user. */
  say(line: string): void;
}

/**
 * A backend that runs sandboxes (a Docker engine; next, Kubernetes pods). Chosen once, in
 * `cli/`, and handed to everything that starts sandboxes. Failures of the backend itself
 * are InfrastructureErrors.
 */
export interface SandboxProvider {
  readonly name: string;
  /** The operator's isolation choice, applied to every sandbox whose limits do not name their own (see IsolationChoice). */
  readonly isolation?: IsolationChoice;
  /** Whether the backend answers within `timeoutMs`; never throws. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Throw an InfrastructureError (ENGINE_UNREACHABLE) naming the backend when it does not answer. */
  health(): Promise<void>;
  /** The backend's version, for trajectory headers (undefined when it cannot say). */
  version(): Promise<string | undefined>;
  /** Build or find the task's image (layers included); built at most once per content. */
  prepareImage(task: ImageRequest, options?: PrepareImageOptions): Promise<PreparedImage>;
  /** The image a tag or ID names on the backend now, or null. */
  findImage(refOrId: string): Promise<{ id: string; tags: string[] } | null>;
  /** Start a sandbox with limits, labels, network and a live session at `workdir`. */
  start(spec: SandboxSpec): Promise<ProvidedSandbox>;
  /** Remove sandboxes whose owning harvester is gone; never one of a live run. */
  reap(options?: ReapOptions): Promise<ReapedSandbox[]>;
  /** Throw when the backend's storage is below `minFreeBytes` free (no check when it cannot see it). */
  requireFreeSpace(minFreeBytes: number): Promise<void>;
  /** Make the backend ready on this host (`forager setup`): engine, base image, recipes; how many things were made. */
  setup(options: ProviderSetupOptions): Promise<number>;
  /** Image cache: these images were used now. */
  recordImageUse(refs: Iterable<string>): Promise<void>;
  /** Image cache: remove least-recently-used images forager built until they fit `budgetBytes`; the ones removed. */
  evictImages(options: { budgetBytes: number; log?: Logger }): Promise<{ id: string; refs: string[] }[]>;
}
